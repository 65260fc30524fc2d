import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from '../engines/listen.js';

/** How a part behaves while it is down. */
export type OutageMode = 'reset' | 'hang';

export interface GateState {
  available: boolean;
  mode: OutageMode;
}

export interface OutageGate {
  endpoint: string;
  state(): GateState;
  set(state: GateState): void;
  close(): Promise<void>;
}

/**
 * A reverse proxy between the service and one local engine, so tests and demos can take that
 * part down (connections reset, or requests left hanging) and bring it back.
 */
export const startOutageGate = async (target: string, name: string): Promise<OutageGate> => {
  let current: GateState = { available: true, mode: 'reset' };
  const waiting = new Set<() => void>();

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const upstream = request(new URL(incoming.url ?? '/', target), {
      method: incoming.method,
      headers: incoming.headers,
    });
    upstream.on('response', (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(outgoing);
    });
    upstream.on('error', () => incoming.socket.destroy());
    incoming.pipe(upstream);
  };

  const server = createServer((incoming, outgoing) => {
    if (current.available) return forward(incoming, outgoing);
    if (current.mode === 'reset') return incoming.socket.destroy();
    // Hang: the request waits for the part to come back, or for the caller to give up.
    const release = () => {
      waiting.delete(release);
      if (!incoming.socket.destroyed) forward(incoming, outgoing);
    };
    waiting.add(release);
    incoming.socket.once('close', () => waiting.delete(release));
  });
  const port = await listenOnLoopback(server, 0, `${name} gate`);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    state: () => ({ ...current }),
    set(state) {
      current = { ...state };
      if (current.available) for (const release of [...waiting]) release();
    },
    close: () => closeServer(server),
  };
};
