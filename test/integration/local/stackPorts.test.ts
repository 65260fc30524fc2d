import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../../local/emulator/index.js';
import { startDynalite } from '../../../local/engines/dynamodb.js';
import { listeningOn } from '../../../local/engines/listen.js';
import { startMessaging } from '../../../local/engines/messaging.js';
import { startStackControl } from '../../../local/stack/control.js';
import { startHttpGateway } from '../../../local/stack/httpGateway.js';
import { startOffline } from '../../../local/stack/offline.js';
import { readStackSettings } from '../../../local/stack/settings.js';
import { startStack } from '../../../local/stack/startStack.js';
import { startChangeCapture } from '../../../local/streams/changeCapture.js';

/*
 * Each of the stack's ports, taken by another program: the start stops with
 * "<part> could not listen on <port>: set <VARIABLE> ...", whichever part it is.
 */

const ROOT = resolve(import.meta.dirname, '../../..');

const PARTS = {
  HTTP_PORT: 'HTTP API',
  LAMBDA_PORT: "serverless-offline's Lambda API",
  SQS_SNS_PORT: 'SQS/SNS (fauxqs)',
  DYNAMODB_PORT: 'DynamoDB',
  EMULATOR_PORT: 'Image Builder / AppStream emulator',
  STACK_CONTROL_PORT: 'stack control API',
} as const;
type PortVariable = keyof typeof PARTS;

const held: Server[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

/** Holds a free loopback port until the test ends, as another program would. */
const occupy = async (): Promise<number> => {
  const server = createServer();
  held.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
};

/** Free loopback ports, all held at once so none is handed out twice, then released. */
const freePorts = async (count: number): Promise<number[]> => {
  const servers = Array.from({ length: count }, () => createServer());
  const ports = await Promise.all(
    servers.map(
      (server) =>
        new Promise<number>((done) =>
          server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)),
        ),
    ),
  );
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
};

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(held.splice(0).map((s) => new Promise((done) => s.close(done))));
});

const expected = (variable: PortVariable, port: number) =>
  `${PARTS[variable]} could not listen on ${port}: set ${variable} to a free port, or 0 to pick one (port ${port} on 127.0.0.1 is already in use)`;

/** What the start came to: its error's message, or "started" (then stopped). */
const outcome = async (start: () => Promise<{ stop?(): Promise<void>; close?(): Promise<void> }>) =>
  start().then(
    async (running) => {
      await (running.stop ?? running.close)?.call(running);
      return 'started';
    },
    (error: Error) => error.message,
  );

describe.each(Object.keys(PARTS) as PortVariable[])('%s taken', (variable) => {
  it('stops the whole stack start, naming the part and the variable', async () => {
    const stackDir = await mkdtemp(join(tmpdir(), 'stack-ports-'));
    cleanups.push(() => rm(stackDir, { recursive: true, force: true }));
    const free = await freePorts(6);
    const taken = await occupy();
    const env: Record<string, string> = { STACK_DIR: stackDir };
    for (const [index, name] of Object.keys(PARTS).entries()) {
      env[name] = String(name === variable ? taken : free[index]);
    }
    const warnings: string[] = [];
    const io = { print: () => undefined, warn: (line: string) => warnings.push(line) };
    const started = performance.now();
    const message = await outcome(() => startStack(readStackSettings(env, ROOT), io, ROOT));
    expect(message).toBe(expected(variable, taken));
    // Found before anything started, serverless-offline included.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(warnings).toEqual([]);
  });
});

describe('each part on its own, on a taken port', () => {
  it('HTTP API (the gateway)', async () => {
    const port = await occupy();
    const message = await outcome(() =>
      startHttpGateway({
        port,
        portVariable: 'HTTP_PORT',
        routes: [],
        lambdaEndpoint: 'http://127.0.0.1:9',
        accountId: '000000000000',
        apiId: 'test',
        onError: () => undefined,
      }),
    );
    expect(message).toBe(expected('HTTP_PORT', port));
  });

  it('SQS/SNS (fauxqs)', async () => {
    const port = await occupy();
    const message = await outcome(() =>
      listeningOn('SQS_SNS_PORT', port, () => startMessaging(port)),
    );
    expect(message).toBe(expected('SQS_SNS_PORT', port));
  });

  it('DynamoDB (the change capture in front of the engine)', async () => {
    const engine = await startDynalite();
    cleanups.push(() => engine.close());
    const port = await occupy();
    const message = await outcome(() =>
      startChangeCapture({
        engineEndpoint: engine.endpoint,
        region: 'us-east-1',
        accountId: '000000000000',
        tableName: 'requests',
        port,
        portName: 'DYNAMODB_PORT',
        onError: () => undefined,
      }),
    );
    expect(message).toBe(expected('DYNAMODB_PORT', port));
  });

  it('Image Builder / AppStream emulator', async () => {
    const port = await occupy();
    const message = await outcome(() =>
      listeningOn('EMULATOR_PORT', port, () => startEmulator({ port })),
    );
    expect(message).toBe(expected('EMULATOR_PORT', port));
  });

  it('stack control API', async () => {
    const port = await occupy();
    const message = await outcome(() => startStackControl({}, port));
    expect(message).toBe(expected('STACK_CONTROL_PORT', port));
  });

  it("serverless-offline's Lambda API", { timeout: 90_000 }, async () => {
    const lambdaPort = await occupy();
    const [httpPort] = await freePorts(1);
    cleanups.push(() =>
      rm(join(ROOT, '.esbuild', `local-ports-${lambdaPort}`), { recursive: true, force: true }),
    );
    const output: string[] = [];
    const message = await outcome(() =>
      startOffline({
        root: ROOT,
        stage: 'local',
        region: 'us-east-1',
        httpPort: httpPort as number,
        lambdaPort,
        env: { STACK_BUILD_ID: `-ports-${lambdaPort}` },
        output: (chunk) => output.push(chunk),
        readyTimeoutMs: 60_000,
      }),
    );
    expect(message).toBe(expected('LAMBDA_PORT', lambdaPort));
  });
});
