import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqsMessageDelay } from '../../../src/channels/messageDelay.js';
import { sqsRecord } from '../../support/lambda.js';

const sqs = mockClient(SQSClient);

afterEach(() => sqs.reset());

describe('createSqsMessageDelay', () => {
  it("changes the message's visibility on the queue its ARN names", async () => {
    // Prepare
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const record = sqsRecord({ operation: 'CreateImageBuilder' }, { messageId: 'm-1' });

    // Act
    await createSqsMessageDelay(new SQSClient({ region: 'us-east-1' })).delay(record, 9);

    // Assess
    expect(
      sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input),
    ).toEqual([
      {
        QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/image-provisioner-requests',
        ReceiptHandle: 'handle-m-1',
        VisibilityTimeout: 9,
      },
    ]);
  });

  it('rejects when SQS refuses, for the caller to decide', async () => {
    sqs.on(ChangeMessageVisibilityCommand).rejects(new Error('ReceiptHandleIsInvalid'));
    const record = sqsRecord({}, { messageId: 'm-2' });

    await expect(
      createSqsMessageDelay(new SQSClient({ region: 'us-east-1' })).delay(record, 3),
    ).rejects.toThrow('ReceiptHandleIsInvalid');
  });
});
