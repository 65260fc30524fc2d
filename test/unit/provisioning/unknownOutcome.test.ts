import { CreateImageBuilderCommand, DescribeImageBuildersCommand } from '@aws-sdk/client-appstream';
import { CreateInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import { isAmbiguousAwsError } from '../../../src/provisioning/awsErrors.js';
import type { ProvisioningRequest } from '../../../src/provisioning/pipeline.js';
import { validRequests } from '../../fixtures/requests.js';
import { awsServiceError } from '../../support/awsErrors.js';
import { imageBuilderArn, infrastructureArn } from '../../support/awsMocks.js';
import { fakePipeline } from '../../support/provisioningFakes.js';

/*
 * An AWS call that timed out, or lost its connection, after it may have reached AWS has an
 * outcome nobody knows yet: it is never announced as a failure. Another attempt with the same
 * clientToken finds out what AWS did.
 */

const timeout = () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
const reset = () => Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const throttle = () => awsServiceError('CallRateLimitExceededException', 429);

const setup = () =>
  fakePipeline({ retryPolicy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });

const request = (overrides: Partial<ProvisioningRequest> = {}): ProvisioningRequest => ({
  channel: 'http',
  operation: 'CreateInfrastructureConfiguration',
  input: validRequests.CreateInfrastructureConfiguration,
  inputPointer: '',
  clientToken: { value: 'unknown-1', label: 'the Idempotency-Key header' },
  fallbackToken: () => 'fallback',
  finalAttempt: true,
  announcesRejections: false,
  idempotentReads: false,
  remainingTimeMs: 30_000,
  ...overrides,
});

describe('isAmbiguousAwsError', () => {
  it.each([
    ['a timeout', timeout(), true],
    ['a connection reset', reset(), true],
    ['a refused connection (never sent)', refused(), false],
    ['an AWS answer, even 5xx', awsServiceError('ServiceException', 500), false],
    ['a throttle', throttle(), false],
  ])('%s: %s', (_, error, ambiguous) => {
    expect(isAmbiguousAwsError(error)).toBe(ambiguous);
  });
});

describe('an AWS call whose outcome is not known', () => {
  it('answers a retryable 503 and announces nothing when no later attempt answered for sure', async () => {
    // Prepare
    const { ledger, aws, pipeline } = setup();
    aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .rejectsOnce(timeout())
      .rejects(throttle());

    // Act
    const result = await pipeline.run(request());

    // Assess
    expect(result).toMatchObject({
      status: 'FAILED',
      error: { code: 'OutcomeUnknownException', status: 503, retryable: true },
    });
    expect(result.status === 'FAILED' && result.error.message).toContain('not known yet');
    expect(ledger.committed).toEqual([]);
    expect(ledger.records.get('CreateInfrastructureConfiguration#unknown-1')?.status).toBe(
      'IN_PROGRESS',
    );
  });

  it('is not announced on the queue either, not even on the last receive', async () => {
    const { ledger, aws, pipeline } = setup();
    aws.imagebuilder.on(CreateInfrastructureConfigurationCommand).rejects(reset());

    const result = await pipeline.run(request({ channel: 'sqs', announcesRejections: true }));

    expect(result).toMatchObject({ status: 'FAILED', error: { retryable: true } });
    expect(ledger.committed).toEqual([]);
  });

  it('announces the success when the next attempt with the same token answers', async () => {
    const { ledger, aws, pipeline } = setup();
    aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .rejectsOnce(timeout())
      .callsFake(async (input) => ({
        clientToken: input.clientToken,
        infrastructureConfigurationArn: infrastructureArn(input.name),
      }));

    const result = await pipeline.run(request());

    expect(result.status).toBe('SUCCEEDED');
    expect(ledger.committed.map(({ status }) => status)).toEqual(['SUCCEEDED']);
    expect(
      aws.imagebuilder
        .commandCalls(CreateInfrastructureConfigurationCommand)
        .map((call) => call.args[0].input.clientToken),
    ).toEqual(['unknown-1', 'unknown-1']);
  });

  it('reads an AppStream builder back when the retry finds the name taken: what AWS did is announced', async () => {
    const { ledger, aws, pipeline } = setup();
    const builder = validRequests.CreateImageBuilder;
    aws.appstream
      .on(CreateImageBuilderCommand)
      .rejectsOnce(timeout())
      .rejects(awsServiceError('ResourceAlreadyExistsException', 400));
    aws.appstream.on(DescribeImageBuildersCommand).resolves({
      ImageBuilders: [
        {
          ...builder,
          Name: String(builder.Name),
          Arn: imageBuilderArn(String(builder.Name)),
          ImageArn: `arn:aws:appstream:us-east-1::image/${String(builder.ImageName)}`,
          State: 'PENDING',
        },
      ],
    });

    const result = await pipeline.run(
      request({ operation: 'CreateImageBuilder', input: builder, clientToken: undefined }),
    );

    expect(result.status).toBe('SUCCEEDED');
    expect(ledger.committed.map(({ status }) => status)).toEqual(['SUCCEEDED']);
  });
});
