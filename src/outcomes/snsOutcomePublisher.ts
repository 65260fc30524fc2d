import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { isReadinessEvent, OUTCOME_EVENT_NAME, type ServiceEvent } from './outcome.js';
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
const statusLocation = ({ data }: ServiceEvent): string =>
  `/requests/${encodeURIComponent(data.clientToken ?? '')}?operation=${encodeURIComponent(data.operation)}`;

/**
 * The event as it can travel: an event over SNS's limit carries, instead of the AWS response,
 * where to read it. Nothing else of the event changes, its id included.
 */
export const fitForSns = (event: ServiceEvent): string => {
  const body = JSON.stringify(event);
  if (Buffer.byteLength(body) + ATTRIBUTE_ALLOWANCE <= SNS_MAX_BYTES) return body;
  if (isReadinessEvent(event)) {
    const { resource: _resource, ...data } = event.data;
    return JSON.stringify({ ...event, data: { ...data, resourceLocation: statusLocation(event) } });
  }
  const { response: _response, ...data } = event.data;
  return JSON.stringify({ ...event, data: { ...data, responseLocation: statusLocation(event) } });
};

/**
 * What subscribers filter on. `event` names every event (`ProvisioningOutcome`, or the
 * follow-through's own name); only a request's outcome carries a `status`, so a filter on status
 * never matches a follow-through event.
 */
const attributesOf = (event: ServiceEvent) => {
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  const common = {
    operation: text(event.data.operation),
    channel: text(event.data.channel),
  };
  return isReadinessEvent(event)
    ? { ...common, event: text(event.data.event) }
    : { ...common, event: text(OUTCOME_EVENT_NAME), status: text(event.data.status) };
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
        MessageAttributes: attributesOf(event),
      }),
    );
  },
});
