import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeServer,
  listeningOn,
  listenOnLoopback,
  PORT_PARTS,
  portTakenError,
} from '../../../../local/engines/listen.js';
import { checkPortsFree, claimPort } from '../../../../local/stack/ports.js';

/* A taken port names the part that could not listen and the variable that moves it. */

const held: Server[] = [];

/** Holds a free loopback port, as another program would, until the test ends. */
const occupy = async (): Promise<number> => {
  const server = createServer();
  held.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
};

afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((done) => s.close(done))));
});

const taken = (part: string, port: number, variable: string) =>
  `${part} could not listen on ${port}: set ${variable} to a free port, or 0 to pick one (port ${port} on 127.0.0.1 is already in use)`;

describe('portTakenError', () => {
  it('names the part and the variable of each of the stack ports', () => {
    expect(Object.keys(PORT_PARTS)).toEqual([
      'HTTP_PORT',
      'LAMBDA_PORT',
      'SQS_SNS_PORT',
      'DYNAMODB_PORT',
      'EMULATOR_PORT',
      'STACK_CONTROL_PORT',
    ]);
    expect(portTakenError('EMULATOR_PORT', 4599).message).toBe(
      taken('Image Builder / AppStream emulator', 4599, 'EMULATOR_PORT'),
    );
    expect(portTakenError('SNS gate', 5000).message).toBe(
      'SNS gate could not listen on 5000: port 5000 on 127.0.0.1 is already in use',
    );
  });
});

describe.each(Object.entries(PORT_PARTS))('%s taken', (variable, part) => {
  it('listenOnLoopback names it', async () => {
    const port = await occupy();
    const server = createHttpServer();
    await expect(listenOnLoopback(server, port, variable)).rejects.toThrow(
      taken(part, port, variable),
    );
  });

  it('claimPort names it', async () => {
    const port = await occupy();
    await expect(claimPort(port, variable)).rejects.toThrow(taken(part, port, variable));
  });

  it('listeningOn names it for a part that reports the port its own way', async () => {
    const port = await occupy();
    const start = () => Promise.reject(new Error(`its own words: port ${port} is already in use`));
    await expect(listeningOn(variable, port, start)).rejects.toThrow(taken(part, port, variable));
    const raw = Object.assign(new Error(`listen EADDRINUSE 127.0.0.1:${port}`), {
      code: 'EADDRINUSE',
    });
    await expect(listeningOn(variable, port, () => Promise.reject(raw))).rejects.toThrow(
      taken(part, port, variable),
    );
  });
});

describe('listeningOn', () => {
  it('passes other failures and results through', async () => {
    await expect(
      listeningOn('HTTP_PORT', 1, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow(/^boom$/);
    await expect(listeningOn('HTTP_PORT', 1, async () => 42)).resolves.toBe(42);
  });
});

describe('checkPortsFree', () => {
  it('names every taken port at once, one line each', async () => {
    const [http, emulator] = [await occupy(), await occupy()];
    const server = createHttpServer();
    const free = await listenOnLoopback(server, 0, 'free');
    await closeServer(server);
    await expect(
      checkPortsFree({
        HTTP_PORT: http,
        LAMBDA_PORT: free,
        EMULATOR_PORT: emulator,
        SQS_SNS_PORT: 0,
      }),
    ).rejects.toThrow(
      [
        taken('HTTP API', http, 'HTTP_PORT'),
        taken('Image Builder / AppStream emulator', emulator, 'EMULATOR_PORT'),
      ].join('\n'),
    );
  });

  it('names two variables set to the same port', async () => {
    const server = createHttpServer();
    const free = await listenOnLoopback(server, 0, 'free');
    await closeServer(server);
    await expect(checkPortsFree({ HTTP_PORT: free, EMULATOR_PORT: free })).rejects.toThrow(
      `HTTP_PORT and EMULATOR_PORT are both ${free}: set one of them to another port`,
    );
  });

  it('passes free ports and 0', async () => {
    await expect(checkPortsFree({ HTTP_PORT: 0, LAMBDA_PORT: 0 })).resolves.toBeUndefined();
  });
});
