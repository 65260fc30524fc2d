/** Exponential backoff with full jitter for the AWS calls, the SDK's own retries switched off. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * How long after a request was first sent AWS's IAM propagation errors are retried
   * (`IAM_PROPAGATION_WINDOW_SECONDS`); absent or 0: not at all.
   */
  iamPropagationWindowMs?: number;
}

export const DEFAULT_IAM_PROPAGATION_WINDOW_SECONDS = 120;

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  iamPropagationWindowMs: DEFAULT_IAM_PROPAGATION_WINDOW_SECONDS * 1000,
};

/** Epoch ms at which the IAM propagation window of a request first sent at `firstSentAt` closes. */
export const iamPropagationWindowEnd = (policy: RetryPolicy, firstSentAt: number): number =>
  firstSentAt + (policy.iamPropagationWindowMs ?? 0);

export interface RetryOptions {
  policy: RetryPolicy;
  /** Whether another attempt can help (throttles and transient failures). */
  retryable(error: unknown): boolean;
  /**
   * For an error that clears with time rather than attempts (IAM changes propagating): the epoch
   * ms until which it is retried, past `policy.maxAttempts`. Undefined for any other error.
   */
  retryUntil?(error: unknown): number | undefined;
  /** Epoch ms by which every attempt must have ended: the invocation's own budget. */
  deadline: number;
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

type Backoff = Required<Omit<RetryOptions, 'retryUntil' | 'sleep'>> &
  Pick<RetryOptions, 'retryUntil'>;

/** The longest wait between attempts at an error that clears with time: no use asking faster. */
const TIME_BOUND_MAX_DELAY_MS = 5_000;

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long to wait before attempt `tried + 1`, or undefined to give up with `error`. */
const nextDelay = (error: unknown, tried: number, backoff: Backoff): number | undefined => {
  const { policy, retryable, retryUntil, deadline, now, random } = backoff;
  const until = retryUntil?.(error);
  if (until === undefined && (tried >= policy.maxAttempts || !retryable(error))) return undefined;
  const cap =
    until === undefined ? policy.maxDelayMs : Math.max(policy.maxDelayMs, TIME_BOUND_MAX_DELAY_MS);
  const delay = Math.floor(random() * Math.min(cap, policy.baseDelayMs * 2 ** (tried - 1)));
  const next = now() + delay;
  // Starting an attempt that cannot end in time only turns a clear error into a timeout.
  if (next + policy.baseDelayMs >= deadline) return undefined;
  return until !== undefined && next >= until ? undefined : delay;
};

/**
 * A signal that aborts at `ms` from now, as `AbortSignal.timeout` does (same reason), with a timer
 * that is cleared once the attempt is over: `AbortSignal.timeout` keeps every signal and its
 * timer alive until the deadline, seconds after the call that needed it was answered.
 */
const deadlineSignal = (ms: number): { signal: AbortSignal; done(): void } => {
  const controller = new AbortController();
  const timer = setTimeout(
    () =>
      controller.abort(
        new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      ),
    ms,
  );
  timer.unref();
  return { signal: controller.signal, done: () => clearTimeout(timer) };
};

/**
 * Runs `attempt` until it succeeds, fails for good, runs out of attempts (or, for an error that
 * clears with time, out of its time), or the next try could not finish before `deadline`. Each
 * attempt gets an abort signal that fires at the deadline while it runs.
 */
export const withRetries = async <T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  { now = Date.now, random = Math.random, sleep = wait, ...options }: RetryOptions,
): Promise<T> => {
  const backoff: Backoff = { ...options, now, random };
  for (let tried = 1; ; tried++) {
    const deadline = deadlineSignal(Math.max(1, options.deadline - now()));
    try {
      return await attempt(deadline.signal);
    } catch (error) {
      const delay = nextDelay(error, tried, backoff);
      if (delay === undefined) throw error;
      await sleep(delay);
    } finally {
      deadline.done();
    }
  }
};
