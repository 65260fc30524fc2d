import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Outcome,
  type OutcomeEvent,
  type ReadinessEvent,
  readinessEventType,
  toOutcomeEvent,
} from '../../../src/outcomes/outcome.js';
import { createSnsOutcomePublisher, fitForSns } from '../../../src/outcomes/snsOutcomePublisher.js';

/** SNS's limit for one message, its attributes included. */
const SNS_MAX_BYTES = 256 * 1024;
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:image-provisioner-dev-outcomes';

const eventWith = (data: Partial<Outcome> = {}): OutcomeEvent =>
  toOutcomeEvent(
    {
      operation: 'GetInfrastructureConfiguration',
      clientToken: 'portal-req-0003',
      correlationId: 'portal-ticket-4713',
      channel: 'sqs',
      requestedBy: 'AIDAEXAMPLE',
      status: 'SUCCEEDED',
      response: { infrastructureConfiguration: { name: 'golden' } },
      ...data,
    },
    {
      source: 'image-provisioner.dev',
      subject: 'arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/golden',
      now: new Date('2026-11-21T10:00:00.000Z'),
      id: 'cccccccc-0000-4000-8000-000000000001',
    },
  );

/** An event whose JSON is exactly `bytes` long, padded in the response's description. */
const eventOfSize = (bytes: number, data: Partial<Outcome> = {}): OutcomeEvent => {
  const padded = (description: string) =>
    eventWith({ response: { infrastructureConfiguration: { description } }, ...data });
  const overhead = Buffer.byteLength(JSON.stringify(padded('')));
  const event = padded('x'.repeat(bytes - overhead));
  expect(Buffer.byteLength(JSON.stringify(event))).toBe(bytes);
  return event;
};

/** What an SNS message weighs: its body and its attributes' names, types and values. */
const snsSize = (
  message: string,
  attributes: Record<string, { DataType: string; StringValue: string }>,
) =>
  Buffer.byteLength(message) +
  Object.entries(attributes).reduce(
    (sum, [name, { DataType, StringValue }]) =>
      sum + Buffer.byteLength(name) + Buffer.byteLength(DataType) + Buffer.byteLength(StringValue),
    0,
  );

describe('fitForSns', () => {
  it('keeps an event under the limit as it is', () => {
    // Prepare
    const event = eventWith();

    // Act
    const message = fitForSns(event);

    // Assess
    expect(message).toBe(JSON.stringify(event));
  });

  it('keeps an event that leaves a kilobyte for the attributes as it is, response included', () => {
    // Prepare
    const event = eventOfSize(SNS_MAX_BYTES - 1_024);

    // Act
    const message = fitForSns(event);

    // Assess
    expect(message).toBe(JSON.stringify(event));
  });

  it.each([
    ['exactly at the limit, with no room left for the attributes', SNS_MAX_BYTES],
    ['over the limit', SNS_MAX_BYTES + 50_000],
  ])(
    'carries, for an event %s, where to read the response instead of it, and nothing else changed',
    (_, bytes) => {
      // Prepare
      const event = eventOfSize(bytes);

      // Act
      const message = fitForSns(event);

      // Assess
      const { response: _response, ...data } = event.data;
      expect(JSON.parse(message)).toStrictEqual({
        ...event,
        data: {
          ...data,
          responseLocation: '/requests/portal-req-0003?operation=GetInfrastructureConfiguration',
        },
      });
      expect(Buffer.byteLength(message)).toBeLessThan(SNS_MAX_BYTES - 1_024);
    },
  );

  it('weighs the event in bytes, not characters', () => {
    // Prepare: 100 000 characters of three bytes each.
    const event = eventWith({ response: { description: '€'.repeat(100_000) } });

    // Act
    const message = fitForSns(event);

    // Assess
    expect(JSON.stringify(event).length).toBeLessThan(SNS_MAX_BYTES);
    expect(JSON.parse(message).data).not.toHaveProperty('response');
    expect(JSON.parse(message).data.responseLocation).toEqual(expect.any(String));
  });

  it('encodes the token and the operation in the response location', () => {
    // Prepare
    const event = eventOfSize(SNS_MAX_BYTES + 1, {
      clientToken: 'portal/req 0003?x=1&y#z',
    });

    // Act
    const message = fitForSns(event);

    // Assess
    const { data } = JSON.parse(message);
    expect(data.responseLocation).toBe(
      '/requests/portal%2Freq%200003%3Fx%3D1%26y%23z?operation=GetInfrastructureConfiguration',
    );
    expect(data.clientToken).toBe('portal/req 0003?x=1&y#z');
    expect(JSON.parse(message).id).toBe(event.id);
  });
});

