import {
  idempotencyInProgressError,
  idempotencyMismatchError,
  outcomeUnknownError,
  ProvisioningError,
  type ProvisioningErrorDetails,
  serviceUnavailableError,
} from '../basics/errors.js';
import type { ServiceMetrics } from '../basics/metrics.js';
import { isRecord } from '../basics/records.js';
import {
  type AnyOperation,
  type AwsClients,
  createOncePerRequest,
  DEFAULT_OWNERSHIP,
  type ExecutionContext,
  type Ownership,
} from '../operations/index.js';
import { type Announcer, type Asker, announcesNow } from './announcement.js';
import {
  iamPropagationPendingError,
  isAmbiguousAwsError,
  isIamPropagationError,
  isRetryableAwsError,
  isThrottle,
  toProvisioningError,
} from './awsErrors.js';
import { type IdempotencyStore, idempotencyErrorKind } from './idempotency.js';
import { iamPropagationWindowEnd, type RetryPolicy, withRetries } from './retry.js';

/** One admitted request, ready for AWS: the idempotency key, the payload and its budget. */
export interface Job extends Asker {
  /** The validated AWS request: what a replay must match. */
  request: unknown;
  finalAttempt: boolean;
  /** Epoch ms by which the AWS call, retries included, must be over. */
  deadline: number;
  /** When the caller first sent the request, epoch ms (absent: now): starts the IAM window. */
  firstSentAt?: number;
  /** JSON Pointer of the request within what the caller sent: prefixes a refusal's paths. */
  inputPointer?: string;
}

export type Execution =
  | { status: 'SUCCEEDED'; response: unknown; replayed: boolean }
  | { status: 'FAILED'; error: ProvisioningError; replayed: boolean };

export interface Executor {
  /**
   * Calls AWS at most once per clientToken in the operation's key space and announces what AWS
   * did; a replay answers what was stored. Throws a ProvisioningError for a failure it neither
   * stored nor announced (a retryable AWS failure, the token in use, a store or topic down).
   */
  once(operation: AnyOperation, job: Job): Promise<Execution>;
  /** Calls AWS without a record or an announcement: a read answered to a waiting caller. */
  direct(operation: AnyOperation, job: Job): Promise<Execution>;
}

export interface ExecutorDependencies {
  clients: AwsClients;
  /** Whose resources the operations may change (none but the service's own when absent). */
  ownership?: Ownership;
  idempotency: IdempotencyStore;
  announcer: Announcer;
  retryPolicy: RetryPolicy;
  /** Each AWS call attempt's latency, AWS's throttles, and the retries a request took. */
  metrics: ServiceMetrics;
}

/** The dependencies, with what every operation runs with built once. */
type ExecutorRuntime = ExecutorDependencies & { context: ExecutionContext };

type StoredResult =
  | { status: 'SUCCEEDED'; response: unknown }
  | { status: 'FAILED'; error: ProvisioningErrorDetails };

/** A retryable failure already announced: thrown so that no record keeps it. */
class AnnouncedFailureError extends Error {
  readonly failure: ProvisioningError;

  constructor(failure: ProvisioningError) {
    super(failure.message, { cause: failure });
    this.name = 'AnnouncedFailureError';
    this.failure = failure;
  }
}

/** A bound on the wait: a lock lasts no longer than the invocation that holds it. */
const MAX_LOCK_WAIT_SECONDS = 900;

/** Seconds until the lock of the attempt holding the token runs out (1 when unknown). */
const lockSecondsLeft = (error: unknown, now = Date.now()): number => {
  const record = isRecord(error) ? error.existingRecord : undefined;
  const expiry = isRecord(record) ? record.inProgressExpiryTimestamp : undefined;
  if (typeof expiry !== 'number') return 1;
  return Math.min(MAX_LOCK_WAIT_SECONDS, Math.max(1, Math.ceil((expiry - now) / 1000)));
};

/** What a failure around the idempotent section means for the caller. */
const rejectionOf = (error: unknown): ProvisioningError => {
  if (error instanceof ProvisioningError) return error;
  switch (idempotencyErrorKind(error)) {
    case 'mismatch':
      return idempotencyMismatchError();
    case 'in-progress':
      return idempotencyInProgressError(lockSecondsLeft(error));
    case 'persistence':
      return serviceUnavailableError('The idempotency store is unavailable; retry later.', error);
    default:
      throw error;
  }
};

/** Thrown by the AWS call when an attempt may have taken effect and none answered for sure. */
class UnknownOutcomeError extends Error {
  constructor(readonly last: unknown) {
    super('An AWS call may have taken effect', { cause: last });
    this.name = 'UnknownOutcomeError';
  }
}

/**
 * What the AWS call fails with once retries are over: not known when an attempt may have taken
 * effect and the last word is still retryable; an IAM propagation error while its window is open
 * is retryable where the channel will try again, and AWS's own answer everywhere else.
 */
const failureAfterRetries = (
  operation: AnyOperation,
  job: Job,
  { ambiguous, windowEnd }: { ambiguous: boolean; windowEnd: number },
  error: unknown,
): unknown => {
  if (ambiguous && isRetryableAwsError(operation.service, error)) {
    return new UnknownOutcomeError(error);
  }
  const windowLeftMs = windowEnd - Date.now();
  if (job.finalAttempt || windowLeftMs <= 0 || !isIamPropagationError(operation.service, error)) {
    return error;
  }
  return iamPropagationPendingError(operation.service, error, windowLeftMs);
};

