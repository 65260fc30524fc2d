import type { Operation } from '../operations/index.js';
import type { Channel } from '../outcomes/outcome.js';
import type { TokenCandidate } from './clientToken.js';
import type { ProvisioningError } from './errors.js';
import type { FieldError } from './validation.js';

/** One request as any channel hands it over: the AWS request plus what came around it. */
export interface ProvisioningRequest {
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
  /** False while the queue will still redeliver a retryable failure. */
  finalAttempt: boolean;
  /** Problems the channel found before the pipeline (unparseable body, unknown envelope fields). */
  errors?: FieldError[];
  /** A request the channel refused outright (too large): rejected and, on the queue, announced. */
  rejection?: ProvisioningError;
  /** What is left of the invocation's time: AWS retries must end well within it. */
  remainingTimeMs?: number;
}

export type ProvisioningResult =
  | {
      status: 'SUCCEEDED';
      operation: Operation;
      clientToken: string;
      response: unknown;
      replayed: boolean;
    }
  | {
      status: 'FAILED';
      operation: Operation | undefined;
      clientToken: string | undefined;
      error: ProvisioningError;
      replayed: boolean;
    };
