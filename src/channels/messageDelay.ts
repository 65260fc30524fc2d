import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** Holds a queue message back before SQS delivers it again. */
export interface MessageDelay {
  delay(record: SQSRecord, seconds: number): Promise<void>;
}

/** A queue's URL from its ARN (arn:partition:sqs:region:account:name). */
const queueUrlOf = (queueArn: string): string => {
  const [, , , region = '', account = '', name = ''] = queueArn.split(':');
  return `https://sqs.${region}.amazonaws.com/${account}/${name}`;
};

/** With SQS's ChangeMessageVisibility: the message stays invisible for `seconds` from now. */
export const createSqsMessageDelay = (sqs: SQSClient): MessageDelay => ({
  async delay(record, seconds) {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrlOf(record.eventSourceARN),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  },
});
