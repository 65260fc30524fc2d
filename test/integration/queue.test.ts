import { CreateImageBuilderCommand } from '@aws-sdk/client-appstream';
import {
  CreateDistributionConfigurationCommand,
  CreateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createQueueHandler } from '../../src/channels/queue.js';
import { invalidRequests, validRequests } from '../fixtures/requests.js';
import { awsServiceError } from '../support/awsErrors.js';
import { lambdaContext, sqsRecord } from '../support/lambda.js';
import { useTestStack } from '../support/localStack.js';
import { OPERATION_CASES, sentToAws } from '../support/operations.js';

const harness = useTestStack();
let handle: ReturnType<typeof createQueueHandler>;

const deliver = async (...records: ReturnType<typeof sqsRecord>[]) =>
  (await handle({ Records: records }, lambdaContext())) as SQSBatchResponse;

beforeAll(() => {
  handle = createQueueHandler(harness.stack.app);
});

describe.each(OPERATION_CASES)('queue message for $operation', (testCase) => {
  const request = validRequests[testCase.operation];

  it('reaches AWS once and publishes one SUCCEEDED outcome', async () => {
    const record = sqsRecord({
      operation: testCase.operation,
      clientToken: `sqs-${testCase.operation}`,
      correlationId: 'corr-sqs',
      request,
    });

    const result = await deliver(record);

    expect(result.batchItemFailures).toEqual([]);
    expect(harness.aws.calls()).toHaveLength(1 + testCase.readsFirst);
    const sent = harness.aws.calls().filter((call) => call.args[0] instanceof testCase.command);
    expect(sent).toHaveLength(1);
    const expected = sentToAws(testCase.operation, request, harness.stack.config.outcomeSource);
    expect(sent[0]?.args[0].input).toEqual(
      testCase.service === 'imagebuilder' && testCase.tokenMember
        ? { ...expected, clientToken: `sqs-${testCase.operation}` }
        : expected,
    );
    const outcomes = await harness.stack.outcomes(1);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.event.data).toMatchObject({
      operation: testCase.operation,
      clientToken: `sqs-${testCase.operation}`,
      correlationId: 'corr-sqs',
      channel: 'sqs',
      requestedBy: 'AIDAEXAMPLE',
      status: 'SUCCEEDED',
      response: expect.any(Object),
    });
    expect(outcomes[0]?.attributes).toMatchObject({
      operation: testCase.operation,
      status: 'SUCCEEDED',
    });
  });

  it('falls back to the messageId as clientToken when the message has none', async () => {
    const record = sqsRecord({ operation: testCase.operation, request }, { messageId: 'msg-123' });

    await deliver(record);

    const outcomes = await harness.stack.outcomes(1);
    expect(outcomes[0]?.event.data.clientToken).toBe('msg-123');
  });

  it.each(invalidRequests[testCase.operation])(
    'publishes a FAILED outcome for $name at /request$path and does not retry it',
    async ({ name, request: invalid, path }) => {
      // A token per case: one token announces one FAILED outcome per error code.
      const index = invalidRequests[testCase.operation].findIndex((c) => c.name === name);
      const record = sqsRecord({
        operation: testCase.operation,
        clientToken: `bad-${index}`,
        request: invalid,
      });

      const result = await deliver(record);

      expect(result.batchItemFailures).toEqual([]);
      expect(harness.aws.calls()).toHaveLength(0);
      const outcomes = await harness.stack.outcomes(1);
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]?.event.data).toMatchObject({
        operation: testCase.operation,
        channel: 'sqs',
        status: 'FAILED',
        error: { code: 'ValidationException', retryable: false },
      });
      expect(outcomes[0]?.event.data.error?.errors).toContainEqual(
        expect.objectContaining({ path: `/request${path}` }),
      );
    },
  );
});

describe('malformed queue messages', () => {
  it.each([
    { name: 'a body that is not JSON', body: '{"operation": ', path: '' },
    { name: 'a JSON array', body: '[1,2]', path: '' },
    {
      name: 'an unknown operation',
      body: { operation: 'DeleteEverything', request: {} },
      path: '/operation',
    },
    { name: 'a missing operation', body: { request: {} }, path: '/operation' },
    {
      name: 'an unknown envelope field',
      body: {
        operation: 'CreateImageBuilder',
        request: validRequests.CreateImageBuilder,
        extra: 1,
      },
      path: '/extra',
    },
    {
      name: 'a 65-character clientToken',
      body: {
        operation: 'CreateImageBuilder',
        clientToken: 'x'.repeat(65),
        request: validRequests.CreateImageBuilder,
      },
      path: '/clientToken',
    },
    {
      name: 'a clientToken that differs from the request token',
      body: {
        operation: 'CreateInfrastructureConfiguration',
        clientToken: 'a',
        request: { ...validRequests.CreateInfrastructureConfiguration, clientToken: 'b' },
      },
      path: '/request/clientToken',
    },
    { name: 'a missing request', body: { operation: 'CreateImageBuilder' }, path: '/request' },
    {
      name: 'a correlationId that is not a string',
      body: {
        operation: 'CreateImageBuilder',
        correlationId: 7,
        request: validRequests.CreateImageBuilder,
      },
      path: '/correlationId',
    },
  ])(
    'publishes one FAILED outcome for $name and deletes the message',
    async ({ name, body, path }) => {
      // A message of its own per case: its id is the token the outcome is announced under.
      const result = await deliver(
        sqsRecord(body, { messageId: `poison-${name.replaceAll(' ', '-')}` }),
      );

      expect(result.batchItemFailures).toEqual([]);
      expect(harness.aws.calls()).toHaveLength(0);
      const outcomes = await harness.stack.outcomes(1);
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]?.event.data).toMatchObject({
        channel: 'sqs',
        status: 'FAILED',
        error: { code: 'ValidationException', retryable: false },
      });
      expect(outcomes[0]?.event.data.error?.errors).toContainEqual(
        expect.objectContaining({ path }),
      );
    },
  );
});

