import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeServer, listenOnLoopback } from '../../../../local/engines/listen.js';
import { startStackControl } from '../../../../local/stack/control.js';
import {
  type OutageGate,
  readLateAnswers,
  startOutageGate,
} from '../../../../local/stack/outageGate.js';

/*
 * The outage gate's late answers: the request reaches the engine at once, its answer is held.
 * An engine here is a loopback server that notes when each request arrived and answers at once.
 */

const LATE_MS = 400;

let engine: Server;
let arrivals: { operation: string; at: number }[];
let engineEndpoint: string;
let gate: OutageGate;

beforeEach(async () => {
  arrivals = [];
  engine = createServer((incoming, outgoing) => {
    const target = String(incoming.headers['x-amz-target'] ?? '');
    arrivals.push({ operation: target.split('.').pop() ?? '', at: performance.now() });
    incoming.resume();
    incoming.on('end', () => {
      outgoing.writeHead(200, { 'content-type': 'application/json' });
      outgoing.end('{}');
    });
  });
  const port = await listenOnLoopback(engine, 0, 'engine');
  engineEndpoint = `http://127.0.0.1:${port}`;
  gate = await startOutageGate(engineEndpoint, 'engine');
});

afterEach(async () => {
  await gate.close();
  await closeServer(engine);
});

/** A DynamoDB-style call through the gate; resolves to how long its answer took (or 'aborted'). */
const call = async (operation: string, timeoutMs = 5_000): Promise<number | 'aborted'> => {
  const started = performance.now();
  try {
    const response = await fetch(gate.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': `DynamoDB_20120810.${operation}` },
      body: '{}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.text();
    return performance.now() - started;
  } catch {
    return 'aborted';
  }
};

describe('late answers', () => {
  it('forwards the request at once and holds the answer, for `count` requests of `operation`', async () => {
    gate.set({
      available: true,
      mode: 'reset',
      late: { ms: LATE_MS, count: 1, operation: 'PutItem' },
    });

    const started = performance.now();
    const read = await call('GetItem');
    const late = await call('PutItem');
    const next = await call('PutItem');

    expect(read).toBeLessThan(LATE_MS);
    expect(late).toBeGreaterThanOrEqual(LATE_MS - 5);
    expect(next).toBeLessThan(LATE_MS);
    // The held request reached the engine long before its answer came back.
    expect((arrivals[1]?.at ?? Number.POSITIVE_INFINITY) - started).toBeLessThan(
      (read as number) + LATE_MS / 2,
    );
    expect(gate.state()).toEqual({
      available: true,
      mode: 'reset',
      late: { ms: LATE_MS, count: 0, operation: 'PutItem' },
    });
  });

  it('holds every answer while no count is given, until the gate is set again', async () => {
    gate.set({ available: true, mode: 'reset', late: { ms: LATE_MS } });

    const answers = await Promise.all([call('PutItem'), call('GetItem')]);
    gate.set({ available: true, mode: 'reset' });
    const after = await call('PutItem');

    for (const elapsed of answers) expect(elapsed).toBeGreaterThanOrEqual(LATE_MS - 5);
    expect(after).toBeLessThan(LATE_MS);
    expect(gate.state()).toEqual({ available: true, mode: 'reset' });
  });

  it('a caller that gave up still had its request carried out, and the gate carries on', async () => {
    gate.set({ available: true, mode: 'reset', late: { ms: LATE_MS, count: 1 } });

    const gaveUp = await call('PutItem', LATE_MS / 4);
    await new Promise((resolve) => setTimeout(resolve, LATE_MS));
    const next = await call('PutItem');

    expect(gaveUp).toBe('aborted');
    expect(arrivals.map(({ operation }) => operation)).toEqual(['PutItem', 'PutItem']);
    expect(next).toBeLessThan(LATE_MS);
  });

  it('close() does not wait for answers still held', async () => {
    gate.set({ available: true, mode: 'reset', late: { ms: 30_000 } });
    const held = call('PutItem', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const started = performance.now();
    await gate.close();
    const closedMs = performance.now() - started;
    // For afterEach: a gate that is open again.
    gate = await startOutageGate(engineEndpoint, 'engine');

    expect(closedMs).toBeLessThan(1_000);
    expect(await held).toBe('aborted');
  });
});

describe('readLateAnswers', () => {
  it.each([
    [undefined, undefined],
    [{ ms: 2500 }, { ms: 2500 }],
    [
      { ms: 0, count: 3, operation: 'PutItem' },
      { ms: 0, count: 3, operation: 'PutItem' },
    ],
  ])('reads %j', (given, expected) => {
    expect(readLateAnswers(given)).toEqual(expected);
  });

  it.each([
    'late',
    null,
    {},
    { ms: -1 },
    { ms: 1.5 },
    { ms: 60_001 },
    { ms: '2500' },
    { ms: 10, count: -1 },
    { ms: 10, count: 'one' },
    { ms: 10, operation: '' },
    { ms: 10, operation: 7 },
  ])('refuses %j with a message', (given) => {
    expect(readLateAnswers(given)).toEqual(expect.any(String));
  });
});

describe('the control API', () => {
  it('sets late answers on a part, and refuses settings it cannot read', async () => {
    const control = await startStackControl({ dynamodb: gate }, 0);
    const put = (body: unknown) =>
      fetch(`${control.endpoint}/_stack/parts/dynamodb`, {
        method: 'PUT',
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
    try {
      const set = await put({
        available: true,
        late: { ms: 2500, count: 1, operation: 'PutItem' },
      });
      const refused = await put({ available: true, late: { ms: 'soon' } });
      const restored = await put({ available: true });

      expect(set.status).toBe(200);
      expect(await set.json()).toEqual({
        available: true,
        mode: 'reset',
        late: { ms: 2500, count: 1, operation: 'PutItem' },
      });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({ message: expect.stringContaining('late.ms') });
      expect(restored.status).toBe(200);
      expect(await restored.json()).toEqual({ available: true, mode: 'reset' });
    } finally {
      await control.close();
    }
  });
});
