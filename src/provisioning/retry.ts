/** Exponential backoff with full jitter for the AWS calls, the SDK's own retries switched off. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
};

export interface RetryOptions {
  policy: RetryPolicy;
  /** Whether another attempt can help (throttles and transient failures). */
  retryable(error: unknown): boolean;
  /** Epoch ms by which every attempt must have ended: the invocation's own budget. */
  deadline: number;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, fails for good, runs out of attempts, or the next try could
 * not finish before `deadline`. Each attempt gets an abort signal that fires at the deadline.
 */
export const withRetries = async <T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  { policy, retryable, deadline, now = Date.now, random = Math.random, sleep = wait }: RetryOptions,
): Promise<T> => {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt(AbortSignal.timeout(Math.max(1, deadline - now())));
    } catch (error) {
      if (tried >= policy.maxAttempts || !retryable(error)) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (tried - 1));
      const delay = Math.floor(random() * ceiling);
      // Starting an attempt that cannot end in time only turns a clear error into a timeout.
      if (now() + delay + policy.baseDelayMs >= deadline) throw error;
      await sleep(delay);
    }
  }
};
