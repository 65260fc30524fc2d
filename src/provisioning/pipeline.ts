import type { Logger } from '@aws-lambda-powertools/logger';
import type { GuardrailPolicy } from '../guardrails/policy.js';
import { type AwsClients, findOperation, type Operation, operations } from '../operations/index.js';
import { type Channel, failedOutcomeError, type Outcome } from '../outcomes/outcome.js';
import type { OutcomePublisher } from '../outcomes/snsOutcomePublisher.js';
import { admit } from './admission.js';
import { isRetryableAwsError, toProvisioningError } from './awsErrors.js';
import {
  idempotencyInProgressError,
  idempotencyMismatchError,
  ProvisioningError,
  type ProvisioningErrorDetails,
  serviceUnavailableError,
} from './errors.js';
import { type IdempotencyStore, idempotencyErrorKind } from './idempotency.js';
import type { ProvisioningRequest, ProvisioningResult } from './request.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetries } from './retry.js';

export type { ProvisioningRequest, ProvisioningResult } from './request.js';

export interface Pipeline {
  run(request: ProvisioningRequest): Promise<ProvisioningResult>;
}

export interface PipelineDependencies {
  clients: AwsClients;
  publisher: OutcomePublisher;
  idempotency: IdempotencyStore;
  logger: Logger;
  retryPolicy?: RetryPolicy;
  /** The stage's guardrails; none by default. */
  guardrails?: GuardrailPolicy;
}

/** Time kept back from AWS retries for publishing the outcome and storing the result. */
const RESERVED_MS = 2_000;
/** Budget when no Lambda context tells the remaining time. */
const DEFAULT_REMAINING_MS = 30_000;

interface Job {
  clientToken: string;
  request: unknown;
  channel: Channel;
  correlationId: string | undefined;
  requestedBy: string | undefined;
  finalAttempt: boolean;
  /** Epoch ms by which the AWS call, retries included, must be over. */
  deadline: number;
}

type StoredResult =
  | { status: 'SUCCEEDED'; response: unknown }
  | { status: 'FAILED'; error: ProvisioningErrorDetails };

const UNKNOWN_OPERATION = 'Unknown';

const describeCause = (cause: unknown): string | undefined =>
  cause instanceof Error
    ? `${cause.name}: ${cause.message}${cause.cause instanceof Error ? ` (${cause.cause.name}: ${cause.cause.message})` : ''}`
    : undefined;

