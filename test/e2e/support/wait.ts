/** Thrown by a probe when waiting longer cannot help: `eventually` rethrows it at once. */
export class StopWaiting extends Error {}

/** Polls `probe` until it yields a value (not `undefined`) or the deadline passes. */
export const eventually = async <T>(
  probe: () => Promise<T | undefined> | T | undefined,
  {
    timeoutMs,
    intervalMs = 100,
    what,
    diagnostics,
  }: { timeoutMs: number; intervalMs?: number; what: string; diagnostics?: () => string },
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof StopWaiting) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  const extra = diagnostics ? `\n${diagnostics()}` : '';
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${cause}${extra}`);
};

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));
