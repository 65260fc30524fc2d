import type { Logger } from '@aws-lambda-powertools/logger';
import { ProvisioningError } from '../basics/errors.js';
import type { ServiceMetrics } from '../basics/metrics.js';
import type { Guardrails } from '../guardrails/evaluate.js';
import type { RequestLedger } from '../ledger/record.js';
import type { WatchTiming } from '../ledger/watch.js';
import {
  type AnyOperation,
  type AwsClients,
  DEFAULT_OWNERSHIP,
  findOperation,
  type Ownership,
} from '../operations/index.js';
import { type Admission, admit } from './admission.js';
import { type Announcer, type Asker, announcesNow, createAnnouncer } from './announcement.js';
import { createExecutor, type Executor, type Job } from './execution.js';
import type { IdempotencyStore } from './idempotency.js';
import { reportResult, UNKNOWN_OPERATION } from './report.js';
import type { ProvisioningRequest, ProvisioningResult } from './request.js';
import { recordRequest } from './requestMetrics.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';

export type { ProvisioningRequest, ProvisioningResult } from './request.js';

export interface Pipeline {
  run(request: ProvisioningRequest): Promise<ProvisioningResult>;
}

export interface PipelineDependencies {
  clients: AwsClients;
  /** Whose resources the service may change: the stage's ownership tag and adoptable list. */
  ownership?: Ownership;
  /** Where requests are committed, with the outcomes they announce. */
  ledger: RequestLedger;
  idempotency: IdempotencyStore;
  logger: Logger;
  /** Requests by result, AWS calls, throttles and retries, replays and mismatches. */
  metrics: ServiceMetrics;
  retryPolicy?: RetryPolicy;
  /** The stage's guardrails. */
  guardrails: Guardrails;
  /** How long, and how often, a created resource is followed until usable. */
  watchTiming?: WatchTiming;
}

/** Time kept back from AWS retries for publishing the outcome and storing the result. */
const RESERVED_MS = 2_000;

const askerOf = (request: ProvisioningRequest, clientToken: string): Asker => ({
  clientToken,
  channel: request.channel,
  correlationId: request.correlationId,
  requestedBy: request.requestedBy,
});

const jobOf = (request: ProvisioningRequest, clientToken: string, input: unknown): Job => ({
  ...askerOf(request, clientToken),
  request: input,
  finalAttempt: request.finalAttempt,
  deadline: Date.now() + request.remainingTimeMs - RESERVED_MS,
  firstSentAt: request.firstSentAt,
  inputPointer: request.inputPointer,
});

/**
 * The name an outcome gives the operation: ours, else Unknown. Never what the sender wrote: it
 * becomes an SNS message attribute, which an unbounded or malformed string would break.
 */
const operationNameOf = (operation: AnyOperation | undefined) =>
  operation?.name ?? UNKNOWN_OPERATION;

/** A request's result, and whether the service refused it (rather than AWS answering it). */
interface Handled {
  result: ProvisioningResult;
  refused: boolean;
}

/** A request the service did not carry out: answered, and announced if the rule says so. */
const refuse = async (
  announcer: Announcer,
  request: ProvisioningRequest,
  { operation, clientToken, error }: Refusal,
): Promise<Handled> => {
  if (announcesNow(error, request, 'rejection')) {
    const asker = askerOf(request, clientToken ?? request.fallbackToken());
    await announcer.refused(asker, operationNameOf(operation), error);
  }
  return {
    result: { status: 'FAILED', operation, clientToken, error, replayed: false },
    refused: true,
  };
};

interface Refusal {
  operation: AnyOperation | undefined;
  clientToken: string | undefined;
  error: ProvisioningError;
}

/** An admitted request: executed once (or, for a direct read, simply), or refused. */
const carryOut = async (
  { executor, announcer }: { executor: Executor; announcer: Announcer },
  request: ProvisioningRequest,
  { operation, input, clientToken: given }: Admission & { admitted: true },
): Promise<Handled> => {
  const clientToken = given ?? request.fallbackToken();
  const job = jobOf(request, clientToken, input);
  const direct = operation.kind === 'read' && !request.idempotentReads;
  try {
    const execution = await (direct ? executor.direct : executor.once)(operation, job);
    return { result: { ...execution, operation, clientToken }, refused: false };
  } catch (error) {
    if (!(error instanceof ProvisioningError)) throw error;
    return refuse(announcer, request, { operation, clientToken, error });
  }
};

/**
 * Admit, execute once per clientToken, announce, report: the same steps for every channel. What
 * differs between channels comes as data on the request.
 */
export const createPipeline = ({
  clients,
  ownership = DEFAULT_OWNERSHIP,
  ledger,
  idempotency,
  logger,
  metrics,
  retryPolicy = DEFAULT_RETRY_POLICY,
  guardrails,
  watchTiming,
}: PipelineDependencies): Pipeline => {
  const announcer = createAnnouncer(ledger, watchTiming);
  const executor = createExecutor({
    clients,
    ownership,
    idempotency,
    announcer,
    retryPolicy,
    metrics,
  });

  const handle = async (request: ProvisioningRequest): Promise<Handled> => {
    if (request.rejection) {
      const operation = findOperation(request.operation);
      return refuse(announcer, request, {
        operation,
        clientToken: undefined,
        error: request.rejection,
      });
    }
    // Request bodies may carry account details: only at debug level, as structured data.
    logger.debug('provisioning request body', { channel: request.channel, input: request.input });
    const admission = admit(request, guardrails);
    if (!admission.admitted) return refuse(announcer, request, admission);
    return carryOut({ executor, announcer }, request, admission);
  };

  return {
    async run(request) {
      const started = performance.now();
      const handled = await handle(request).catch((error: unknown): Handled => {
        // Only a ledger that could not be written lands here; the caller or the queue retries.
        if (!(error instanceof ProvisioningError)) throw error;
        const operation = findOperation(request.operation);
        const result: ProvisioningResult = {
          status: 'FAILED',
          operation,
          clientToken: undefined,
          error,
          replayed: false,
        };
        return { result, refused: true };
      });
      const { result } = handled;
      reportResult(logger, request, result, performance.now() - started);
      recordRequest(metrics, request, result, handled.refused);
      return result;
    },
  };
};
