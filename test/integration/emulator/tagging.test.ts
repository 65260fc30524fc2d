import {
  ResourceNotFoundException as AppStreamNotFoundException,
  CreateImageBuilderCommand,
  LimitExceededException,
  ListTagsForResourceCommand as ListAppStreamTagsCommand,
  TagResourceCommand as TagAppStreamResourceCommand,
  UntagResourceCommand as UntagAppStreamResourceCommand,
} from '@aws-sdk/client-appstream';
import {
  CreateDistributionConfigurationCommand,
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListTagsForResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import { infrastructureInput } from './fixtures.js';
import {
  builderInput,
  infrastructureArn,
  listCalls,
  REGION,
  rejectionOf,
  uniqueName,
  useEmulator,
} from './support.js';

const emulator = useEmulator();

const fiftyTags = (prefix: string) =>
  Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`${prefix}${index}`, 'v']));

describe('Image Builder ListTagsForResource, TagResource, UntagResource', () => {
  it('read, add and remove the tags of an infrastructure configuration, as Get shows them', async () => {
    // Prepare
    const { infrastructureConfigurationArn: resourceArn } = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(
        infrastructureInput({ tags: { team: 'images', stage: 'dev' } }),
      ),
    );

    // Act
    const before = await emulator.imagebuilder.send(
      new ListTagsForResourceCommand({ resourceArn }),
    );
    await emulator.imagebuilder.send(
      new TagResourceCommand({ resourceArn, tags: { stage: 'prod', owner: 'platform' } }),
    );
    await emulator.imagebuilder.send(
      new UntagResourceCommand({ resourceArn, tagKeys: ['team', 'absent'] }),
    );
    const after = await emulator.imagebuilder.send(new ListTagsForResourceCommand({ resourceArn }));
    const read = await emulator.imagebuilder.send(
      new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn: resourceArn }),
    );
    const calls = await listCalls(emulator.endpoint);

    // Assess
    expect(before.tags).toEqual({ team: 'images', stage: 'dev' });
    expect(after.tags).toEqual({ stage: 'prod', owner: 'platform' });
    expect(read.infrastructureConfiguration?.tags).toEqual({ stage: 'prod', owner: 'platform' });
    expect(calls.slice(1, 4).map(({ operation, input }) => ({ operation, input }))).toEqual([
      { operation: 'ListTagsForResource', input: { resourceArn } },
      {
        operation: 'TagResource',
        input: { resourceArn, tags: { stage: 'prod', owner: 'platform' } },
      },
      { operation: 'UntagResource', input: { resourceArn, tagKeys: ['team', 'absent'] } },
    ]);
  });

  it('answers {} for a distribution configuration without tags', async () => {
    // Prepare
    const { distributionConfigurationArn: resourceArn } = await emulator.imagebuilder.send(
      new CreateDistributionConfigurationCommand({
        name: uniqueName('untagged-dist'),
        distributions: [{ region: REGION }],
      }),
    );

    // Act
    const output = await emulator.imagebuilder.send(
      new ListTagsForResourceCommand({ resourceArn }),
    );

    // Assess
    expect(output.tags).toEqual({});
  });

  it('fails with ResourceNotFoundException (404) for an ARN that does not exist', async () => {
    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new TagResourceCommand({ resourceArn: infrastructureArn('nobody'), tags: { a: 'b' } }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toBe(`The resource '${infrastructureArn('nobody')}' does not exist.`);
  });

  it('fails with InvalidParameterException (400) beyond 50 tags, changing nothing', async () => {
    // Prepare
    const { infrastructureConfigurationArn: resourceArn } = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(infrastructureInput({ tags: { kept: 'yes' } })),
    );

    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(new TagResourceCommand({ resourceArn, tags: fiftyTags('k') })),
    );
    const after = await emulator.imagebuilder.send(new ListTagsForResourceCommand({ resourceArn }));

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      'A resource can have at most 50 tags; this request would give it 51.',
    );
    expect(after.tags).toEqual({ kept: 'yes' });
  });

  it('fails with InvalidRequestException (400) for a tag key starting with aws:', async () => {
    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new TagResourceCommand({ resourceArn: infrastructureArn('x'), tags: { 'aws:x': 'y' } }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toMatch(/at 'tags\.aws:x\.key' failed to satisfy constraint/);
  });
});

describe('AppStream ListTagsForResource, TagResource, UntagResource', () => {
  it('read the tags a builder was created with, add and remove some', async () => {
    // Prepare
    const { ImageBuilder } = await emulator.appstream.send(
      new CreateImageBuilderCommand(builderInput({ Tags: { team: 'design' } })),
    );
    const ResourceArn = ImageBuilder?.Arn;

    // Act
    const before = await emulator.appstream.send(new ListAppStreamTagsCommand({ ResourceArn }));
    await emulator.appstream.send(
      new TagAppStreamResourceCommand({ ResourceArn, Tags: { owner: 'platform' } }),
    );
    await emulator.appstream.send(
      new UntagAppStreamResourceCommand({ ResourceArn, TagKeys: ['team'] }),
    );
    const after = await emulator.appstream.send(new ListAppStreamTagsCommand({ ResourceArn }));

    // Assess
    expect(before.Tags).toEqual({ team: 'design' });
    expect(after.Tags).toEqual({ owner: 'platform' });
  });

  it('answers {} for a builder created directly, without tags (as a resource made outside the service)', async () => {
    // Prepare
    const { ImageBuilder } = await emulator.appstream.send(
      new CreateImageBuilderCommand(builderInput()),
    );

    // Act
    const output = await emulator.appstream.send(
      new ListAppStreamTagsCommand({ ResourceArn: ImageBuilder?.Arn }),
    );

    // Assess
    expect(output.Tags).toEqual({});
  });

  it('fails with ResourceNotFoundException (404) for an unknown ARN', async () => {
    // Prepare
    const ResourceArn = `arn:aws:appstream:${REGION}:000000000000:image-builder/nobody`;

    // Act
    const error = await rejectionOf(
      emulator.appstream.send(new ListAppStreamTagsCommand({ ResourceArn })),
    );

    // Assess
    expect(error).toBeInstanceOf(AppStreamNotFoundException);
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('fails with LimitExceededException (400) beyond 50 tags', async () => {
    // Prepare
    const { ImageBuilder } = await emulator.appstream.send(
      new CreateImageBuilderCommand(builderInput({ Tags: { kept: 'yes' } })),
    );

    // Act
    const error = await rejectionOf(
      emulator.appstream.send(
        new TagAppStreamResourceCommand({ ResourceArn: ImageBuilder?.Arn, Tags: fiftyTags('k') }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(LimitExceededException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });
});
