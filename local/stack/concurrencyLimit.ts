/** Runs at most `max` pieces of work at once; the others wait their turn, in order. */
export interface ConcurrencyLimit {
  /** Runs `work` once a slot is free; rejects with the signal's reason if it aborts first. */
  run<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T>;
  /** Work running now, and work waiting for a slot. */
  readonly running: number;
  readonly waiting: number;
}

export const concurrencyLimit = (max: number): ConcurrencyLimit => {
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new Error(`a concurrency limit must be a whole number of 1 or more, got ${max}`);
  }
  let running = 0;
  const queue: Array<() => void> = [];
  /** A finished piece hands its slot straight to the next in line, so none is taken twice. */
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else running -= 1;
  };
  const slot = (signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      const onAbort = () => {
        queue.splice(queue.indexOf(go), 1);
        reject(signal.reason);
      };
      const go = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      queue.push(go);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  return {
    async run(work, signal) {
      signal.throwIfAborted();
      if (running < max) running += 1;
      else await slot(signal);
      try {
        return await work();
      } finally {
        release();
      }
    },
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
  };
};
