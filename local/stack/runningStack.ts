import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { StackInfo } from './startStack.js';

/** The stack's port variables, each set to 0: a second stack's ports, all picked free. */
const FREE_PORTS =
  'HTTP_PORT=0 LAMBDA_PORT=0 SQS_SNS_PORT=0 DYNAMODB_PORT=0 EMULATOR_PORT=0 STACK_CONTROL_PORT=0';

/** Whether a process with this id is alive (one of another user counts as alive). */
export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const readJson = async (file: string): Promise<unknown> => {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
};

/** The pid a lock or stack file names, if it names one. */
const pidIn = (value: unknown): number | undefined => {
  const pid = (value as { pid?: unknown } | undefined)?.pid;
  return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
};

/** How a running stack is described to whoever tries to start another in its directory. */
const describeRunning = (stackDir: string, pid: number, info: StackInfo | undefined): string => {
  const where = info
    ? `pid ${pid}, HTTP API ${info.httpApi}, SQS/SNS ${info.sqs.endpoint}, stack control ${info.control.endpoint}`
    : `pid ${pid}, still starting`;
  return [
    `A stack is already running in ${stackDir} (${where}).`,
    `Stop it (Ctrl-C in its terminal, or kill ${pid}), or run a second stack with a STACK_DIR and ports of its own:`,
    `  STACK_DIR=.local/second ${FREE_PORTS} npm start`,
    '  and give its tools the same STACK_DIR: STACK_DIR=.local/second npm run send -- ...',
  ].join('\n');
};

export interface StackDirClaim {
  /** `<stackDir>/stack.json`, where the endpoints go once the stack is ready. */
  stackFile: string;
  /** Writes the endpoints (with this process's pid) to `stackFile`. */
  write(info: StackInfo): Promise<void>;
  /** Removes `stackFile` if this process wrote it: tools stop finding a stack that is stopping. */
  withdraw(): Promise<void>;
  /** Removes this stack's files, and only those (another stack's are left alone). */
  release(): Promise<void>;
}

/**
 * Makes `stackDir` this process's: one stack per directory, so a second start there cannot
 * overwrite the first one's `stack.json`, nor remove it when it stops. A stack that is running
 * there (its pid alive) makes this throw, naming it and how to run a second one; the files of a
 * stack that died are taken over.
 */
export const claimStackDir = async (stackDir: string): Promise<StackDirClaim> => {
  await mkdir(stackDir, { recursive: true });
  const lockFile = join(stackDir, 'stack.lock');
  const stackFile = join(stackDir, 'stack.json');
  const pid = process.pid;
  // Written whole first, then linked into place: a reader never sees a lock without its pid.
  const draft = join(stackDir, `stack.lock.${pid}`);
  await writeFile(draft, `${JSON.stringify({ pid })}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await link(draft, lockFile);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = pidIn(await readJson(lockFile));
      if (holder !== undefined && processAlive(holder)) {
        const info = (await readJson(stackFile)) as StackInfo | undefined;
        throw new Error(
          describeRunning(stackDir, holder, pidIn(info) === holder ? info : undefined),
        );
      }
      // A stack that died without stopping: its files describe nothing that runs.
      await rm(lockFile, { force: true });
      const writer = pidIn(await readJson(stackFile));
      if (writer === undefined || !processAlive(writer)) await rm(stackFile, { force: true });
      if (attempt === 2)
        throw new Error(`could not claim ${lockFile}: another start keeps taking it`);
    }
  } finally {
    await rm(draft, { force: true });
  }
  const ours = async (file: string) => pidIn(await readJson(file)) === pid;
  return {
    stackFile,
    write: (info) => writeFile(stackFile, `${JSON.stringify({ ...info, pid }, null, 2)}\n`),
    async withdraw() {
      if (await ours(stackFile)) await unlink(stackFile).catch(() => undefined);
    },
    async release() {
      if (await ours(stackFile)) await unlink(stackFile).catch(() => undefined);
      if (await ours(lockFile)) await unlink(lockFile).catch(() => undefined);
    },
  };
};

/** The endpoints of the stack `npm start` is running, or an exit with a hint to start it. */
export const readRunningStack = (): StackInfo => {
  const stackFile = resolve(process.env.STACK_DIR || '.local', 'stack.json');
  let info: StackInfo;
  try {
    info = JSON.parse(readFileSync(stackFile, 'utf8')) as StackInfo;
  } catch {
    process.stderr.write(`No running stack found (${stackFile}): start it with npm start\n`);
    process.exit(1);
  }
  const pid = pidIn(info);
  if (pid !== undefined && !processAlive(pid)) {
    process.stderr.write(
      `The stack that wrote ${stackFile} (pid ${pid}) is no longer running: start it with npm start\n`,
    );
    process.exit(1);
  }
  return info;
};