/** Validate, execute once per clientToken, announce: the same steps for every channel. */
export const createPipeline = ({
  clients,
  publisher,
  idempotency,
  logger,
  retryPolicy = DEFAULT_RETRY_POLICY,
  guardrails = {},
}: PipelineDependencies): Pipeline => {
  // Errors whose FAILED outcome was already published inside the idempotent section.
  const announced = new WeakSet<ProvisioningError>();

  const announce = async (outcome: Outcome, subject: string | undefined): Promise<void> => {
    try {
      await publisher.publish(outcome, subject);
    } catch (error) {
      throw serviceUnavailableError('The outcome could not be published; retry later.', error);
    }
  };

  const outcomeOf = (
    job: Pick<Job, 'clientToken' | 'channel' | 'correlationId' | 'requestedBy'>,
    operation: string,
  ): Omit<Outcome, 'status'> => ({
    operation,
    clientToken: job.clientToken,
    ...(job.correlationId ? { correlationId: job.correlationId } : {}),
    channel: job.channel,
    ...(job.requestedBy ? { requestedBy: job.requestedBy } : {}),
  });

  /** The AWS call with backoff and jitter on throttles and transient failures, within budget. */
  const callAws = (operation: Operation, job: Job): Promise<unknown> =>
    withRetries((signal) => operation.execute(clients, job.request, job.clientToken, signal), {
      policy: retryPolicy,
      retryable: (error) => isRetryableAwsError(operation.service, error),
      deadline: job.deadline,
    });

  const executeAndAnnounce = async (operation: Operation, job: Job): Promise<StoredResult> => {
    let response: unknown;
    try {
      response = await callAws(operation, job);
    } catch (cause) {
      const failure = toProvisioningError(operation.service, cause);
      // A retryable failure the queue will redeliver is not an outcome yet.
      if (!failure.retryable || job.finalAttempt) {
        const error = failedOutcomeError(failure.toDetails());
        await announce(
          { ...outcomeOf(job, operation.name), status: 'FAILED', error },
          operation.subject(job.request),
        );
        announced.add(failure);
      }
      // Thrown failures leave no idempotency record, so a retry runs again.
      if (failure.retryable) throw failure;
      return { status: 'FAILED', error: failure.toDetails() };
    }
    await announce(
      { ...outcomeOf(job, operation.name), status: 'SUCCEEDED', response },
      operation.subject(job.request, response),
    );
    return { status: 'SUCCEEDED', response };
  };

  const executors = new Map(
    Object.values(operations).map((operation) => [
      operation.name,
      idempotency.wrap(operation.name, (job: Job) => executeAndAnnounce(operation, job)),
    ]),
  );

  const toFailure = (error: unknown): ProvisioningError => {
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

  const process = async (request: ProvisioningRequest): Promise<ProvisioningResult> => {
    if (request.rejection) {
      return reject(request, findOperation(request.operation), undefined, request.rejection);
    }
    // Request bodies may carry account details: only at debug level, as structured data.
    logger.debug('provisioning request body', { channel: request.channel, input: request.input });
    const admission = admit(request, guardrails);
    if (!admission.admitted) {
      return reject(request, admission.operation, admission.clientToken, admission.error);
    }
    const { operation, input } = admission;
    const clientToken = admission.clientToken ?? request.fallbackToken();
    const job: Job = {
      clientToken,
      request: input,
      channel: request.channel,
      correlationId: request.correlationId,
      requestedBy: request.requestedBy,
      finalAttempt: request.finalAttempt,
      deadline: Date.now() + (request.remainingTimeMs ?? DEFAULT_REMAINING_MS) - RESERVED_MS,
    };

    if (operation.kind === 'read' && request.channel === 'http') {
      try {
        const response = await callAws(operation, job);
        return { status: 'SUCCEEDED', operation, clientToken, response, replayed: false };
      } catch (cause) {
        const error = toProvisioningError(operation.service, cause);
        return { status: 'FAILED', operation, clientToken, error, replayed: false };
      }
    }

    const executor = executors.get(operation.name);
    if (!executor) throw new Error(`No executor for ${operation.name}`);
    try {
      const stored = await executor(job);
      const replayed = stored.replayed === true;
      return stored.status === 'SUCCEEDED'
        ? { status: 'SUCCEEDED', operation, clientToken, response: stored.response, replayed }
        : {
            status: 'FAILED',
            operation,
            clientToken,
            error: new ProvisioningError(stored.error),
            replayed,
          };
    } catch (thrown) {
      return reject(request, operation, clientToken, toFailure(thrown));
    }
  };

  /** A failure outside the idempotent section: the queue announces it unless it will redeliver. */
  const reject = async (
    request: ProvisioningRequest,
    operation: Operation | undefined,
    clientToken: string | undefined,
    error: ProvisioningError,
  ): Promise<ProvisioningResult> => {
    const willRedeliver = error.retryable && !request.finalAttempt;
    const inFlightElsewhere = error.code === 'IdempotencyInProgressException';
    if (
      request.channel === 'sqs' &&
      !announced.has(error) &&
      !willRedeliver &&
      !inFlightElsewhere
    ) {
      const job = {
        clientToken: clientToken ?? request.fallbackToken(),
        channel: request.channel,
        correlationId: request.correlationId,
        requestedBy: request.requestedBy,
      };
      const name =
        operation?.name ?? (typeof request.operation === 'string' ? request.operation : '');
      await announce(
        {
          ...outcomeOf(job, name || UNKNOWN_OPERATION),
          status: 'FAILED',
          error: failedOutcomeError(error.toDetails()),
        },
        undefined,
      );
    }
    return { status: 'FAILED', operation, clientToken, error, replayed: false };
  };

  return {
    async run(request) {
      const started = performance.now();
      const result = await process(request).catch((error: unknown): ProvisioningResult => {
        // Only an outcome that could not be published lands here; the queue redelivers it.
        if (!(error instanceof ProvisioningError)) throw error;
        const operation = findOperation(request.operation);
        return { status: 'FAILED', operation, clientToken: undefined, error, replayed: false };
      });
      const failed = result.status === 'FAILED';
      logger[failed && result.error.status >= 500 ? 'warn' : 'info']('provisioning request', {
        operation: result.operation?.name ?? UNKNOWN_OPERATION,
        clientToken: result.clientToken,
        channel: request.channel,
        correlationId: request.correlationId,
        requestedBy: request.requestedBy,
        outcome: result.status,
        replayed: result.replayed,
        ...(failed ? { errorCode: result.error.code, httpStatus: result.error.status } : {}),
        // For operators: what a 5xx came from (never shown to callers).
        ...(failed && result.error.status >= 500
          ? { cause: describeCause(result.error.cause) }
          : {}),
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      });
      return result;
    },
  };
};
