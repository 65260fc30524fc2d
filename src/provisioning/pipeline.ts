import type { Logger } from '@aws-lambda-powertools/logger';
import { ProvisioningError } from '../basics/errors.js';
import type { Guardrails } from '../guardrails/evaluate.js';
import type { RequestLedger } from '../ledger/record.js';
import type { WatchTiming } from '../ledger/watch.js';
import { type AnyOperation, type AwsClients, findOperation } from '../operations/index.js';
import { type Admission, admit } from './admission.js';
import { type Announcer, type Asker, announcesNow, createAnnouncer } from './announcement.js';
import { createExecutor, type Executor, type Job } from './execution.js';
import type { IdempotencyStore } from './idempotency.js';
import { reportResult, UNKNOWN_OPERATION } from './report.js';
import type { ProvisioningRequest, ProvisioningResult } from './request.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';

export type { ProvisioningRequest, ProvisioningResult } from './request.js';

export interface Pipeline {
  run(request: ProvisioningRequest): Promise<ProvisioningResult>;
}

export interface PipelineDependencies {
  clients: AwsClients;
  /** Where requests are committed, with the outcomes they announce. */
  ledger: RequestLedger;
  idempotency: IdempotencyStore;
  logger: Logger;
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
});

/**
 * The name an outcome gives the operation: ours, else Unknown. Never what the sender wrote: it
 * becomes an SNS message attribute, which an unbounded or malformed string would break.
 */
const operationNameOf = (operation: AnyOperation | undefined) =>
  operation?.name ?? UNKNOWN_OPERATION;

/** A request the service did not carry out: answered, and announced if the rule says so. */
const refuse = async (
  announcer: Announcer,
  request: ProvisioningRequest,
  { operation, clientToken, error }: Refusal,
): Promise<ProvisioningResult> => {
  if (announcesNow(error, request, 'rejection')) {
    const asker = askerOf(request, clientToken ?? request.fallbackToken());
    await announcer.refused(asker, operationNameOf(operation), error);
  }
  return { status: 'FAILED', operation, clientToken, error, replayed: false };
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
): Promise<ProvisioningResult> => {
  const clientToken = given ?? request.fallbackToken();
  const job = jobOf(request, clientToken, input);
  const direct = operation.kind === 'read' && !request.idempotentReads;
  try {
    const execution = await (direct ? executor.direct : executor.once)(operation, job);
    return { ...execution, operation, clientToken };
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
  ledger,
  idempotency,
  logger,
  retryPolicy = DEFAULT_RETRY_POLICY,
  guardrails,
  watchTiming,
}: PipelineDependencies): Pipeline => {
  const announcer = createAnnouncer(ledger, watchTiming);
  const executor = createExecutor({ clients, idempotency, announcer, retryPolicy });

  const handle = async (request: ProvisioningRequest): Promise<ProvisioningResult> => {
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
      const result = await handle(request).catch((error: unknown): ProvisioningResult => {
        // Only a ledger that could not be written lands here; the caller or the queue retries.
        if (!(error instanceof ProvisioningError)) throw error;
        const operation = findOperation(request.operation);
        return { status: 'FAILED', operation, clientToken: undefined, error, replayed: false };
      });
      reportResult(logger, request, result, performance.now() - started);
      return result;
    },
  };
};
