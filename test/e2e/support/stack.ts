import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppStreamClient } from '@aws-sdk/client-appstream';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RunningDynamoDb } from '../../../local/engines/dynamodb.js';
import { startDynamoDbLocal } from '../../../local/engines/dynamodbLocal.js';
import type { StackInfo } from '../../../local/stack/startStack.js';
import { EmulatorControl } from './emulator.js';
import { eventually, StopWaiting } from './wait.js';

/** What `npm start` writes to `<STACK_DIR>/stack.json` once everything listens. */
export type { StackInfo } from '../../../local/stack/startStack.js';

export interface StackExit {
  /** Exit code of `npm start`. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether processes of its group were still alive 5 s after it exited (then killed). */
  lingering: boolean;
}

/**
 * The DynamoDB engine a stack runs on: `embedded` (dynalite behind the stack's change capture, as
 * `npm start` has it) or `dynamodb-local` (AWS's DynamoDB Local, one of its own per stack, whose
 * stream the stack reads). Chosen by `E2E_DYNAMODB` (default `embedded`).
 */
export type DynamoDbEngine = 'embedded' | 'dynamodb-local';

export const dynamoDbEngine = (): DynamoDbEngine => {
  const engine = process.env.E2E_DYNAMODB || 'embedded';
  if (engine !== 'embedded' && engine !== 'dynamodb-local') {
    throw new Error(`E2E_DYNAMODB must be "embedded" or "dynamodb-local", got "${engine}"`);
  }
  return engine;
};

export interface RunningStack {
  info: StackInfo;
  /** The stack's STACK_DIR: a tool run with it finds this stack. */
  stackDir: string;
  /** The DynamoDB engine under the stack. */
  engine: DynamoDbEngine;
  /** The ports handed to the stack, by environment variable. */
  ports: Readonly<Record<PortVariable, number>>;
  sqs: SQSClient;
  sns: SNSClient;
  appstream: AppStreamClient;
  emulator: EmulatorControl;
  /** Everything the stack printed on stdout so far. */
  stdout(): string;
  /** stdout and stderr interleaved, for diagnostics. */
  output(): string;
  /** Whether the `npm start` process has exited. */
  exited(): boolean;
  /** Resolves once the stack printed nothing for `quietMs` (bounded by `timeoutMs`). */
  quiet(quietMs: number, timeoutMs: number): Promise<void>;
  /** SIGINT to the process group, then waits for the exit (SIGKILL after a grace period). */
  stop(): Promise<StackExit>;
}

export const PORT_VARIABLES = [
  'HTTP_PORT',
  'LAMBDA_PORT',
  'SQS_SNS_PORT',
  'DYNAMODB_PORT',
  'EMULATOR_PORT',
  'STACK_CONTROL_PORT',
] as const;
export type PortVariable = (typeof PORT_VARIABLES)[number];

/** The request queue's visibility timeout every test stack gets (seconds). */
export const QUEUE_VISIBILITY_TIMEOUT_SECONDS = 1;

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;
const KILL_GRACE_MS = 5_000;
const LINGER_GRACE_MS = 5_000;
/** Local engines accept any signature; the SDK still wants credentials to sign with. */
const DUMMY_CREDENTIALS = { accessKeyId: 'e2e', secretAccessKey: 'e2e' } as const;

const listen = (server: Server): Promise<number> =>
  new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('no port'));
      else resolvePort(address.port);
    });
  });

const close = (server: Server): Promise<void> =>
  new Promise((resolveClose) => server.close(() => resolveClose()));

/** Free loopback ports, all held open at once so none is handed out twice. */
export const freePorts = async (count: number): Promise<number[]> => {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(servers.map(listen));
  } finally {
    await Promise.all(servers.map(close));
  }
};

/** Whether something accepts connections on 127.0.0.1:`port` right now. */
export const canListenOn = async (port: number): Promise<boolean> => {
  const server = createServer();
  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolveListen());
    });
    return true;
  } catch {
    return false;
  } finally {
    if (server.listening) await close(server);
  }
};

/** The environment `npm start` gets: ours, minus anything pointing the SDK elsewhere, plus `extra`. */
const stackEnvironment = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('AWS_ENDPOINT_URL')) delete env[name];
  }
  return { ...env, ...extra };
};

type ProcessExit = Pick<StackExit, 'code' | 'signal'>;

const waitForExit = (child: ChildProcess, timeoutMs: number): Promise<ProcessExit | undefined> =>
  new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolveExit({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolveExit(undefined);
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolveExit({ code, signal });
    };
    child.once('exit', onExit);
  });

const groupAlive = (child: ChildProcess): boolean => {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
};

const signalGroup = (child: ChildProcess, signal: NodeJS.Signals): void => {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
};

/**
 * Starts the offline stack exactly as a developer does (`npm start` in the repository root), on
 * free ports and a fresh STACK_DIR, and waits for `stack.json` and the `Stack ready` line.
 */
export const startStack = async (extraEnv: Record<string, string> = {}): Promise<RunningStack> => {
  try {
    return await startStackOnce(extraEnv);
  } catch (error) {
    // A free port can be taken between our probe and the stack's listen: try once more.
    if (!(error as Error).message.includes('already in use')) throw error;
    return startStackOnce(extraEnv);
  }
};

