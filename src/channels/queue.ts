import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Config } from '../config.js';
import type { IdempotencyStore } from '../provisioning/idempotency.js';
import type { Pipeline } from '../provisioning/pipeline.js';
import { toProvisioningRequest } from './queueMessage.js';

export interface QueueChannelDependencies {
  pipeline: Pipeline;
  logger: Logger;
  idempotency: IdempotencyStore;
  config: Pick<Config, 'queueMaxReceiveCount' | 'maxRequestBytes'>;
}

/**
 * SQS entry: records run concurrently, each on its own. Only retryable failures are reported
 * back, so SQS redelivers exactly those; everything else is done (and announced) once.
 */
export const createQueueHandler = ({
  pipeline,
  logger,
  idempotency,
  config,
}: QueueChannelDependencies) => {
  const processRecord = async (record: SQSRecord, context: Context): Promise<void> => {
    const result = await pipeline.run({
      ...toProvisioningRequest(record, config),
      remainingTimeMs: context.getRemainingTimeInMillis(),
    });
    if (result.status === 'FAILED' && result.error.retryable) throw result.error;
  };
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event, context) => {
      idempotency.registerLambdaContext(context);
      // A processor keeps per-batch state: one per invocation.
      const processor = new BatchProcessor(EventType.SQS);
      return processPartialResponse(
        event,
        (record: SQSRecord) => processRecord(record, context),
        processor,
        {
          context,
          throwOnFullBatchFailure: false,
        },
      );
    });
};
