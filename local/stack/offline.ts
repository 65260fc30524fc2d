import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { portTakenError } from '../engines/listen.js';
import { invokeLambda } from './lambdaInvoke.js';

export interface RunningOffline {
  /** serverless-offline's Lambda Invoke API. */
  lambdaEndpoint: string;
  /** Invokes a function through serverless-offline's Lambda API, as AWS's event source would. */
  invoke<T>(functionName: string, event: unknown): Promise<T>;
  /**
   * Resolves, describing the exit, if serverless-offline exits while nobody stopped it (it was
   * killed, or crashed); never once `stop()` was called.
   */
  died: Promise<string>;
  stop(): Promise<void>;
}

export interface OfflineOptions {
  root: string;
  stage: string;
  region: string;
  /**
   * Where serverless-offline's own HTTP server listens: internal, nobody's to use (the stack's
   * gateway serves the HTTP API), so its route listing is left out of the output.
   */
  httpPort: number;
  lambdaPort: number;
  env: Record<string, string>;
  /** serverless.yml `params` to override (`--param "<name>=<value>"`): the functions' settings. */
  params?: Readonly<Record<string, string>>;
  output(chunk: string): void;
  readyTimeoutMs?: number;
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((done) => child.once('exit', (code) => done(code)));

/** Box-drawing characters only: the frame of serverless-offline's route listing. */
const FRAME_LINE = /^[\s\u2500-\u257f]*[\u2500-\u257f][\s\u2500-\u257f]*$/;

/** A route of Lambda's Invoke API, which serverless-offline lists as if it were an HTTP route. */
const INVOKE_ROUTE = '/2015-03-31/functions/';

/**
 * Drops the lines that name the internal HTTP server (its routes and "Server ready") and the
 * Invoke API's routes: the stack's gateway and triggers use them, nobody else.
 */
export const withoutInternalServer = (text: string, internalServer: string): string =>
  text
    .split('\n')
    .filter(
      (line) =>
        !line.includes(internalServer) && !line.includes(INVOKE_ROUTE) && !FRAME_LINE.test(line),
    )
    .join('\n');

/** Why serverless-offline could not start, naming a port it could not listen on. */
const startFailure = (code: number | null, log: string, options: OfflineOptions): Error => {
  const taken = /EADDRINUSE[^\n]*?:(\d+)/.exec(log)?.[1];
  if (taken === String(options.lambdaPort))
    return portTakenError('LAMBDA_PORT', options.lambdaPort);
  if (taken === String(options.httpPort)) {
    return portTakenError(
      "serverless-offline's internal HTTP port (picked free at start)",
      options.httpPort,
    );
  }
  return new Error(`serverless-offline exited (code ${code}) before it was ready:\n${log}`);
};

/** `sls offline start` as a child process: the function bundles and the Lambda invoke API. */
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
      ...Object.entries(options.params ?? {}).flatMap(([name, value]) => [
        '--param',
        `${name}=${value}`,
      ]),
    ],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const internalServer = `http://127.0.0.1:${httpPort}`;
  const ready = new Promise<void>((resolveReady, rejectReady) => {
    const onData = (data: Buffer) => {
      const text = data.toString();
      log = `${log}${text}`.slice(-20_000);
      const shown = withoutInternalServer(text, internalServer);
      if (shown.trim() !== '') output(shown);
      if (log.includes('Server ready')) resolveReady();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    // On close, not exit: what it printed last (why it failed) has been read by then.
    child.once('close', (code) => rejectReady(startFailure(code, log, options)));
  });
  // If this process ends without stopping it (a crash), the child goes too, freeing its ports.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stopping = false;
  const died = new Promise<string>((reportDied) => {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      reportDied(
        `serverless-offline (the functions, pid ${child.pid}) exited ${signal ? `on ${signal}` : `with code ${code}`}`,
      );
    });
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
    stopping = true;
    process.off('exit', killOnExit);
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

  const lambdaEndpoint = `http://127.0.0.1:${lambdaPort}`;
  return {
    lambdaEndpoint,
    async invoke<T>(functionName: string, event: unknown): Promise<T> {
      const { statusCode, functionError, payload } = await invokeLambda(
        lambdaEndpoint,
        functionName,
        event,
      );
      if (statusCode !== 200 || functionError) {
        throw new Error(`${functionName} failed (${statusCode}): ${payload.slice(0, 500)}`);
      }
      return JSON.parse(payload) as T;
    },
    died,
    stop,
  };
};
