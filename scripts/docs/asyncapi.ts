import { OUTCOME_EVENT_NAME, readinessEventId } from '../../src/outcomes/outcome.js';
import {
  failedOutcomeExample,
  queueSample,
  readinessEventExample,
  succeededOutcomeExample,
} from './examples.js';
import { COMPONENT_PREFIX, type JsonSchema } from './jsonSchema.js';
import { followedBy, OPERATION_NAMES, readinessEvents } from './shapes.js';

/*
 * AsyncAPI 3.0 of the two channels portals use: the request queue (one message per operation)
 * and the outcomes topic (one message per operation and status, and the follow-through events),
 * with the SNS message attributes subscribers filter on.
 */

const ref = (name: string) => ({ $ref: `${COMPONENT_PREFIX}${name}` });
const messageRef = (name: string) => ({ $ref: `#/components/messages/${name}` });

const OPERATION_VALUES = [...OPERATION_NAMES, 'Unknown'];

/** The SNS message attributes of an event, with the values this event carries. */
const attributes = (values: {
  operation?: string | readonly string[];
  status?: string;
  event: string;
}) => ({
  type: 'object',
  description:
    'SNS message attributes (DataType String): what subscription filter policies match on.',
  properties: {
    operation:
      typeof values.operation === 'string'
        ? { type: 'string', const: values.operation }
        : { type: 'string', enum: values.operation ?? OPERATION_VALUES },
    channel: { type: 'string', enum: ['http', 'sqs'] },
    event: { type: 'string', const: values.event },
    ...(values.status ? { status: { type: 'string', const: values.status } } : {}),
  },
  required: ['operation', 'channel', 'event', ...(values.status ? ['status'] : [])],
  additionalProperties: false,
});

/** When each follow-through event comes. */
const FOLLOW_THROUGH: Readonly<Record<string, string>> = {
  ImageBuilderReady: 'the builder is RUNNING',
  ImageBuilderStopped: 'the builder is STOPPED',
  ImageBuilderDeleted: 'DescribeImageBuilders no longer finds the builder',
  ImageBuilderFailed: 'the builder will not reach the state the request asked for by itself',
  ImageBuilderWaitTimedOut: 'the wait timed out before the builder got there',
};

const FAILURE_FILTER = { status: ['FAILED'] };
const READINESS_FILTER = { event: Object.keys(readinessEvents) };