describe('a queue message whose envelope is not JSON', () => {
  it('publishes one FAILED outcome with exactly one error at the root, however fine the request', async () => {
    const request = JSON.stringify(validRequests.CreateImageBuilder);
    const body = `{"operation": "CreateImageBuilder", "request": ${request},`;

    const result = await deliver(sqsRecord(body, { messageId: 'envelope-not-json-1' }));

    expect(result.batchItemFailures).toEqual([]);
    expect(harness.aws.calls()).toHaveLength(0);
    const outcomes = await harness.stack.outcomes(1);
    expect(outcomes[0]?.event.data.error).toMatchObject({
      code: 'ValidationException',
      message: 'The request has 1 invalid field.',
    });
    expect(outcomes[0]?.event.data.error?.errors).toEqual([
      { path: '', message: 'must be valid JSON' },
    ]);
  });
});

describe('oversized queue messages', () => {
  it('publishes one FAILED RequestTooLargeException outcome and deletes the message', async () => {
    const body = JSON.stringify({
      operation: 'CreateImageBuilder',
      request: {
        ...validRequests.CreateImageBuilder,
        Description: 'x'.repeat(harness.stack.config.maxRequestBytes),
      },
    });

    const result = await deliver(sqsRecord(body, { messageId: 'huge-1' }));

    expect(result.batchItemFailures).toEqual([]);
    expect(harness.aws.calls()).toHaveLength(0);
    const outcomes = await harness.stack.outcomes(1);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.event.data).toMatchObject({
      operation: 'Unknown',
      clientToken: 'huge-1',
      status: 'FAILED',
      error: { code: 'RequestTooLargeException', retryable: false },
    });
  });
});

describe('partial batch responses', () => {
  it('reports exactly the records that failed retryably; good and invalid ones are done', async () => {
    harness.aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand, { name: 'throttled-infra' })
      .rejects(awsServiceError('CallRateLimitExceededException', 429));
    harness.aws.appstream
      .on(CreateImageBuilderCommand, { Name: 'unavailable-builder' })
      .rejects(awsServiceError('ServiceUnavailableException', 503));
    harness.aws.imagebuilder
      .on(CreateDistributionConfigurationCommand)
      .rejects(awsServiceError('InvalidRequestException', 400));
    const good = sqsRecord({
      operation: 'CreateInfrastructureConfiguration',
      request: validRequests.CreateInfrastructureConfiguration,
    });
    const invalid = sqsRecord({ operation: 'CreateImageBuilder', request: { Name: '' } });
    const throttled = sqsRecord({
      operation: 'CreateInfrastructureConfiguration',
      request: { ...validRequests.CreateInfrastructureConfiguration, name: 'throttled-infra' },
    });
    const unavailable = sqsRecord({
      operation: 'CreateImageBuilder',
      request: { ...validRequests.CreateImageBuilder, Name: 'unavailable-builder' },
    });
    const rejected = sqsRecord({
      operation: 'CreateDistributionConfiguration',
      request: validRequests.CreateDistributionConfiguration,
    });

    const result = await deliver(good, invalid, throttled, unavailable, rejected);

    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [throttled.messageId, unavailable.messageId].sort(),
    );
    const outcomes = await harness.stack.outcomes(3);
    const byStatus = outcomes.map((o) => `${o.event.data.operation}:${o.event.data.status}`).sort();
    // good: SUCCEEDED; invalid and permanently rejected: FAILED; retryable ones: not yet.
    expect(byStatus).toEqual([
      'CreateDistributionConfiguration:FAILED',
      'CreateImageBuilder:FAILED',
      'CreateInfrastructureConfiguration:SUCCEEDED',
    ]);
    const permanent = outcomes.find(
      (o) => o.event.data.operation === 'CreateDistributionConfiguration',
    );
    expect(permanent?.event.data.error).toEqual({
      code: 'InvalidRequestException',
      message: 'InvalidRequestException from AWS',
      retryable: false,
    });
  });

  it('publishes a retryable FAILED outcome on the last receive and still hands the message to the DLQ', async () => {
    harness.aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .rejects(awsServiceError('ServiceUnavailableException', 503));
    const message = {
      operation: 'CreateInfrastructureConfiguration',
      clientToken: 'last-attempt',
      request: validRequests.CreateInfrastructureConfiguration,
    };

    const early = await deliver(sqsRecord(message, { messageId: 'm-1', receiveCount: 1 }));
    const earlyOutcomes = await harness.stack.outcomes(0, 300);
    const last = await deliver(
      sqsRecord(message, {
        messageId: 'm-1',
        receiveCount: harness.stack.config.queueMaxReceiveCount,
      }),
    );

    expect(early.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(earlyOutcomes).toEqual([]);
    expect(last.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    const outcomes = await harness.stack.outcomes(1);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.event.data).toMatchObject({
      status: 'FAILED',
      clientToken: 'last-attempt',
      error: { code: 'ServiceUnavailableException', retryable: true },
    });
    // Each receive spends the retry policy's attempts before giving the message back.
    expect(harness.aws.calls()).toHaveLength(2 * harness.stack.config.retryPolicy.maxAttempts);
  });
});
