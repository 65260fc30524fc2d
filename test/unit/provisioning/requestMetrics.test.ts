import {
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  UpdateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import type { ProvisioningRequest } from '../../../src/provisioning/pipeline.js';
import { validRequests } from '../../fixtures/requests.js';
import { awsServiceError } from '../../support/awsErrors.js';
import { infrastructureArn } from '../../support/awsMocks.js';
import { fakePipeline, powertoolsError } from '../../support/provisioningFakes.js';

const infra = validRequests.CreateInfrastructureConfiguration;
const OPERATION = 'CreateInfrastructureConfiguration';

const setup = ({ maxAttempts = 3 }: { maxAttempts?: number } = {}) =>
  fakePipeline({ retryPolicy: { maxAttempts, baseDelayMs: 1, maxDelayMs: 1 } });

/** A token as the Idempotency-Key header gives it. */
const token = (value: string) => ({ value, label: 'the Idempotency-Key header' });

const request = (overrides: Partial<ProvisioningRequest> = {}): ProvisioningRequest => ({
  channel: 'http',
  operation: OPERATION,
  input: infra,
  inputPointer: '',
  clientToken: token('token-1'),
  fallbackToken: () => 'generated-1',
  finalAttempt: true,
  announcesRejections: false,
  idempotentReads: false,
  remainingTimeMs: 30_000,
  ...overrides,
});

const throttle = () => awsServiceError('CallRateLimitExceededException', 429);

describe('the Requests metric', () => {
  it('counts a request carried out as Succeeded, by operation and channel', async () => {
    // Prepare
    const { metrics, pipeline } = setup();

    // Act
    await pipeline.run(request());

    // Assess
    expect(metrics.named('Requests')).toEqual([
      {
        name: 'Requests',
        value: 1,
        dimensions: { Operation: OPERATION, Channel: 'http', Result: 'Succeeded' },
      },
    ]);
  });

  it('counts a replay as Replayed, and as an idempotent replay, once per request', async () => {
    // Prepare
    const { metrics, pipeline } = setup();
    await pipeline.run(request());

    // Act
    await pipeline.run(request({ channel: 'sqs' }));

    // Assess
    expect(metrics.named('Requests').map(({ dimensions }) => dimensions.Result)).toEqual([
      'Succeeded',
      'Replayed',
    ]);
    expect(metrics.named('IdempotentReplays')).toEqual([
      { name: 'IdempotentReplays', value: 1, dimensions: { Operation: OPERATION, Channel: 'sqs' } },
    ]);
  });

  it('counts the token used with another request as Rejected, and as an idempotency mismatch', async () => {
    // Prepare
    const { metrics, pipeline } = setup();
    await pipeline.run(request());

    // Act
    await pipeline.run(request({ input: { ...infra, description: 'another' } }));

    // Assess
    expect(metrics.named('Requests').at(-1)?.dimensions.Result).toBe('Rejected');
    expect(metrics.named('IdempotencyMismatches')).toEqual([
      {
        name: 'IdempotencyMismatches',
        value: 1,
        dimensions: { Operation: OPERATION, Channel: 'http' },
      },
    ]);
    expect(metrics.named('IdempotentReplays')).toEqual([]);
  });

  it('counts an invalid request as Rejected, under Unknown when it names no operation', async () => {
    // Prepare
    const { metrics, pipeline } = setup();

    // Act
    await pipeline.run(request({ input: { ...infra, name: '' } }));
    await pipeline.run(request({ operation: 'DeleteEverything', channel: 'sqs' }));

    // Assess
    expect(metrics.named('Requests').map(({ dimensions }) => dimensions)).toEqual([
      { Operation: OPERATION, Channel: 'http', Result: 'Rejected' },
      { Operation: 'Unknown', Channel: 'sqs', Result: 'Rejected' },
    ]);
    expect(metrics.named('AwsCallLatency')).toEqual([]);
  });

  it('counts a final answer of AWS as Failed, and a throttle that outlasts the retries as Retryable', async () => {
    // Prepare
    const { metrics, aws, pipeline } = setup({ maxAttempts: 2 });
    aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand, { clientToken: 'rejected' })
      .rejects(awsServiceError('ResourceAlreadyExistsException', 400))
      .on(CreateInfrastructureConfigurationCommand, { clientToken: 'throttled' })
      .rejects(throttle());

    // Act
    await pipeline.run(request({ clientToken: token('rejected') }));
    await pipeline.run(request({ clientToken: token('throttled') }));

    // Assess
    expect(metrics.named('Requests').map(({ dimensions }) => dimensions.Result)).toEqual([
      'Failed',
      'Retryable',
    ]);
  });

  it('counts an update refused for a resource the service did not create as Rejected, not Failed', async () => {
    // Prepare
    const { metrics, aws, pipeline } = setup();
    const update = validRequests.UpdateInfrastructureConfiguration;
    aws.imagebuilder.on(GetInfrastructureConfigurationCommand).resolves({
      infrastructureConfiguration: { arn: infrastructureArn('unowned'), tags: {} },
    });

    // Act
    const result = await pipeline.run(
      request({ operation: 'UpdateInfrastructureConfiguration', input: update }),
    );

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: { code: 'PolicyViolationException' } });
    expect(aws.imagebuilder.commandCalls(UpdateInfrastructureConfigurationCommand)).toHaveLength(0);
    expect(metrics.named('Requests').map(({ dimensions }) => dimensions)).toEqual([
      { Operation: 'UpdateInfrastructureConfiguration', Channel: 'http', Result: 'Rejected' },
    ]);
  });

  it('counts a token in flight elsewhere as Retryable', async () => {
    // Prepare
    const { metrics, idempotency, pipeline } = setup();
    idempotency.failNextWith(powertoolsError('IdempotencyAlreadyInProgressError'));

    // Act
    await pipeline.run(request());

    // Assess
    expect(metrics.named('Requests').map(({ dimensions }) => dimensions.Result)).toEqual([
      'Retryable',
    ]);
  });
});