export const asyncApiDocument = (components: Record<string, JsonSchema>, version: string) => {
  const requestMessages = Object.fromEntries(
    OPERATION_NAMES.map((name) => [
      `${name}Request`,
      {
        name: `${name}Request`,
        title: `${name} request`,
        contentType: 'application/json',
        payload: ref(`${name}Message`),
        examples: [{ name: 'sample', summary: 'events/sqs sample', payload: queueSample(name) }],
      },
    ]),
  );
  const outcomeMessages: Record<string, unknown> = {};
  for (const name of OPERATION_NAMES) {
    outcomeMessages[`${name}Succeeded`] = {
      name: `${name}Succeeded`,
      title: `${name} succeeded`,
      contentType: 'application/json',
      headers: attributes({ operation: name, status: 'SUCCEEDED', event: OUTCOME_EVENT_NAME }),
      payload: ref(`${name}SucceededOutcome`),
      examples: [
        {
          name: 'succeeded',
          headers: {
            operation: name,
            channel: 'sqs',
            event: OUTCOME_EVENT_NAME,
            status: 'SUCCEEDED',
          },
          payload: succeededOutcomeExample(name),
        },
      ],
    };
  }
  for (const name of [...OPERATION_NAMES, 'Unknown' as const]) {
    outcomeMessages[`${name}Failed`] = {
      name: `${name}Failed`,
      title: name === 'Unknown' ? 'Unreadable queue message' : `${name} failed`,
      contentType: 'application/json',
      headers: attributes({ operation: name, status: 'FAILED', event: OUTCOME_EVENT_NAME }),
      payload: ref(`${name}FailedOutcome`),
      examples: [
        {
          name: 'failed',
          headers: { operation: name, channel: 'sqs', event: OUTCOME_EVENT_NAME, status: 'FAILED' },
          payload: failedOutcomeExample(name),
        },
      ],
    };
  }
  for (const event of Object.keys(readinessEvents)) {
    const names = followedBy.get(event) ?? [];
    const [first = 'CreateImageBuilder'] = names;
    outcomeMessages[event] = {
      name: event,
      title: `${event} (follow-through)`,
      summary: `One more event after a successful ${names.join(', ')}: ${FOLLOW_THROUGH[event] ?? 'the builder reached the state the request asked for'}. It carries no \`status\` attribute.`,
      contentType: 'application/json',
      headers: attributes({ operation: names, event }),
      payload: ref(`${event}Event`),
      examples: [
        {
          name: event,
          headers: { operation: first, channel: 'sqs', event },
          payload: readinessEventExample(
            event,
            readinessEventId(first, '7f1c2a4e-portal-req-0001', event),
            first,
          ),
        },
      ],
    };
  }
  const channelMessages = (names: string[]) =>
    Object.fromEntries(names.map((name) => [name, messageRef(name)]));
  const channel = (suffix: string, title: string, description: string, names: string[]) => ({
    address: `image-provisioner-{stage}-${suffix}`,
    title,
    description,
    parameters: { stage: { description: 'The deployment stage.' } },
    messages: channelMessages(names),
  });
  const operationMessages = (channel: string, names: string[]) =>
    names.map((name) => ({ $ref: `#/channels/${channel}/messages/${name}` }));

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'image-provisioner events',
      version,
      description:
        'The request queue portals send to, and the outcomes topic they subscribe to. Every queue message announces one outcome; every completed write (HTTP or queue) announces one; a created, stopped, started or deleted image builder announces one more follow-through event. A redelivered event carries the same `id`: drop copies by id. Payloads are the JSON Schemas of docs/schemas/ (2020-12).',
    },
    defaultContentType: 'application/json',
    channels: {
      requests: channel(
        'requests',
        'Request queue',
        'SQS standard queue with a DLQ (stack output `RequestQueueUrl`). The body is one JSON object; unknown members are rejected. Messages above 256 KiB, not JSON, or without a known `operation` announce a FAILED outcome with `operation: Unknown`.',
        Object.keys(requestMessages),
      ),
      outcomes: channel(
        'outcomes',
        'Outcomes topic',
        'SNS topic: CloudEvents 1.0 structured JSON events. Subscribe with a filter policy on the message attributes `operation`, `status`, `channel`, `event`.',
        Object.keys(outcomeMessages),
      ),
    },
    operations: {
      receiveRequest: {
        action: 'receive',
        title: 'The service reads requests from the queue',
        channel: { $ref: '#/channels/requests' },
        messages: operationMessages('requests', Object.keys(requestMessages)),
      },
      sendOutcome: {
        action: 'send',
        title: 'The service announces outcomes and follow-through events',
        channel: { $ref: '#/channels/outcomes' },
        messages: operationMessages('outcomes', Object.keys(outcomeMessages)),
        bindings: {
          sns: {
            consumers: [
              {
                protocol: 'sqs',
                endpoint: { name: 'portal-failures' },
                filterPolicy: FAILURE_FILTER,
                filterPolicyScope: 'MessageAttributes',
                rawMessageDelivery: false,
              },
              {
                protocol: 'sqs',
                endpoint: { name: 'portal-readiness' },
                filterPolicy: READINESS_FILTER,
                filterPolicyScope: 'MessageAttributes',
                rawMessageDelivery: false,
              },
            ],
            bindingVersion: '0.1.0',
          },
        },
      },
    },
    components: {
      schemas: components,
      messages: { ...requestMessages, ...outcomeMessages },
    },
  };
};
