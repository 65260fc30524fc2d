import { randomUUID } from 'node:crypto';
import type { ArrivedRecord } from './streamRecord.js';

/** Why the event source mapping gave a batch up. */
export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** What the last invocation of the batch answered (Lambda's Invoke API). */
export interface InvocationResponse {
  statusCode: number;
  /** `Unhandled` when the function failed; absent when it answered (e.g. partial failures). */
  functionError?: string;
}

/**
 * The message Lambda sends to a DynamoDB stream event source mapping's on-failure destination
 * (SQS or SNS) when it discards a batch: where the records are in the stream, not the records.
 */
export interface StreamFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: FailureCondition;
    approximateInvokeCount: number;
  };
  responseContext: InvocationResponse & { executedVersion: string };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

export interface DiscardedBatch {
  /** The discarded records, in stream order (at least one). */
  records: readonly ArrivedRecord[];
  functionArn: string;
  condition: FailureCondition;
  /** How often the batch was invoked (0: it expired before an invocation). */
  approximateInvokeCount: number;
  /** What its last invocation answered; none if it was not invoked. */
  lastResponse: InvocationResponse | undefined;
  now: number;
}

/** Epoch seconds as Lambda writes arrival times: ISO 8601, to the second. */
const arrival = (epochSeconds: number): string =>
  new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export const streamFailureRecord = ({
  records,
  functionArn,
  condition,
  approximateInvokeCount,
  lastResponse,
  now,
}: DiscardedBatch): StreamFailureRecord => {
  const first = records[0];
  const last = records.at(-1);
  if (!first || !last) throw new Error('A discarded batch has at least one record');
  return {
    requestContext: { requestId: randomUUID(), functionArn, condition, approximateInvokeCount },
    responseContext: { ...(lastResponse ?? { statusCode: 200 }), executedVersion: '$LATEST' },
    version: '1.0',
    timestamp: new Date(now).toISOString(),
    DDBStreamBatchInfo: {
      shardId: first.shardId,
      startSequenceNumber: first.record.dynamodb.SequenceNumber,
      endSequenceNumber: last.record.dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord: arrival(first.record.dynamodb.ApproximateCreationDateTime),
      approximateArrivalOfLastRecord: arrival(last.record.dynamodb.ApproximateCreationDateTime),
      batchSize: records.length,
      streamArn: first.record.eventSourceARN,
    },
  };
};
