import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Pipeline } from '../provisioning/pipeline.js';
import { type EntryDependencies, lambdaEntry } from './middleware.js';
import { toProvisioningRequest } from './queueMessage.js';
import type { ChannelSettings } from './settings.js';

interface QueueChannelDependencies extends EntryDependencies {
  pipeline: Pipeline;
  config: Pick<ChannelSettings, 'queueMaxReceiveCount' | 'maxRequestBytes'>;
}

/**
 * SQS entry: records run concurrently, each on its own. Only retryable failures are reported
 * back, so SQS redelivers exactly those; everything else is done (and announced) once.
 */
export const createQueueHandler = ({ pipeline, config, ...entry }: QueueChannelDependencies) => {
  const processRecord = async (record: SQSRecord, context: Context): Promise<void> => {
    const request = toProvisioningRequest(record, config, context.getRemainingTimeInMillis());
    const result = await pipeline.run(request);
    if (result.status === 'FAILED' && result.error.retryable) throw result.error;
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
