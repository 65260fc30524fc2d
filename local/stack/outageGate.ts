import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from '../engines/listen.js';

/** How a part behaves while it is down. */
export type OutageMode = 'reset' | 'hang';

/**
 * Late answers while the part is up: each request is forwarded at once (a write lands), but the
 * engine's answer is held back `ms` before it is passed on, so a caller that gave up meanwhile
 * never hears it.
 */
export interface LateAnswers {
  ms: number;
  /** How many more requests get a late answer; absent: every one until the gate is set again. */
  count?: number;
  /**
   * Only requests of this operation: the name after the last dot of their `X-Amz-Target`
   * header, as the AWS JSON protocols send it (`DynamoDB_20120810.PutItem` is `PutItem`).
   */
  operation?: string;
}

/** Longest an answer may be held: far beyond any SDK timeout, short of a forgotten test. */
export const MAX_LATE_MS = 60_000;

export interface GateState {
  available: boolean;
  mode: OutageMode;
  /** While available, answers held back (absent: answered as they come). */
  late?: LateAnswers;
}

export interface OutageGate {
  endpoint: string;
  state(): GateState;
  set(state: GateState): void;
  close(): Promise<void>;
}

const wholeNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** `late` as the stack's control API receives it: the settings, or what is wrong with them. */
export const readLateAnswers = (value: unknown): LateAnswers | undefined | string => {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) return '"late" must be an object';
  const ms = 'ms' in value ? value.ms : undefined;
  const count = 'count' in value ? value.count : undefined;
  const operation = 'operation' in value ? value.operation : undefined;
  if (!wholeNumber(ms) || ms > MAX_LATE_MS) {
    return `"late.ms" must be a whole number of milliseconds up to ${MAX_LATE_MS}`;
  }
  if (count !== undefined && !wholeNumber(count)) return '"late.count" must be a whole number';
  if (operation !== undefined && (typeof operation !== 'string' || operation === '')) {
    return '"late.operation" must be an operation name';
  }
  return { ms, ...(count === undefined ? {} : { count }), ...(operation ? { operation } : {}) };
};

/** The operation an AWS JSON protocol request names in its `X-Amz-Target` header. */
const targetOperation = (incoming: IncomingMessage): string | undefined => {
  const target = incoming.headers['x-amz-target'];
  return typeof target === 'string' ? target.slice(target.lastIndexOf('.') + 1) : undefined;
};

/**
 * A reverse proxy between the service and one local engine, so tests and demos can take that
 * part down (connections reset, or requests left hanging), bring it back, or have it answer late.
 */
export const startOutageGate = async (target: string, name: string): Promise<OutageGate> => {
  let current: GateState = { available: true, mode: 'reset' };
  const waiting = new Set<() => void>();
  const timers = new Set<NodeJS.Timeout>();

  /** How long to hold the answer to `incoming` (0: not at all); uses up one of `late.count`. */
  const holdFor = (incoming: IncomingMessage): number => {
    const { late } = current;
    if (!late || late.count === 0) return 0;
    if (late.operation !== undefined && targetOperation(incoming) !== late.operation) return 0;
    if (late.count !== undefined) late.count -= 1;
    return late.ms;
  };

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse, holdMs = 0) => {
    const upstream = request(new URL(incoming.url ?? '/', target), {
      method: incoming.method,
      headers: incoming.headers,
    });
    upstream.on('response', (response) => {
      const answer = () => {
        if (outgoing.destroyed) {
          // The caller gave up waiting: what the engine did stays done, its answer is lost.
          response.resume();
          return;
        }
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      };
      if (holdMs <= 0) return answer();
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer();
      }, holdMs);
      timers.add(timer);
    });
    upstream.on('error', () => incoming.socket.destroy());
    incoming.pipe(upstream);
  };

  const server = createServer((incoming, outgoing) => {
    if (current.available) return forward(incoming, outgoing, holdFor(incoming));
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
    state: () => ({ ...current, ...(current.late ? { late: { ...current.late } } : {}) }),
    set(state) {
      const { late, ...rest } = state;
      current = { ...rest, ...(late ? { late: { ...late } } : {}) };
      if (current.available) for (const release of [...waiting]) release();
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await closeServer(server);
    },
  };
};
