import type { Context, SQSRecord } from 'aws-lambda';
import { idempotencyInProgressError, type ProvisioningError } from '../basics/errors.js';
import { IAM_PROPAGATION_PENDING } from '../provisioning/awsErrors.js';
import type { Pipeline } from '../provisioning/pipeline.js';
import { runInTime } from './deadline.js';
import type { MessageDelay } from './messageDelay.js';
import { type EntryDependencies, sqsBatchEntry } from './middleware.js';
import { receiveCountOf, toProvisioningRequest } from './queueMessage.js';
import type { ChannelSettings } from './settings.js';

interface QueueChannelDependencies extends EntryDependencies {
  pipeline: Pipeline;
  config: Pick<ChannelSettings, 'queueMaxReceiveCount' | 'maxRequestBytes'>;
  /**
   * Holds back a message whose token another attempt still holds, or whose IAM role or instance
   * profile AWS cannot see yet.
   */
  messageDelay: MessageDelay;
}

const IN_PROGRESS = idempotencyInProgressError().code;

/**
 * How long a message waits for the attempt holding its token, at least: a lock lasts no longer
 * than the invocation that holds it, at most the queue function's timeout (`custom.queue`).
 * Powertools does not always say when the lock runs out.
 */
const LOCK_WAIT_SECONDS = 30;

/** The shortest hold-back while IAM changes propagate: no use asking AWS again sooner. */
const MIN_PROPAGATION_WAIT_SECONDS = 5;
/** SQS's longest visibility timeout (ChangeMessageVisibility `VisibilityTimeout`: 0-43,200 s). */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * How long a message waits for IAM changes to propagate: what is left of the window, spread over
 * the receives left, so that the last receive comes once the window has passed (at least 5 s).
 */
export const propagationWaitSeconds = (
  windowLeftSeconds: number,
  receiveCount: number,
  maxReceiveCount: number,
): number => {
  const receivesLeft = maxReceiveCount - receiveCount;
  const spread = Math.ceil(windowLeftSeconds / (receivesLeft >= 1 ? receivesLeft : 1));
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(MIN_PROPAGATION_WAIT_SECONDS, spread));
};

/** Seconds to hold a failed message back; undefined: the queue's own visibility timeout. */
const holdBackSeconds = (
  { code, retryAfterSeconds }: ProvisioningError,
  record: SQSRecord,
  maxReceiveCount: number,
): number | undefined => {
  if (retryAfterSeconds === undefined) return undefined;
  if (code === IN_PROGRESS) return Math.max(retryAfterSeconds, LOCK_WAIT_SECONDS);
  if (code !== IAM_PROPAGATION_PENDING) return undefined;
  return propagationWaitSeconds(retryAfterSeconds, receiveCountOf(record), maxReceiveCount);
};

const NOT_FINISHED_IN_TIME =
  'The message was not finished within the invocation; SQS delivers it again.';

/**
 * SQS entry: records run concurrently, each on its own. Only retryable failures are reported
 * back, so SQS redelivers exactly those; everything else is done (and announced) once. A message
 * whose token another attempt holds waits out that attempt's lock instead of using up receives;
 * one whose IAM role AWS cannot see yet waits out its share of the propagation window.
 */
export const createQueueHandler = ({
  pipeline,
  config,
  messageDelay,
  ...entry
}: QueueChannelDependencies) => {
  const processRecord = async (record: SQSRecord, context: Context): Promise<void> => {
    const remainingTimeMs = context.getRemainingTimeInMillis();
    const request = toProvisioningRequest(record, config, remainingTimeMs);
    const result = await runInTime(pipeline, request, NOT_FINISHED_IN_TIME);
    if (result.status !== 'FAILED' || !result.error.retryable) return;
    const wait = holdBackSeconds(result.error, record, config.queueMaxReceiveCount);
    if (wait !== undefined) {
      await messageDelay.delay(record, wait).catch((error: unknown) => {
        // Best effort: without it the message comes back after the queue's visibility timeout.
        entry.logger.warn('could not hold the message back', {
          messageId: record.messageId,
          error,
        });
      });
    }
    throw result.error;
  };
  return sqsBatchEntry(entry, processRecord);
};
