import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { IdempotencyStore } from '../provisioning/idempotency.js';

export interface EntryDependencies {
  logger: Logger;
  /** For entries whose requests run once per token. */
  idempotency?: IdempotencyStore;
}

/**
 * What every entry does before its own work: the logger learns the invocation (request id, cold
 * start), and in-progress idempotency records are bounded by the invocation's remaining time.
 */
export const lambdaEntry = <Event, Result>({ logger, idempotency }: EntryDependencies) =>
  middy<Event, Result, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .before(({ context }) => {
      idempotency?.registerLambdaContext(context);
    });

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
