import {
  DescribeImageBuildersCommand,
  ListTagsForResourceCommand,
  StopImageBuilderCommand,
} from '@aws-sdk/client-appstream';
import {
  DeleteDistributionConfigurationCommand,
  GetDistributionConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  ListInfrastructureConfigurationsCommand,
  UpdateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import type {
  ProvisioningRequest,
  ProvisioningResult,
} from '../../../src/provisioning/pipeline.js';
import { validRequests } from '../../fixtures/requests.js';
import { awsServiceError } from '../../support/awsErrors.js';
import { imageBuilderArn } from '../../support/awsMocks.js';
import { fakePipeline, queueRequest } from '../../support/provisioningFakes.js';

/*
 * The lifecycle operations through the real pipeline (fakes for the ledger and the idempotency
 * store, AWS mocked): what a change to a resource the service did not create, a delete of one
 * that is gone, and a read answer and announce, and what a replay of each does.
 */

const setup = () =>
  fakePipeline({ retryPolicy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });

/** A queue message on its last receive, or an HTTP request (`overrides`). */
const request = (overrides: Partial<ProvisioningRequest>): ProvisioningRequest =>
  queueRequest({
    operation: 'DeleteDistributionConfiguration',
    input: validRequests.DeleteDistributionConfiguration,
    clientToken: { value: 'portal-1', label: 'the message clientToken', path: '/clientToken' },
    ...overrides,
  });

const overHttp: Partial<ProvisioningRequest> = {
  channel: 'http',
  inputPointer: '',
  clientToken: { value: 'portal-1', label: 'the Idempotency-Key header' },
  announcesRejections: false,
  idempotentReads: false,
};

const failureOf = (result: ProvisioningResult) => {
  if (result.status !== 'FAILED') throw new Error(`expected a FAILED result, got ${result.status}`);
  return result;
};

describe('a delete of a configuration that is gone', () => {
  it('answers 404 and announces it once; a replay answers the stored 404 without calling AWS', async () => {
    // Prepare
    const { aws, ledger, pipeline } = setup();
    aws.imagebuilder
      .on(GetDistributionConfigurationCommand)
      .rejects(awsServiceError('ResourceNotFoundException', 404, { message: 'gone' }));

    // Act
    const first = failureOf(await pipeline.run(request({})));
    const replay = failureOf(await pipeline.run(request({})));

    // Assess
    expect(first.error).toMatchObject({ code: 'ResourceNotFoundException', status: 404 });
    expect(first.replayed).toBe(false);
    expect(replay.error.toDetails()).toEqual(first.error.toDetails());
    expect(replay.replayed).toBe(true);
    expect(aws.imagebuilder.commandCalls(GetDistributionConfigurationCommand)).toHaveLength(1);
    expect(aws.imagebuilder.commandCalls(DeleteDistributionConfigurationCommand)).toHaveLength(0);
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]).toMatchObject({
      operation: 'DeleteDistributionConfiguration',
      status: 'FAILED',
      error: { code: 'ResourceNotFoundException', retryable: false },
    });
  });

  it('answers a replay of a delete that succeeded with its stored answer, one AWS delete', async () => {
    const { aws, pipeline } = setup();

    const first = await pipeline.run(request(overHttp));
    const replay = await pipeline.run(request(overHttp));

    expect(first).toMatchObject({ status: 'SUCCEEDED', replayed: false });
    expect(replay).toMatchObject({ status: 'SUCCEEDED', replayed: true });
    expect(replay.status === 'SUCCEEDED' && replay.response).toEqual(
      first.status === 'SUCCEEDED' && first.response,
    );
    expect(aws.imagebuilder.commandCalls(DeleteDistributionConfigurationCommand)).toHaveLength(1);
  });
});

describe('a change to a resource the service did not create', () => {
  const update = (overrides: Partial<ProvisioningRequest>) =>
    request({
      operation: 'UpdateInfrastructureConfiguration',
      input: validRequests.UpdateInfrastructureConfiguration,
      ...overrides,
    });

  it('is refused 403 over HTTP with no AWS write, announced, and a replay answers the same', async () => {
    // Prepare
    const { aws, ledger, pipeline } = setup();
    aws.imagebuilder
      .on(GetInfrastructureConfigurationCommand)
      .resolves({ infrastructureConfiguration: { tags: { team: 'platform' } } });

    // Act
    const first = failureOf(await pipeline.run(update(overHttp)));
    const replay = failureOf(await pipeline.run(update(overHttp)));

    // Assess
    expect(first.error).toMatchObject({
      code: 'PolicyViolationException',
      status: 403,
      errors: [{ path: '/infrastructureConfigurationArn' }],
    });
    expect(replay).toMatchObject({ replayed: true, error: { code: 'PolicyViolationException' } });
    expect(aws.imagebuilder.commandCalls(UpdateInfrastructureConfigurationCommand)).toHaveLength(0);
    expect(aws.imagebuilder.commandCalls(GetInfrastructureConfigurationCommand)).toHaveLength(1);
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]).toMatchObject({ status: 'FAILED', channel: 'http' });
  });

  it('points into the message on the queue', async () => {
    const { aws, pipeline } = setup();
    aws.appstream.on(ListTagsForResourceCommand).resolves({ Tags: {} });

    const result = failureOf(
      await pipeline.run(
        request({ operation: 'StopImageBuilder', input: validRequests.StopImageBuilder }),
      ),
    );

    expect(result.error.errors).toEqual([
      { path: '/request/Name', message: expect.stringMatching(/^policy: /) },
    ]);
    expect(aws.appstream.commandCalls(StopImageBuilderCommand)).toHaveLength(0);
  });
});

describe('a stop the service may make', () => {
  it('starts a watch of the builder it stopped', async () => {
    const { ledger, pipeline } = setup();

    const result = await pipeline.run(
      request({ operation: 'StopImageBuilder', input: validRequests.StopImageBuilder }),
    );

    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    const record = ledger.records.get('StopImageBuilder#portal-1');
    expect(record?.watch).toMatchObject({
      state: 'WATCHING',
      name: 'finance-apps-builder',
      arn: imageBuilderArn('finance-apps-builder'),
      checks: 0,
    });
  });
});

describe('reads', () => {
  it('over HTTP answer only the caller: no record, no outcome, AWS asked each time', async () => {
    const { aws, ledger, pipeline } = setup();
    const list = () =>
      pipeline.run(
        request({
          ...overHttp,
          clientToken: undefined,
          operation: 'ListInfrastructureConfigurations',
          input: { maxResults: 5 },
        }),
      );

    expect(await list()).toMatchObject({ status: 'SUCCEEDED', replayed: false });
    expect(await list()).toMatchObject({ status: 'SUCCEEDED', replayed: false });

    expect(aws.imagebuilder.commandCalls(ListInfrastructureConfigurationsCommand)).toHaveLength(2);
    expect(ledger.committed).toEqual([]);
  });

  it('on the queue are read once per token and announce their answer', async () => {
    const { aws, ledger, pipeline } = setup();
    const describeBuilders = () =>
      pipeline.run(
        request({
          operation: 'DescribeImageBuilders',
          input: validRequests.DescribeImageBuilders,
        }),
      );

    await describeBuilders();
    const replay = await describeBuilders();

    expect(replay).toMatchObject({ status: 'SUCCEEDED', replayed: true });
    expect(aws.appstream.commandCalls(DescribeImageBuildersCommand)).toHaveLength(1);
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]).toMatchObject({
      operation: 'DescribeImageBuilders',
      status: 'SUCCEEDED',
      subject: 'finance-apps-builder',
    });
  });
});