/**
 * The AWS call with backoff and jitter on throttles and transient failures, within budget, and on
 * IAM propagation errors until their window closes. Every attempt carries the same clientToken,
 * so an attempt after one that timed out finds what the first did (Image Builder's own
 * idempotency; AppStream's builder read back by name). What an attempt settled once for the
 * request (the read before a change) the next one does not repeat.
 */
const callAws = async (
  { context, retryPolicy, metrics }: ExecutorRuntime,
  operation: AnyOperation,
  job: Job,
): Promise<unknown> => {
  const windowEnd = iamPropagationWindowEnd(retryPolicy, job.firstSentAt ?? Date.now());
  const requestContext = { ...context, oncePerRequest: createOncePerRequest() };
  const dimensions = { Operation: operation.name };
  let ambiguous = false;
  let attempts = 0;
  try {
    return await withRetries(
      async (signal) => {
        attempts += 1;
        const started = performance.now();
        try {
          return await operation.execute(requestContext, job.request, job.clientToken, signal);
        } catch (error) {
          ambiguous ||= isAmbiguousAwsError(error);
          if (isThrottle(operation.service, error)) metrics.add('AwsThrottles', 1, dimensions);
          throw error;
        } finally {
          const latencyMs = Math.round((performance.now() - started) * 100) / 100;
          metrics.add('AwsCallLatency', latencyMs, dimensions);
        }
      },
      {
        policy: retryPolicy,
        retryable: (error) => isRetryableAwsError(operation.service, error),
        retryUntil: (error) =>
          isIamPropagationError(operation.service, error) ? windowEnd : undefined,
        deadline: job.deadline,
      },
    );
  } catch (error) {
    throw failureAfterRetries(operation, job, { ambiguous, windowEnd }, error);
  } finally {
    if (attempts > 1) metrics.add('AwsCallRetries', attempts - 1, dimensions);
  }
};

/**
 * A failure the operation found in the request itself (an ownership refusal) points into the
 * request as the caller sent it (`/request/...` in a queue message).
 */
const underPointer = (error: ProvisioningError, pointer = ''): ProvisioningError => {
  if (!pointer || !error.errors) return error;
  const errors = error.errors.map(({ path, message }) => ({ path: `${pointer}${path}`, message }));
  return new ProvisioningError({ ...error.toDetails(), errors }, { cause: error.cause });
};

/** Runs inside the idempotent section: what it returns is stored, what it throws is not. */
const executeAndAnnounce = async (
  dependencies: ExecutorRuntime,
  operation: AnyOperation,
  job: Job,
): Promise<StoredResult> => {
  const { announcer } = dependencies;
  await announcer.begin(job, operation.name);
  let response: unknown;
  try {
    response = await callAws(dependencies, operation, job);
  } catch (cause) {
    // Not a failure to announce: a retry with the same token will tell what AWS did.
    if (cause instanceof UnknownOutcomeError) throw outcomeUnknownError(cause.last);
    const failure = underPointer(toProvisioningError(operation.service, cause), job.inputPointer);
    const announced = announcesNow(failure, job, 'aws');
    if (announced) {
      await announcer.failed(job, operation.name, failure, operation.subject(job.request));
    }
    if (!failure.retryable) return { status: 'FAILED', error: failure.toDetails() };
    throw announced ? new AnnouncedFailureError(failure) : failure;
  }
  const subject = operation.subject(job.request, response);
  const follow = operation.readiness?.target(job.request, response);
  await announcer.succeeded(job, operation.name, response, subject, follow);
  return { status: 'SUCCEEDED', response };
};

export const createExecutor = (given: ExecutorDependencies): Executor => {
  const { clients, ownership = DEFAULT_OWNERSHIP } = given;
  const dependencies: ExecutorRuntime = { ...given, context: { ...clients, ownership } };
  // One idempotent runner per operation, each with its own key space, made on first use.
  const idempotent = new Map<string, (job: Job) => Promise<StoredResult & { replayed?: true }>>();
  const idempotentFor = (operation: AnyOperation) => {
    let run = idempotent.get(operation.name);
    if (!run) {
      run = dependencies.idempotency.wrap(operation.name, (job: Job) =>
        executeAndAnnounce(dependencies, operation, job),
      );
      idempotent.set(operation.name, run);
    }
    return run;
  };

  return {
    async once(operation, job) {
      try {
        const stored = await idempotentFor(operation)(job);
        const replayed = stored.replayed === true;
        return stored.status === 'SUCCEEDED'
          ? { status: 'SUCCEEDED', response: stored.response, replayed }
          : { status: 'FAILED', error: new ProvisioningError(stored.error), replayed };
      } catch (thrown) {
        if (thrown instanceof AnnouncedFailureError) {
          return { status: 'FAILED', error: thrown.failure, replayed: false };
        }
        throw rejectionOf(thrown);
      }
    },
    async direct(operation, job) {
      try {
        const response = await callAws(dependencies, operation, job);
        return { status: 'SUCCEEDED', response, replayed: false };
      } catch (cause) {
        const error = underPointer(toProvisioningError(operation.service, cause), job.inputPointer);
        return { status: 'FAILED', error, replayed: false };
      }
    },
  };
};
