import { connect } from 'node:net';

/** A part of the stack that listens on an endpoint, by the name the stack's messages give it. */
export interface WatchedPart {
  name: string;
  endpoint: string;
}

export interface PartWatch {
  /** Resolves, naming the part, once one of them refuses connections `misses` times in a row. */
  dead: Promise<string>;
  stop(): void;
}

export interface PartWatchOptions {
  intervalMs?: number;
  /** Refused connections in a row before a part counts as dead. */
  misses?: number;
}

/** `refused` when nothing listens at `endpoint`; `up` when it accepts or is merely slow. */
const probe = (endpoint: string, timeoutMs: number): Promise<'up' | 'refused'> =>
  new Promise((done) => {
    const { hostname, port } = new URL(endpoint);
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
    const finish = (state: 'up' | 'refused') => {
      socket.destroy();
      done(state);
    };
    socket.setTimeout(timeoutMs, () => finish('up'));
    socket.once('connect', () => finish('up'));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(error.code === 'ECONNREFUSED' ? 'refused' : 'up'),
    );
  });

/**
 * Checks every `intervalMs` that each part still accepts connections: a part that died (a child
 * process killed, an external engine stopped) is noticed instead of failing every call silently.
 */
export const watchParts = (
  parts: readonly WatchedPart[],
  { intervalMs = 1_000, misses = 2 }: PartWatchOptions = {},
): PartWatch => {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const refusedInARow = new Map<string, number>();
  const dead = new Promise<string>((reportDead) => {
    const round = async () => {
      const states = await Promise.all(parts.map((part) => probe(part.endpoint, intervalMs)));
      if (stopped) return;
      for (const [index, part] of parts.entries()) {
        const refused = states[index] === 'refused' ? (refusedInARow.get(part.name) ?? 0) + 1 : 0;
        refusedInARow.set(part.name, refused);
        if (refused >= misses) {
          stopped = true;
          reportDead(`${part.name} (${part.endpoint}) stopped accepting connections`);
          return;
        }
      }
      timer = setTimeout(() => void round(), intervalMs);
      timer.unref();
    };
    timer = setTimeout(() => void round(), intervalMs);
    timer.unref();
  });
  return {
    dead,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
};
