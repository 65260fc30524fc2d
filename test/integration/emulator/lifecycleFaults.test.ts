import {
  ConcurrentModificationException,
  CreateImageBuilderCommand,
  DeleteImageBuilderCommand,
  DescribeImageBuildersCommand,
  IncompatibleImageException,
  InvalidAccountStatusException,
  ListTagsForResourceCommand as ListAppStreamTagsCommand,
  OperationNotPermittedException,
  StartImageBuilderCommand,
  StopImageBuilderCommand,
  TagResourceCommand as TagAppStreamResourceCommand,
  UntagResourceCommand as UntagAppStreamResourceCommand,
} from '@aws-sdk/client-appstream';
import {
  CallRateLimitExceededException,
  CreateInfrastructureConfigurationCommand,
  DeleteDistributionConfigurationCommand,
  DeleteInfrastructureConfigurationCommand,
  ForbiddenException,
  GetDistributionConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  InvalidPaginationTokenException,
  InvalidParameterException,
  ListDistributionConfigurationsCommand,
  ListInfrastructureConfigurationsCommand,
  ListTagsForResourceCommand,
  ResourceDependencyException,
  ResourceInUseException,
  ServiceException,
  ServiceUnavailableException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateDistributionConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import {
  builderHelpers,
  type ErrorClass,
  infrastructureArn,
  injectFault,
  listCalls,
  REGION,
  rejectionOf,
  uniqueName,
  useEmulator,
} from './support.js';

const emulator = useEmulator({ appstreamReadyDelayMs: 0 });
const { describeBuilder, createBuilder } = builderHelpers(emulator);

const DISTRIBUTION_ARN = `arn:aws:imagebuilder:${REGION}:000000000000:distribution-configuration/faulted`;
const BUILDER_ARN = `arn:aws:appstream:${REGION}:000000000000:image-builder/faulted`;
const ib = () => emulator.imagebuilder;
const as = () => emulator.appstream;

/**
 * Each new operation with one error from its model's list (or ResourceNotFoundException, which
 * the emulator answers for unknown resources) and a valid call of it: the injected fault wins.
 */
type Case = [string, string, ErrorClass, number, () => Promise<unknown>];

const IMAGEBUILDER_CASES: readonly Case[] = [
  [
    'ListInfrastructureConfigurations',
    'InvalidPaginationTokenException',
    InvalidPaginationTokenException,
    400,
    () => ib().send(new ListInfrastructureConfigurationsCommand({})),
  ],
  [
    'DeleteInfrastructureConfiguration',
    'ResourceDependencyException',
    ResourceDependencyException,
    400,
    () =>
      ib().send(
        new DeleteInfrastructureConfigurationCommand({
          infrastructureConfigurationArn: infrastructureArn('faulted'),
        }),
      ),
  ],
  [
    'ListDistributionConfigurations',
    'CallRateLimitExceededException',
    CallRateLimitExceededException,
    429,
    () => ib().send(new ListDistributionConfigurationsCommand({})),
  ],
  [
    'GetDistributionConfiguration',
    'ForbiddenException',
    ForbiddenException,
    403,
    () =>
      ib().send(
        new GetDistributionConfigurationCommand({ distributionConfigurationArn: DISTRIBUTION_ARN }),
      ),
  ],
  [
    'UpdateDistributionConfiguration',
    'ResourceInUseException',
    ResourceInUseException,
    400,
    () =>
      ib().send(
        new UpdateDistributionConfigurationCommand({
          distributionConfigurationArn: DISTRIBUTION_ARN,
          distributions: [{ region: REGION }],
        }),
      ),
  ],
  [
    'DeleteDistributionConfiguration',
    'ServiceUnavailableException',
    ServiceUnavailableException,
    503,
    () =>
      ib().send(
        new DeleteDistributionConfigurationCommand({
          distributionConfigurationArn: DISTRIBUTION_ARN,
        }),
      ),
  ],
  [
    'ListTagsForResource',
    'ServiceException',
    ServiceException,
    500,
    () => ib().send(new ListTagsForResourceCommand({ resourceArn: DISTRIBUTION_ARN })),
  ],
  [
    'TagResource',
    'InvalidParameterException',
    InvalidParameterException,
    400,
    () => ib().send(new TagResourceCommand({ resourceArn: DISTRIBUTION_ARN, tags: { a: 'b' } })),
  ],
  [
    'UntagResource',
    'ServiceException',
    ServiceException,
    500,
    () => ib().send(new UntagResourceCommand({ resourceArn: DISTRIBUTION_ARN, tagKeys: ['a'] })),
  ],
];

const APPSTREAM_CASES: readonly Case[] = [
  [
    'StopImageBuilder',
    'OperationNotPermittedException',
    OperationNotPermittedException,
    400,
    () => as().send(new StopImageBuilderCommand({ Name: 'faulted' })),
  ],
  [
    'StartImageBuilder',
    'IncompatibleImageException',
    IncompatibleImageException,
    400,
    () => as().send(new StartImageBuilderCommand({ Name: 'faulted' })),
  ],
  [
    'DeleteImageBuilder',
    'ConcurrentModificationException',
    ConcurrentModificationException,
    400,
    () => as().send(new DeleteImageBuilderCommand({ Name: 'faulted' })),
  ],
  [
    'ListTagsForResource',
    'ConcurrentModificationException',
    ConcurrentModificationException,
    400,
    () => as().send(new ListAppStreamTagsCommand({ ResourceArn: BUILDER_ARN })),
  ],
  [
    'TagResource',
    'InvalidAccountStatusException',
    InvalidAccountStatusException,
    400,
    () =>
      as().send(new TagAppStreamResourceCommand({ ResourceArn: BUILDER_ARN, Tags: { a: 'b' } })),
  ],
  [
    'UntagResource',
    'ConcurrentModificationException',
    ConcurrentModificationException,
    400,
    () =>
      as().send(new UntagAppStreamResourceCommand({ ResourceArn: BUILDER_ARN, TagKeys: ['a'] })),
  ],
];

const CASES = [
  ...IMAGEBUILDER_CASES.map((entry) => ['imagebuilder', ...entry] as const),
  ...APPSTREAM_CASES.map((entry) => ['appstream', ...entry] as const),
];

describe('faults injected on the lifecycle and tagging operations', () => {
  it.each(CASES)(
    '%s %s surfaces an injected %s as the SDK exception class',
    async (service, operation, errorName, errorClass, status, call) => {
      // Prepare
      const message = `injected ${errorName} for ${operation}`;
      await injectFault(emulator.endpoint, { operation, service, error: errorName, message });

      // Act
      const error = await rejectionOf(call());

      // Assess
      expect(error).toBeInstanceOf(errorClass);
      expect(error.name).toBe(errorName);
      expect(error.$metadata?.httpStatusCode).toBe(status);
      expect(error.message).toBe(message);
    },
  );

  it('a fault limited to one service leaves the same operation of the other service alone', async () => {
    // Prepare
    const name = uniqueName('tagged');
    await createBuilder(name);
    const { Arn } = await describeBuilder(name);
    await injectFault(emulator.endpoint, {
      operation: 'ListTagsForResource',
      service: 'imagebuilder',
      error: 'ServiceException',
      count: -1,
    });

    // Act
    const output = await as().send(new ListAppStreamTagsCommand({ ResourceArn: Arn }));

    // Assess
    expect(output.Tags).toEqual({});
  });

  it('a faulted delete deletes nothing and a faulted stop leaves the builder RUNNING', async () => {
    // Prepare
    const { infrastructureConfigurationArn } = await ib().send(
      new CreateInfrastructureConfigurationCommand({
        name: uniqueName('kept'),
        instanceProfileName: 'p',
      }),
    );
    const name = uniqueName('running');
    await createBuilder(name);
    await injectFault(emulator.endpoint, {
      operation: 'DeleteInfrastructureConfiguration',
      error: 'ServiceUnavailableException',
    });
    await injectFault(emulator.endpoint, {
      operation: 'StopImageBuilder',
      error: 'ConnectionReset',
    });

    // Act
    await rejectionOf(
      ib().send(new DeleteInfrastructureConfigurationCommand({ infrastructureConfigurationArn })),
    );
    await rejectionOf(as().send(new StopImageBuilderCommand({ Name: name })));
    const kept = await ib().send(
      new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn }),
    );
    const builder = await describeBuilder(name);

    // Assess
    expect(kept.infrastructureConfiguration?.arn).toBe(infrastructureConfigurationArn);
    expect(builder.State).toBe('RUNNING');
  });
});

