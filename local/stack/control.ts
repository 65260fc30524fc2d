import { createServer } from 'node:http';
import { closeServer, listenOnLoopback } from '../engines/listen.js';
import { type OutageGate, type OutageMode, readLateAnswers } from './outageGate.js';

export interface StackControl {
  endpoint: string;
  close(): Promise<void>;
}

const MODES: ReadonlySet<string> = new Set(['reset', 'hang']);

/**
 * `GET /_stack/parts` lists the parts that can be taken down; `PUT /_stack/parts/<part>` with
 * `{"available": false, "mode": "reset" | "hang"}` takes one down, `{"available": true}` brings
 * it back. `{"available": true, "late": {"ms": 2500, "count"?: 1, "operation"?: "PutItem"}}`
 * forwards every request but holds the engine's answer `ms` (see `LateAnswers`).
 */
export const startStackControl = async (
  gates: Readonly<Record<string, OutageGate>>,
  port: number,
): Promise<StackControl> => {
  const server = createServer(async (incoming, outgoing) => {
    const reply = (status: number, body: unknown) => {
      outgoing.writeHead(status, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify(body));
    };
    const url = new URL(incoming.url ?? '/', 'http://control');
    if (incoming.method === 'GET' && url.pathname === '/_stack/parts') {
      return reply(
        200,
        Object.fromEntries(Object.entries(gates).map(([name, gate]) => [name, gate.state()])),
      );
    }
    const part = /^\/_stack\/parts\/([a-z]+)$/.exec(url.pathname)?.[1];
    const gate = part ? gates[part] : undefined;
    if (incoming.method !== 'PUT' || !gate) return reply(404, { message: 'unknown route or part' });
    let body = '';
    for await (const chunk of incoming) body += chunk;
    let state: { available?: unknown; mode?: unknown; late?: unknown };
    try {
      state = JSON.parse(body) as typeof state;
    } catch {
      return reply(400, { message: 'body must be JSON' });
    }
    const mode = state.mode ?? 'reset';
    if (typeof state.available !== 'boolean' || typeof mode !== 'string' || !MODES.has(mode)) {
      return reply(400, { message: 'expected {"available": boolean, "mode"?: "reset" | "hang"}' });
    }
    const late = readLateAnswers(state.late);
    if (typeof late === 'string') return reply(400, { message: late });
    gate.set({ available: state.available, mode: mode as OutageMode, ...(late ? { late } : {}) });
    return reply(200, gate.state());
  });
  const actual = await listenOnLoopback(server, port, 'STACK_CONTROL_PORT');
  return { endpoint: `http://127.0.0.1:${actual}`, close: () => closeServer(server) };
};
