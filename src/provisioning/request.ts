import type { Channel } from '../basics/channel.js';
import type { ProvisioningError } from '../basics/errors.js';
import type { FieldError } from '../basics/fieldError.js';
import type { AnyOperation } from '../operations/index.js';
import type { TokenCandidate } from './clientToken.js';

/**
 * One request as any channel hands it over: the AWS request, what came around it, and how the
 * channel wants it treated. What differs between channels travels here as data, so the pipeline
 * never asks which channel it serves.
 */
export interface ProvisioningRequest {
  /** Named in outcomes and logs only. */
  channel: Channel;
  operation: unknown;
  /** The AWS request shape as the caller sent it. */
  input: unknown;
  /** JSON Pointer of `input` within what the caller sent ('' for an HTTP body). */
  inputPointer: string;
  /** A token given beside the request (Idempotency-Key header, message `clientToken`). */
  clientToken?: TokenCandidate;
  /** The token to use when the caller gave none. */
  fallbackToken: () => string;
  correlationId?: string;
  /** Who sent it: the IAM principal or JWT subject (HTTP), the SQS sender id (queue). */
  requestedBy?: string;
  /** False while the channel will still redeliver a retryable failure. */
  finalAttempt: boolean;
  /**
   * Whether a request the service did not carry out (refused, in conflict with its token, or
   * stopped by an unavailable dependency) is announced as an outcome too. A channel with a caller
   * waiting for the answer (HTTP) leaves it to that answer.
   */
  announcesRejections: boolean;
  /**
   * Whether reads run once per token and announce like writes (a redelivered message is then read
   * once), or call AWS directly and only answer.
   */
  idempotentReads: boolean;
  /** Problems the channel found before the pipeline (unparseable body, unknown envelope fields). */
  errors?: FieldError[];
  /**
   * The channel found no request it could read (no body, not JSON): `errors` say why, and there
   * is nothing for the schema to check.
   */
  inputUnreadable?: true;
  /** A request the channel refused outright (too large): rejected, and announced if the channel says so. */
  rejection?: ProvisioningError;
  /** What is left of the invocation's time: AWS retries must end well within it. */
  remainingTimeMs: number;
  /**
   * When the caller first sent the request, epoch ms: its arrival over HTTP, the message's sending
   * on the queue (the same on every redelivery). AWS's IAM propagation errors are retried for a
   * window counted from here; absent, from when the request is carried out.
   */
  firstSentAt?: number;
}

export type ProvisioningResult =
  | {
      status: 'SUCCEEDED';
      operation: AnyOperation;
      clientToken: string;
      response: unknown;
      replayed: boolean;
    }
  | {
      status: 'FAILED';
      operation: AnyOperation | undefined;
      clientToken: string | undefined;
      error: ProvisioningError;
      replayed: boolean;
    };
