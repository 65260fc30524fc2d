import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface MessagingResources {
  requestQueueUrl: string;
  deadLetterQueueUrl: string;
  outcomesTopicArn: string;
  /** The stack's own subscriber to the topic: what it receives is printed. */
  outcomesTailQueueUrl: string;
  /** The on-failure destination of the ledger stream's event source mapping (the outbox). */
  outboxFailureQueueUrl: string;
}

const queueArn = async (sqs: SQSClient, queueUrl: string): Promise<string> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`No ARN for queue ${queueUrl}`);
  return arn;
};

const createQueue = async (
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string> = {},
): Promise<string> => {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  if (!QueueUrl) throw new Error(`Queue ${name} was not created`);
  return QueueUrl;
};

/**
 * The queue, DLQ and topic of serverless.yml and the outbox's on-failure queue, created on the
 * local SQS/SNS emulator.
 */
export const createMessagingResources = async ({
  sqs,
  sns,
  prefix,
  topicName,
  visibilityTimeoutSeconds,
  maxReceiveCount,
}: {
  sqs: SQSClient;
  sns: SNSClient;
  prefix: string;
  topicName: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}): Promise<MessagingResources> => {
  const deadLetterQueueUrl = await createQueue(sqs, `${prefix}-requests-dlq`, {
    MessageRetentionPeriod: '1209600',
  });
  const requestQueueUrl = await createQueue(sqs, `${prefix}-requests`, {
    VisibilityTimeout: String(visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: await queueArn(sqs, deadLetterQueueUrl),
      maxReceiveCount,
    }),
  });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topicName }));
  if (!TopicArn) throw new Error(`Topic ${topicName} was not created`);
  const outcomesTailQueueUrl = await createQueue(sqs, `${prefix}-outcomes-tail`);
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: await queueArn(sqs, outcomesTailQueueUrl),
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  const outboxFailureQueueUrl = await createQueue(sqs, `${prefix}-outbox-failures`, {
    MessageRetentionPeriod: '1209600',
  });
  return {
    requestQueueUrl,
    deadLetterQueueUrl,
    outcomesTopicArn: TopicArn,
    outcomesTailQueueUrl,
    outboxFailureQueueUrl,
  };
};