describe('the AWS call metrics', () => {
  it('times every attempt, counts each throttle, and the retries the request took', async () => {
    // Prepare
    const { metrics, aws, pipeline } = setup({ maxAttempts: 3 });
    aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .rejectsOnce(throttle())
      .rejectsOnce(throttle())
      .resolves({ infrastructureConfigurationArn: infrastructureArn('my-infra') });

    // Act
    const result = await pipeline.run(request());

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const dimensions = { Operation: OPERATION };
    expect(metrics.named('AwsCallLatency')).toHaveLength(3);
    for (const latency of metrics.named('AwsCallLatency')) {
      expect(latency.dimensions).toEqual(dimensions);
      expect(latency.value).toBeGreaterThanOrEqual(0);
    }
    expect(metrics.named('AwsThrottles')).toEqual([
      { name: 'AwsThrottles', value: 1, dimensions },
      { name: 'AwsThrottles', value: 1, dimensions },
    ]);
    expect(metrics.named('AwsCallRetries')).toEqual([
      { name: 'AwsCallRetries', value: 2, dimensions },
    ]);
  });

  it('records no retries and no throttles for a call answered at once, nor a quota error as a throttle', async () => {
    // Prepare
    const { metrics, aws, pipeline } = setup();
    aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand, { clientToken: 'quota' })
      .rejects(awsServiceError('ServiceQuotaExceededException', 402));

    // Act
    await pipeline.run(request());
    await pipeline.run(request({ clientToken: token('quota') }));

    // Assess
    expect(metrics.named('AwsCallLatency')).toHaveLength(2);
    expect(metrics.named('AwsThrottles')).toEqual([]);
    expect(metrics.named('AwsCallRetries')).toEqual([]);
  });
});
