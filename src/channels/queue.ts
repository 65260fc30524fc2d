import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { idempotencyInProgressError } from '../basics/errors.js';
import type { Pipeline } from '../provisioning/pipeline.js';
import { runInTime } from './deadline.js';
import type { MessageDelay } from './messageDelay.js';
import { type EntryDependencies, lambdaEntry } from './middleware.js';
import { toProvisioningRequest } from './queueMessage.js';
import type { ChannelSettings } from './settings.js';

interface QueueChannelDependencies extends EntryDependencies {
  pipeline: Pipeline;
  config: Pick<ChannelSettings, 'queueMaxReceiveCount' | 'maxRequestBytes'>;
  /** Holds back a message whose token another attempt still holds. */
  messageDelay: MessageDelay;
}

const IN_PROGRESS = idempotencyInProgressError().code;

/**
 * How long a message waits for the attempt holding its token, at least: a lock lasts no longer
 * than the invocation that holds it, at most the queue function's timeout (`custom.queue`).
 * Powertools does not always say when the lock runs out.
 */
const LOCK_WAIT_SECONDS = 30;

const NOT_FINISHED_IN_TIME =
  'The message was not finished within the invocation; SQS delivers it again.';

/**
 * SQS entry: records run concurrently, each on its own. Only retryable failures are reported
 * back, so SQS redelivers exactly those; everything else is done (and announced) once. A message
 * whose token another attempt holds waits out that attempt's lock instead of using up receives.
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
    const { code, retryAfterSeconds } = result.error;
    if (code === IN_PROGRESS && retryAfterSeconds !== undefined) {
      const wait = Math.max(retryAfterSeconds, LOCK_WAIT_SECONDS);
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
  return lambdaEntry<SQSEvent, SQSBatchResponse>(entry).handler(async (event, context) =>
    // A processor keeps per-batch state: one per invocation.
    processPartialResponse(
      event,
      (record: SQSRecord) => processRecord(record, context),
      new BatchProcessor(EventType.SQS),
      { context, throwOnFullBatchFailure: false },
    ),
  );
};