describe('calls log: reads and writes', () => {
  it('marks Get/List/Describe calls read and every other call write; ?access= keeps one kind', async () => {
    // Prepare
    const name = uniqueName('counted');
    await as().send(
      new CreateImageBuilderCommand({
        Name: name,
        InstanceType: 'stream.standard.small',
        ImageName: 'AppStream-WinServer2022-06-17-2024',
      }),
    );
    await as().send(new DescribeImageBuildersCommand({ Names: [name] }));
    await as().send(new StopImageBuilderCommand({ Name: name }));
    await rejectionOf(as().send(new StopImageBuilderCommand({ Name: name })));
    await ib().send(new ListInfrastructureConfigurationsCommand({}));
    await rejectionOf(
      ib().send(new TagResourceCommand({ resourceArn: DISTRIBUTION_ARN, tags: { a: 'b' } })),
    );

    // Act
    const all = await listCalls(emulator.endpoint);
    const writes = await listCalls(emulator.endpoint, 'write');
    const reads = await listCalls(emulator.endpoint, 'read');
    const bad = await fetch(`${emulator.endpoint}/_emulator/calls?access=both`);

    // Assess
    expect(all.map(({ operation, access }) => `${operation}:${access}`)).toEqual([
      'CreateImageBuilder:write',
      'DescribeImageBuilders:read',
      'StopImageBuilder:write',
      'StopImageBuilder:write',
      'ListInfrastructureConfigurations:read',
      'TagResource:write',
    ]);
    expect(writes.map(({ operation }) => operation)).toEqual([
      'CreateImageBuilder',
      'StopImageBuilder',
      'StopImageBuilder',
      'TagResource',
    ]);
    expect(reads.map(({ operation }) => operation)).toEqual([
      'DescribeImageBuilders',
      'ListInfrastructureConfigurations',
    ]);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "'access' must be 'read' or 'write'" });
  });

  it('counts an operation the emulator does not implement by its name as well', async () => {
    // Act
    await rejectionOf(
      fetch(`${emulator.endpoint}/DeleteImagePipeline?imagePipelineArn=x`, {
        method: 'DELETE',
      }).then((response) =>
        response.ok ? response : Promise.reject(new Error(String(response.status))),
      ),
    );
    const [call] = await listCalls(emulator.endpoint);

    // Assess
    expect(call).toMatchObject({
      operation: 'DeleteImagePipeline',
      access: 'write',
      error: 'UnknownOperationException',
    });
  });
});