const startStackOnce = async (extraEnv: Record<string, string>): Promise<RunningStack> => {
  const engine = dynamoDbEngine();
  // DynamoDB Local keeps one database per process: each stack gets a process of its own.
  const dynamodbLocal: RunningDynamoDb | undefined =
    engine === 'dynamodb-local' ? await startDynamoDbLocal() : undefined;
  try {
    return await startStackOn(engine, dynamodbLocal, extraEnv);
  } catch (error) {
    await dynamodbLocal?.close();
    throw error;
  }
};

const startStackOn = async (
  engine: DynamoDbEngine,
  dynamodbLocal: RunningDynamoDb | undefined,
  extraEnv: Record<string, string>,
): Promise<RunningStack> => {
  const stackDir = await mkdtemp(join(tmpdir(), 'image-provisioner-e2e-'));
  const portList = await freePorts(PORT_VARIABLES.length);
  const ports = Object.fromEntries(
    PORT_VARIABLES.map((name, index) => [name, portList[index] as number]),
  ) as Record<PortVariable, number>;
  const env = stackEnvironment({
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    STACK_DIR: stackDir,
    QUEUE_VISIBILITY_TIMEOUT_SECONDS: String(QUEUE_VISIBILITY_TIMEOUT_SECONDS),
    EMULATOR_APPSTREAM_READY_DELAY_MS: '500',
    ...(dynamodbLocal ? { AWS_ENDPOINT_URL_DYNAMODB: dynamodbLocal.endpoint } : {}),
    ...extraEnv,
  });

  const child = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test runner that dies must not leave a stack behind.
  const killOnExit = () => signalGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  let stdout = '';
  let output = '';
  let lastOutputAt = Date.now();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    output += chunk;
    lastOutputAt = Date.now();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    lastOutputAt = Date.now();
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const diagnostics = () => `npm start output (last 4000 characters):\n${output.slice(-4000)}`;

  let stopping: Promise<StackExit> | undefined;
  const clients: { destroy(): void }[] = [];
  const stop = (): Promise<StackExit> => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      for (const client of clients) client.destroy();
      // E2E_STACK_LOG=<file> keeps everything the stack printed, for diagnosing a failed run.
      const logFile = process.env.E2E_STACK_LOG;
      signalGroup(child, 'SIGINT');
      let exit = await waitForExit(child, STOP_GRACE_MS);
      if (!exit) {
        signalGroup(child, 'SIGKILL');
        exit = (await waitForExit(child, KILL_GRACE_MS)) ?? { code: null, signal: 'SIGKILL' };
      }
      // Children of npm may take a moment longer; whatever is still alive after that is killed.
      const lingering = await eventually(() => (groupAlive(child) ? undefined : false), {
        timeoutMs: LINGER_GRACE_MS,
        what: 'the process group to end',
      }).catch(() => true);
      if (lingering) signalGroup(child, 'SIGKILL');
      if (logFile) await writeFile(logFile, output);
      await rm(stackDir, { recursive: true, force: true });
      // The engine goes last: the stack wrote to it until it stopped.
      await dynamodbLocal?.close();
      return { ...exit, lingering };
    })();
    return stopping;
  };

  const info = await eventually(
    async () => {
      if (spawnError)
        throw new StopWaiting(`npm start could not be spawned: ${spawnError.message}`);
      if (exited()) {
        throw new StopWaiting(
          `npm start exited early (code ${child.exitCode}, signal ${child.signalCode})`,
        );
      }
      if (!stdout.includes('Stack ready')) return undefined;
      const text = await readFile(join(stackDir, 'stack.json'), 'utf8').catch(() => undefined);
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text) as StackInfo;
      } catch {
        return undefined; // still being written
      }
    },
    { timeoutMs: READY_TIMEOUT_MS, intervalMs: 100, what: 'stack.json and "Stack ready"' },
  ).catch(async (error: unknown) => {
    await stop();
    throw new Error(`${(error as Error).message}\n${diagnostics()}`);
  });

  const clientConfig = (endpoint: string) => ({
    region: info.region,
    endpoint,
    credentials: DUMMY_CREDENTIALS,
  });
  const sqs = new SQSClient(clientConfig(info.sqs.endpoint));
  const sns = new SNSClient(clientConfig(info.sns.endpoint));
  // One attempt: the test sees exactly what the emulator answers.
  const appstream = new AppStreamClient({
    ...clientConfig(info.appstream.endpoint),
    maxAttempts: 1,
  });
  clients.push(sqs, sns, appstream);

  return {
    info,
    stackDir,
    engine,
    ports,
    sqs,
    sns,
    appstream,
    emulator: new EmulatorControl(info.emulator.endpoint),
    stdout: () => stdout,
    output: () => output,
    exited,
    quiet: async (quietMs, timeoutMs) => {
      await eventually(() => (Date.now() - lastOutputAt >= quietMs ? true : undefined), {
        timeoutMs,
        intervalMs: 50,
        what: `${quietMs} ms without stack output`,
      }).catch(() => undefined);
    },
    stop,
  };
};