describe('createSnsOutcomePublisher', () => {
  const sns = new SNSClient({ region: 'us-east-1' });
  const snsMock = mockClient(sns);

  afterEach(() => {
    snsMock.reset();
  });

  it('publishes the event to the topic with the attributes operation, channel, event and status', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const publisher = createSnsOutcomePublisher({ sns, topicArn: TOPIC_ARN });
    const event = eventWith({
      operation: 'CreateImageBuilder',
      channel: 'http',
      status: 'FAILED',
      response: undefined,
      error: { code: 'LimitExceededException', message: 'quota', retryable: false },
    });

    // Act
    await publisher.publish(event);

    // Assess
    const calls = snsMock.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toStrictEqual({
      TopicArn: TOPIC_ARN,
      Message: JSON.stringify(event),
      MessageAttributes: {
        operation: { DataType: 'String', StringValue: 'CreateImageBuilder' },
        channel: { DataType: 'String', StringValue: 'http' },
        event: { DataType: 'String', StringValue: 'ProvisioningOutcome' },
        status: { DataType: 'String', StringValue: 'FAILED' },
      },
    });
  });

  it('publishes a follow-through event with its name as the event attribute and no status', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-3' });
    const publisher = createSnsOutcomePublisher({ sns, topicArn: TOPIC_ARN });
    const event: ReadinessEvent = {
      specversion: '1.0',
      id: 'e-1',
      source: 'image-provisioner.test',
      type: readinessEventType('ImageBuilderReady'),
      time: '2026-11-30T00:00:00.000Z',
      datacontenttype: 'application/json',
      data: {
        operation: 'CreateImageBuilder',
        clientToken: 't-1',
        channel: 'sqs',
        event: 'ImageBuilderReady',
        resource: { Name: 'b', State: 'RUNNING' },
      },
    };

    // Act
    await publisher.publish(event);

    // Assess
    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.Message).toBe(JSON.stringify(event));
    expect(input?.MessageAttributes).toStrictEqual({
      operation: { DataType: 'String', StringValue: 'CreateImageBuilder' },
      channel: { DataType: 'String', StringValue: 'sqs' },
      event: { DataType: 'String', StringValue: 'ImageBuilderReady' },
    });
  });

  it('publishes an event too large for SNS in the form that fits, attributes included', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const publisher = createSnsOutcomePublisher({ sns, topicArn: TOPIC_ARN });
    const event = eventOfSize(SNS_MAX_BYTES + 10);

    // Act
    await publisher.publish(event);

    // Assess
    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.Message).toBe(fitForSns(event));
    expect(JSON.parse(input?.Message ?? '{}').data).toHaveProperty('responseLocation');
    const attributes = input?.MessageAttributes as Record<
      string,
      { DataType: string; StringValue: string }
    >;
    expect(snsSize(input?.Message ?? '', attributes)).toBeLessThanOrEqual(SNS_MAX_BYTES);
  });

  it('rejects with what SNS answered', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' });
    snsMock.on(PublishCommand).rejects(throttled);
    const publisher = createSnsOutcomePublisher({ sns, topicArn: TOPIC_ARN });

    // Act
    const thrown = await publisher.publish(eventWith()).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(thrown).toMatchObject({ name: 'ThrottledException', message: 'Rate exceeded' });
  });
});
