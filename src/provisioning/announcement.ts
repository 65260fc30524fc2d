import type { Channel } from '../basics/channel.js';
import {
  idempotencyInProgressError,
  outcomeUnknownError,
  type ProvisioningError,
  serviceUnavailableError,
} from '../basics/errors.js';
import type { LedgerEntry, LedgerOutcome, RequestLedger } from '../ledger/record.js';
import {
  DEFAULT_WATCH_TIMING,
  startWatch,
  type WatchTarget,
  type WatchTiming,
} from '../ledger/watch.js';
import { failedOutcomeError, type Outcome, outcomeId } from '../outcomes/outcome.js';

/** The caller's side of an outcome: who asked, how, under which token. */
export interface Asker {
  clientToken: string;
  channel: Channel;
  correlationId: string | undefined;
  requestedBy: string | undefined;
}

const IN_PROGRESS_CODE = idempotencyInProgressError().code;
const OUTCOME_UNKNOWN_CODE = outcomeUnknownError(undefined).code;

/** Where a failure arose: in the AWS call itself, or around it (refused, token, dependency). */
export type FailureOrigin = 'aws' | 'rejection';

/**
 * The one rule for "is this failure announced now". Not when the channel will redeliver it (the
 * outcome comes with a later attempt); not when another attempt holds the token (that attempt
 * announces); not when what AWS did is not known yet (a retry with the same token finds out);
 * and a rejection only where the channel announces rejections.
 */
export const announcesNow = (
  error: ProvisioningError,
  request: { finalAttempt: boolean; announcesRejections?: boolean },
  origin: FailureOrigin,
): boolean => {
  if (error.retryable && !request.finalAttempt) return false;
  if (error.code === IN_PROGRESS_CODE) return false;
  // What AWS did is not known: a later attempt with the same token finds out and announces it.
  if (error.code === OUTCOME_UNKNOWN_CODE) return false;
  return origin === 'aws' || request.announcesRejections === true;
};

export interface Announcer {
  /** Records that the request is being carried out. */
  begin(asker: Asker, operation: string): Promise<void>;
  /** A success; with `follow`, the resource is followed through until usable (a watch begins). */
  succeeded(
    asker: Asker,
    operation: string,
    response: unknown,
    subject?: string,
    follow?: WatchTarget,
  ): Promise<void>;
  failed(
    asker: Asker,
    operation: string,
    error: ProvisioningError,
    subject?: string,
  ): Promise<void>;
  /** A request refused before or instead of its AWS call: announced, settling nothing else. */
  refused(asker: Asker, operation: string, error: ProvisioningError): Promise<void>;
}

const entryOf = (asker: Asker, operation: string): LedgerEntry => ({
  operation,
  clientToken: asker.clientToken,
  channel: asker.channel,
  correlationId: asker.correlationId,
  requestedBy: asker.requestedBy,
});

const outcomeOf = (asker: Asker, operation: string): Omit<Outcome, 'status'> => ({
  operation,
  clientToken: asker.clientToken,
  ...(asker.correlationId ? { correlationId: asker.correlationId } : {}),
  channel: asker.channel,
  ...(asker.requestedBy ? { requestedBy: asker.requestedBy } : {}),
});

/**
 * Announces through the request ledger: each outcome is committed with the request's state, and
 * the outbox publishes it from there. A ledger that cannot be written is a 503 the caller or the
 * queue retries; nothing is announced that was not committed.
 */
/** Who asked, and how: travels with each outcome, since a refusal may come from another. */
const askerOf = (outcome: Outcome) => ({
  channel: outcome.channel,
  ...(outcome.correlationId ? { correlationId: outcome.correlationId } : {}),
  ...(outcome.requestedBy ? { requestedBy: outcome.requestedBy } : {}),
});

export const createAnnouncer = (
  ledger: RequestLedger,
  watchTiming: WatchTiming = DEFAULT_WATCH_TIMING,
  now = () => new Date(),
): Announcer => {
  const write = async (work: Promise<void>): Promise<void> => {
    try {
      await work;
    } catch (error) {
      throw serviceUnavailableError('The request ledger is unavailable; retry later.', error);
    }
  };
  const announced = (outcome: Outcome, subject: string | undefined): LedgerOutcome => ({
    id: outcomeId(outcome),
    status: outcome.status,
    ...askerOf(outcome),
    time: now().toISOString(),
    ...(subject ? { subject } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  });
  /** The FAILED outcome of `error`, and the error as the caller was answered. */
  const failure = (asker: Asker, operation: string, error: ProvisioningError, subject?: string) => {
    const details = error.toDetails();
    const outcome: Outcome = {
      ...outcomeOf(asker, operation),
      status: 'FAILED',
      error: failedOutcomeError(details),
    };
    return { error: details, outcome: announced(outcome, subject) };
  };
  return {
    begin: (asker, operation) => write(ledger.begin(entryOf(asker, operation))),
    succeeded: (asker, operation, response, subject, follow) =>
      write(
        ledger.settle(entryOf(asker, operation), {
          status: 'SUCCEEDED',
          response,
          outcome: announced({ ...outcomeOf(asker, operation), status: 'SUCCEEDED' }, subject),
          ...(follow ? { watch: startWatch(follow, watchTiming, now()) } : {}),
        }),
      ),
    failed: (asker, operation, error, subject) =>
      write(
        ledger.settle(entryOf(asker, operation), {
          status: 'FAILED',
          ...failure(asker, operation, error, subject),
        }),
      ),
    refused: (asker, operation, error) =>
      write(ledger.refuse(entryOf(asker, operation), failure(asker, operation, error))),
  };
};
