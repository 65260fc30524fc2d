import type { AnyOperation, AwsClients } from '../operations/index.js';
import {
  idempotencyInProgressError,
  idempotencyMismatchError,
  ProvisioningError,
  type ProvisioningErrorDetails,
  serviceUnavailableError,
} from '../shared/errors.js';
import { type Announcer, type Asker, announcesNow } from './announcement.js';
import { isRetryableAwsError, toProvisioningError } from './awsErrors.js';
import { type IdempotencyStore, idempotencyErrorKind } from './idempotency.js';
import { type RetryPolicy, withRetries } from './retry.js';

/** One admitted request, ready for AWS: the idempotency key, the payload and its budget. */
export interface Job extends Asker {
  /** The validated AWS request: what a replay must match. */
  request: unknown;
  finalAttempt: boolean;
  /** Epoch ms by which the AWS call, retries included, must be over. */
  deadline: number;
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
  idempotency: IdempotencyStore;
  announcer: Announcer;
  retryPolicy: RetryPolicy;
}

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

/** What a failure around the idempotent section means for the caller. */
const rejectionOf = (error: unknown): ProvisioningError => {
  if (error instanceof ProvisioningError) return error;
  switch (idempotencyErrorKind(error)) {
    case 'mismatch':
      return idempotencyMismatchError();
    case 'in-progress':
      return idempotencyInProgressError();
    case 'persistence':
      return serviceUnavailableError('The idempotency store is unavailable; retry later.', error);
    default:
      throw error;
  }
};

/** The AWS call with backoff and jitter on throttles and transient failures, within budget. */
const callAws = (
  { clients, retryPolicy }: ExecutorDependencies,
  operation: AnyOperation,
  job: Job,
): Promise<unknown> =>
  withRetries((signal) => operation.execute(clients, job.request, job.clientToken, signal), {
    policy: retryPolicy,
    retryable: (error) => isRetryableAwsError(operation.service, error),
    deadline: job.deadline,
  });

/** Runs inside the idempotent section: what it returns is stored, what it throws is not. */
const executeAndAnnounce = async (
  dependencies: ExecutorDependencies,
  operation: AnyOperation,
  job: Job,
): Promise<StoredResult> => {
  const { announcer } = dependencies;
  await announcer.begin(job, operation.name);
  let response: unknown;
  try {
    response = await callAws(dependencies, operation, job);
  } catch (cause) {
    const failure = toProvisioningError(operation.service, cause);
    const announced = announcesNow(failure, job, 'aws');
    if (announced) {
      await announcer.failed(job, operation.name, failure, operation.subject(job.request));
    }
    if (!failure.retryable) return { status: 'FAILED', error: failure.toDetails() };
    throw announced ? new AnnouncedFailureError(failure) : failure;
  }
  const subject = operation.subject(job.request, response);
  await announcer.succeeded(job, operation.name, response, subject);
  return { status: 'SUCCEEDED', response };
};

export const createExecutor = (dependencies: ExecutorDependencies): Executor => {
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
        const error = toProvisioningError(operation.service, cause);
        return { status: 'FAILED', error, replayed: false };
      }
    },
  };
};
