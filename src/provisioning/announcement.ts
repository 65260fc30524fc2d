import type { Outcome } from '../outcomes/outcome.js';
import { failedOutcomeError } from '../outcomes/outcome.js';
import type { OutcomePublisher } from '../outcomes/publisher.js';
import type { Channel } from '../shared/channel.js';
import {
  idempotencyInProgressError,
  type ProvisioningError,
  serviceUnavailableError,
} from '../shared/errors.js';

/** The caller's side of an outcome: who asked, how, under which token. */
export interface Asker {
  clientToken: string;
  channel: Channel;
  correlationId: string | undefined;
  requestedBy: string | undefined;
}

const IN_PROGRESS_CODE = idempotencyInProgressError().code;

/** Where a failure arose: in the AWS call itself, or around it (refused, token, dependency). */
export type FailureOrigin = 'aws' | 'rejection';

/**
 * The one rule for "is this failure announced now". Not when the channel will redeliver it (the
 * outcome comes with a later attempt); not when another attempt holds the token (that attempt
 * announces); and a rejection only where the channel announces rejections.
 */
export const announcesNow = (
  error: ProvisioningError,
  request: { finalAttempt: boolean; announcesRejections?: boolean },
  origin: FailureOrigin,
): boolean => {
  if (error.retryable && !request.finalAttempt) return false;
  if (error.code === IN_PROGRESS_CODE) return false;
  return origin === 'aws' || request.announcesRejections === true;
};

export interface Announcer {
  succeeded(asker: Asker, operation: string, response: unknown, subject?: string): Promise<void>;
  failed(
    asker: Asker,
    operation: string,
    error: ProvisioningError,
    subject?: string,
  ): Promise<void>;
}

const outcomeOf = (asker: Asker, operation: string): Omit<Outcome, 'status'> => ({
  operation,
  clientToken: asker.clientToken,
  ...(asker.correlationId ? { correlationId: asker.correlationId } : {}),
  channel: asker.channel,
  ...(asker.requestedBy ? { requestedBy: asker.requestedBy } : {}),
});

/** Publishes outcomes; a publish that fails is a 503 the caller or the queue retries. */
export const createAnnouncer = (publisher: OutcomePublisher): Announcer => {
  const publish = async (outcome: Outcome, subject: string | undefined): Promise<void> => {
    try {
      await publisher.publish(outcome, subject);
    } catch (error) {
      throw serviceUnavailableError('The outcome could not be published; retry later.', error);
    }
  };
  return {
    succeeded: (asker, operation, response, subject) =>
      publish({ ...outcomeOf(asker, operation), status: 'SUCCEEDED', response }, subject),
    failed: (asker, operation, error, subject) =>
      publish(
        {
          ...outcomeOf(asker, operation),
          status: 'FAILED',
          error: failedOutcomeError(error.toDetails()),
        },
        subject,
      ),
  };
};
