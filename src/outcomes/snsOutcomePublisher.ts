import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { OutcomeEvent } from './outcome.js';
import type { OutcomePublisher } from './publisher.js';

interface SnsOutcomePublisherOptions {
  sns: SNSClient;
  topicArn: string;
}

/** SNS takes at most 256 KiB per message, message attributes included. */
const SNS_MAX_BYTES = 262_144;
/** Kept back for the message attributes and their names. */
const ATTRIBUTE_ALLOWANCE = 1_024;

/** Where the status lookup answers for the event's request. */
const statusLocation = ({ data }: OutcomeEvent): string =>
  `/requests/${encodeURIComponent(data.clientToken ?? '')}?operation=${encodeURIComponent(data.operation)}`;

/**
 * The event as it can travel: an event over SNS's limit carries, instead of the AWS response,
 * where to read it. Nothing else of the event changes, its id included.
 */
export const fitForSns = (event: OutcomeEvent): string => {
  const body = JSON.stringify(event);
  if (Buffer.byteLength(body) + ATTRIBUTE_ALLOWANCE <= SNS_MAX_BYTES) return body;
  const { response: _response, ...data } = event.data;
  return JSON.stringify({ ...event, data: { ...data, responseLocation: statusLocation(event) } });
};

/** Publishes outcome events as CloudEvents, with attributes subscribers can filter on. */
export const createSnsOutcomePublisher = ({
  sns,
  topicArn,
}: SnsOutcomePublisherOptions): OutcomePublisher => ({
  async publish(event) {
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: fitForSns(event),
        MessageAttributes: {
          operation: { DataType: 'String', StringValue: event.data.operation },
          status: { DataType: 'String', StringValue: event.data.status },
          channel: { DataType: 'String', StringValue: event.data.channel },
        },
      }),
    );
  },
});
