import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { FlushableMetrics } from '../basics/metrics.js';
import type { IdempotencyStore } from '../provisioning/idempotency.js';

export interface EntryDependencies {
  logger: Logger;
  /** For entries whose requests run once per token. */
  idempotency?: IdempotencyStore;
  /** For entries that record metrics: emitted once the invocation is over. */
  metrics?: FlushableMetrics;
}

/**
 * What every entry does around its own work: the logger learns the invocation (request id, cold
 * start), in-progress idempotency records are bounded by the invocation's remaining time, and the
 * metrics it recorded are emitted when it ends, however it ends. (What a request abandoned at
 * the deadline records later leaves with the next invocation's.)
 */
export const lambdaEntry = <Event, Result>({ logger, idempotency, metrics }: EntryDependencies) => {
  const flush = () => metrics?.flush();
  return middy<Event, Result, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({ after: flush, onError: flush })
    .before(({ context }) => {
      idempotency?.registerLambdaContext(context);
    });
};

/**
 * An SQS entry with partial batch responses: each record on its own, and only the records whose
 * `processRecord` rejects are reported back for SQS to deliver again.
 */
export const sqsBatchEntry = (
  entry: EntryDependencies,
  processRecord: (record: SQSRecord, context: Context) => Promise<void>,
) =>
  lambdaEntry<SQSEvent, SQSBatchResponse>(entry).handler(async (event, context) =>
    // A processor keeps per-batch state: one per invocation.
    processPartialResponse(
      event,
      (record: SQSRecord) => processRecord(record, context),
      new BatchProcessor(EventType.SQS),
      { context, throwOnFullBatchFailure: false },
    ),
  );
