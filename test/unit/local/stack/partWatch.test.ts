import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServer, listenOnLoopback } from '../../../../local/engines/listen.js';
import { type PartWatch, watchParts } from '../../../../local/stack/partWatch.js';

/* A part that stops accepting connections is reported by name; parts that listen are not. */

const servers: Server[] = [];
let watch: PartWatch | undefined;

const listening = async (): Promise<{ server: Server; endpoint: string }> => {
  const server = createServer((_, outgoing) => outgoing.end());
  servers.push(server);
  const port = await listenOnLoopback(server, 0, 'part');
  return { server, endpoint: `http://127.0.0.1:${port}` };
};

afterEach(async () => {
  watch?.stop();
  watch = undefined;
  await Promise.all(
    servers
      .splice(0)
      .filter((s) => s.listening)
      .map(closeServer),
  );
});

/** What `dead` resolved to within `ms`, or `undefined`. */
const within = (dead: Promise<string>, ms: number) =>
  Promise.race([dead, new Promise<undefined>((done) => setTimeout(() => done(undefined), ms))]);

describe('watchParts', () => {
  it('reports the part that stopped accepting connections, by name and endpoint', async () => {
    const engine = await listening();
    const emulator = await listening();
    watch = watchParts(
      [
        { name: 'engine', endpoint: engine.endpoint },
        { name: 'emulator', endpoint: emulator.endpoint },
      ],
      { intervalMs: 50, misses: 2 },
    );
    expect(await within(watch.dead, 300)).toBeUndefined();
    await closeServer(emulator.server);
    expect(await within(watch.dead, 2_000)).toBe(
      `emulator (${emulator.endpoint}) stopped accepting connections`,
    );
  });

  it('reports nothing once stopped', async () => {
    const engine = await listening();
    watch = watchParts([{ name: 'engine', endpoint: engine.endpoint }], {
      intervalMs: 50,
      misses: 1,
    });
    watch.stop();
    await closeServer(engine.server);
    expect(await within(watch.dead, 400)).toBeUndefined();
  });
});
