import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimStackDir, processAlive } from '../../../../local/stack/runningStack.js';
import type { StackInfo } from '../../../../local/stack/startStack.js';

/*
 * One stack per STACK_DIR: a second start there is refused while the first runs, the files of a
 * stack that died are taken over, and a stack removes only its own files.
 */

let stackDir: string;

beforeEach(async () => {
  stackDir = await mkdtemp(join(tmpdir(), 'running-stack-'));
});

afterEach(async () => {
  await rm(stackDir, { recursive: true, force: true });
});

const info = (pid: number): StackInfo => ({
  pid,
  region: 'us-east-1',
  httpApi: 'http://127.0.0.1:3111',
  apiReference: {
    page: 'http://127.0.0.1:3111/docs',
    openapi: 'http://127.0.0.1:3111/openapi.json',
  },
  sqs: {
    endpoint: 'http://127.0.0.1:4111',
    requestQueueUrl: 'http://127.0.0.1:4111/000000000000/requests',
    deadLetterQueueUrl: 'http://127.0.0.1:4111/000000000000/requests-dlq',
    outboxFailureQueueUrl: 'http://127.0.0.1:4111/000000000000/outbox-failures',
    watchQueueUrl: 'http://127.0.0.1:4111/000000000000/watch',
    watchDeadLetterQueueUrl: 'http://127.0.0.1:4111/000000000000/watch-dlq',
  },
  sns: { endpoint: 'http://127.0.0.1:4111', outcomesTopicArn: 'arn:aws:sns:us-east-1:0:t' },
  dynamodb: { endpoint: 'http://127.0.0.1:8111', idempotencyTable: 'i', requestsTable: 'r' },
  imagebuilder: { endpoint: 'http://127.0.0.1:4599' },
  appstream: { endpoint: 'http://127.0.0.1:4599' },
  emulator: { endpoint: 'http://127.0.0.1:4599' },
  control: { endpoint: 'http://127.0.0.1:4611' },
  gates: { sns: 'http://127.0.0.1:5111', dynamodb: 'http://127.0.0.1:5112' },
  lambda: { endpoint: 'http://127.0.0.1:5113', outboxFunction: 'image-provisioner-local-outbox' },
});

/** The pid of a process that has exited. */
const deadPid = async (): Promise<number> => {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((done) => child.once('exit', done));
  const { pid } = child;
  if (pid === undefined || processAlive(pid)) throw new Error('expected a process that exited');
  return pid;
};

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

const readStackFile = async () =>
  JSON.parse(await readFile(join(stackDir, 'stack.json'), 'utf8')) as StackInfo;

describe('claimStackDir', () => {
  it('writes stack.json with the pid of the stack that runs', async () => {
    const claim = await claimStackDir(stackDir);
    expect(claim.stackFile).toBe(join(stackDir, 'stack.json'));
    await claim.write(info(process.pid));
    expect(await readStackFile()).toEqual(info(process.pid));
    await claim.release();
    expect(await exists(claim.stackFile)).toBe(false);
    expect(await exists(join(stackDir, 'stack.lock'))).toBe(false);
  });

  it('refuses a second start while the first runs, naming it and how to run another', async () => {
    const first = await claimStackDir(stackDir);
    await first.write(info(process.pid));
    const second = claimStackDir(stackDir);
    await expect(second).rejects.toThrow(
      `A stack is already running in ${stackDir} (pid ${process.pid}, HTTP API http://127.0.0.1:3111, SQS/SNS http://127.0.0.1:4111, stack control http://127.0.0.1:4611).`,
    );
    const message = await second.catch((error: Error) => error.message);
    expect(message).toContain(
      'STACK_DIR=.local/second HTTP_PORT=0 LAMBDA_PORT=0 SQS_SNS_PORT=0 DYNAMODB_PORT=0 EMULATOR_PORT=0 STACK_CONTROL_PORT=0 npm start',
    );
    expect(message).toContain('STACK_DIR=.local/second npm run send -- ...');
    // The refused start left the first one's file as it was.
    expect(await readStackFile()).toEqual(info(process.pid));
    await first.release();
  });

  it('refuses a second start while the first is still starting (no stack.json yet)', async () => {
    const first = await claimStackDir(stackDir);
    await expect(claimStackDir(stackDir)).rejects.toThrow(
      `A stack is already running in ${stackDir} (pid ${process.pid}, still starting).`,
    );
    await first.release();
  });

  it('takes over the files of a stack that died', async () => {
    const pid = await deadPid();
    await writeFile(join(stackDir, 'stack.lock'), JSON.stringify({ pid }));
    await writeFile(join(stackDir, 'stack.json'), JSON.stringify(info(pid)));
    const claim = await claimStackDir(stackDir);
    expect(await exists(claim.stackFile)).toBe(false);
    const lock = JSON.parse(await readFile(join(stackDir, 'stack.lock'), 'utf8')) as unknown;
    expect(lock).toEqual({ pid: process.pid });
    await claim.release();
  });

  it('removes only its own files when it stops', async () => {
    const claim = await claimStackDir(stackDir);
    await claim.write(info(process.pid));
    // Another (live) process's stack.json in its place, as an older start would have written it.
    await writeFile(join(stackDir, 'stack.json'), JSON.stringify(info(process.ppid)));
    await claim.withdraw();
    await claim.release();
    expect(await readStackFile()).toEqual(info(process.ppid));
    expect(await exists(join(stackDir, 'stack.lock'))).toBe(false);
  });

  it('withdraws its stack.json first, keeping the directory claimed until released', async () => {
    const claim = await claimStackDir(stackDir);
    await claim.write(info(process.pid));
    await claim.withdraw();
    expect(await exists(claim.stackFile)).toBe(false);
    await expect(claimStackDir(stackDir)).rejects.toThrow('A stack is already running');
    await claim.release();
    const again = await claimStackDir(stackDir);
    await again.release();
  });
});
