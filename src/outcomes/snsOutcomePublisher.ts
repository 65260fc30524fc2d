import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { toOutcomeEvent } from './outcome.js';
import type { OutcomePublisher } from './publisher.js';

interface SnsOutcomePublisherOptions {
  sns: SNSClient;
  topicArn: string;
  source: string;
}

/** Publishes outcomes as CloudEvents, with attributes subscribers can filter on. */
export const createSnsOutcomePublisher = ({
  sns,
  topicArn,
  source,
}: SnsOutcomePublisherOptions): OutcomePublisher => ({
  async publish(outcome, subject) {
    const event = toOutcomeEvent(outcome, { source, subject });
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: JSON.stringify(event),
        MessageAttributes: {
          operation: { DataType: 'String', StringValue: outcome.operation },
          status: { DataType: 'String', StringValue: outcome.status },
          channel: { DataType: 'String', StringValue: outcome.channel },
        },
      }),
    );
  },
});
