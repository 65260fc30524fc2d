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
  /** The readiness watch's checks, scheduled by the outbox, and where failing ones end up. */
  watchQueueUrl: string;
  watchDeadLetterQueueUrl: string;
}

/** A queue whose messages go to its own DLQ after `maxReceiveCount` receives. */
const createQueueWithDlq = async (
  sqs: SQSClient,
  name: string,
  { visibilityTimeoutSeconds, maxReceiveCount }: QueueRedrive,
) => {
  const deadLetterQueueUrl = await createQueue(sqs, `${name}-dlq`, {
    MessageRetentionPeriod: '1209600',
  });
  const queueUrl = await createQueue(sqs, name, {
    VisibilityTimeout: String(visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: await queueArn(sqs, deadLetterQueueUrl),
      maxReceiveCount,
    }),
  });
  return { queueUrl, deadLetterQueueUrl };
};

export interface QueueRedrive {
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
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
 * The queues with their DLQs and the topic of serverless.yml, and the outbox's on-failure queue,
 * created on the local SQS/SNS emulator.
 */
export const createMessagingResources = async ({
  sqs,
  sns,
  prefix,
  topicName,
  requests,
  watch,
}: {
  sqs: SQSClient;
  sns: SNSClient;
  prefix: string;
  topicName: string;
  requests: QueueRedrive;
  watch: QueueRedrive;
}): Promise<MessagingResources> => {
  const { queueUrl: requestQueueUrl, deadLetterQueueUrl } = await createQueueWithDlq(
    sqs,
    `${prefix}-requests`,
    requests,
  );
  const { queueUrl: watchQueueUrl, deadLetterQueueUrl: watchDeadLetterQueueUrl } =
    await createQueueWithDlq(sqs, `${prefix}-watch`, watch);
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
    watchQueueUrl,
    watchDeadLetterQueueUrl,
  };
};
