import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { claimPort } from '../stack/ports.js';
import { LOCAL_CREDENTIALS } from './credentials.js';
import type { RunningDynamoDb } from './dynamodb.js';

export interface DynamoDbLocalOptions {
  /** 0 (default): a free port, checked on 127.0.0.1. DynamoDB Local listens on every interface. */
  port?: number;
  readyTimeoutMs?: number;
}

/** Where the `amplify-dynamodb-simulator` package keeps DynamoDB Local (jar and native libraries). */
const emulatorDirectory = (): string =>
  join(
    dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')),
    'emulator',
  );

/** Whether a `java` runs here (DynamoDB Local is a Java program). */
export const javaAvailable = (): boolean =>
  spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;

const exited = (child: ChildProcess, timeoutMs: number): Promise<boolean> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(true)
    : new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });

/**
 * AWS's DynamoDB Local (in memory, one database for every credential and region, telemetry off)
 * as a child process; resolves once it answers, `close()` ends it.
 */
export const startDynamoDbLocal = async ({
  port = 0,
  readyTimeoutMs = 30_000,
}: DynamoDbLocalOptions = {}): Promise<RunningDynamoDb> => {
  const directory = emulatorDirectory();
  const actualPort = await claimPort(port, 'DynamoDB Local');
  const workDirectory = await mkdtemp(join(tmpdir(), 'dynamodb-local-'));
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(directory, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(actualPort),
    ],
    {
      // It keeps a metadata file in its working folder: a folder of its own, removed at the end.
      cwd: workDirectory,
      env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = `${output}${chunk.toString()}`.slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let failure: Error | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => {
    failure =
      error.code === 'ENOENT'
        ? new Error('DynamoDB Local runs on Java: no `java` on the PATH (install a JRE)')
        : error;
  });
  child.once('exit', (code) => {
    failure ??= new Error(`DynamoDB Local exited (code ${code}) before it answered:\n${output}`);
  });

  const endpoint = `http://127.0.0.1:${actualPort}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      if (!(await exited(child, 5_000))) {
        child.kill('SIGKILL');
        await exited(child, 5_000);
      }
    }
    await rm(workDirectory, { recursive: true, force: true });
  };
  // One attempt per probe: the loop is the retry.
  const probe = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + readyTimeoutMs;
  try {
    for (;;) {
      const answered = await probe.send(new ListTablesCommand({ Limit: 1 })).then(
        () => true,
        () => false,
      );
      if (failure) throw failure;
      if (answered) break;
      if (Date.now() >= deadline) {
        throw new Error(`DynamoDB Local did not answer within ${readyTimeoutMs} ms:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await close();
    throw error;
  } finally {
    probe.destroy();
  }
  return { endpoint, close };
};
