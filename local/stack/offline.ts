import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

export interface RunningOffline {
  /** Invokes a function through serverless-offline's Lambda API, as AWS's event source would. */
  invoke<T>(functionName: string, event: unknown): Promise<T>;
  stop(): Promise<void>;
}

export interface OfflineOptions {
  root: string;
  stage: string;
  region: string;
  httpPort: number;
  lambdaPort: number;
  env: Record<string, string>;
  output(chunk: string): void;
  readyTimeoutMs?: number;
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((done) => child.once('exit', (code) => done(code)));

/** `sls offline start` as a child process: the httpApi routes and the Lambda invoke API. */
export const startOffline = async (options: OfflineOptions): Promise<RunningOffline> => {
  const { root, stage, region, httpPort, lambdaPort, env, output } = options;
  const child = spawn(
    process.execPath,
    [
      resolve(root, 'node_modules/osls/bin/serverless.js'),
      'offline',
      'start',
      '--stage',
      stage,
      '--region',
      region,
      '--host',
      '127.0.0.1',
      '--httpPort',
      String(httpPort),
      '--lambdaPort',
      String(lambdaPort),
    ],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const ready = new Promise<void>((resolveReady, rejectReady) => {
    const onData = (data: Buffer) => {
      const text = data.toString();
      log = `${log}${text}`.slice(-20_000);
      output(text);
      if (log.includes('Server ready')) resolveReady();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      rejectReady(
        new Error(`serverless-offline exited (code ${code}) before it was ready:\n${log}`),
      ),
    );
  });
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rejectTimeout) => {
    timer = setTimeout(
      () =>
        rejectTimeout(new Error(`serverless-offline was not ready after ${timeoutMs} ms:\n${log}`)),
      timeoutMs,
    );
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited(child);
    clearTimeout(killer);
  };

  try {
    await Promise.race([ready, timeout]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }

  return {
    async invoke<T>(functionName: string, event: unknown): Promise<T> {
      const response = await fetch(
        `http://127.0.0.1:${lambdaPort}/2015-03-31/functions/${functionName}/invocations`,
        { method: 'POST', body: JSON.stringify(event) },
      );
      const text = await response.text();
      if (!response.ok || response.headers.has('x-amz-function-error')) {
        throw new Error(`${functionName} failed (${response.status}): ${text.slice(0, 500)}`);
      }
      return JSON.parse(text) as T;
    },
    stop,
  };
};

export type QueueInvoker = (event: SQSEvent) => Promise<SQSBatchResponse>;
