import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { pollQueue, type QueuePoller } from './pollQueue.js';

export interface QueueTriggerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  /** Invokes the queue function with an SQS event; resolves to its response. */
  invoke(event: SQSEvent): Promise<SQSBatchResponse>;
  onError(error: unknown): void;
}

const toRecord = (message: Message, queueArn: string, region: string): SQSRecord => ({
  messageId: message.MessageId ?? '',
  receiptHandle: message.ReceiptHandle ?? '',
  body: message.Body ?? '',
  attributes: {
    ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
    SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
    SenderId: message.Attributes?.SenderId ?? 'local',
    ApproximateFirstReceiveTimestamp:
      message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
  },
  messageAttributes: Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      {
        dataType: value.DataType ?? 'String',
        ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
        ...(value.BinaryValue === undefined
          ? {}
          : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      },
    ]),
  ),
  md5OfBody: message.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: region,
});

/**
 * Lambda's SQS event source mapping, locally: batches of up to 10 invoke the function, and only
 * what it did not report as failed is deleted. Failed records reappear after the visibility
 * timeout with a higher receive count, and maxReceiveCount moves them to the DLQ. A failed
 * invocation deletes nothing: the whole batch comes back, as in AWS.
 */
export const startQueueTrigger = ({
  sqs,
  queueUrl,
  queueArn,
  region,
  invoke,
  onError,
}: QueueTriggerOptions): QueuePoller =>
  pollQueue({
    sqs,
    queueUrl,
    onError,
    async handle(messages) {
      const response = await invoke({
        Records: messages.map((m) => toRecord(m, queueArn, region)),
      });
      const failed = new Set((response.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      return messages.filter((m) => !failed.has(m.MessageId ?? ''));
    },
  });
