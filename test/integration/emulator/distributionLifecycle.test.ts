import {
  CreateDistributionConfigurationCommand,
  type CreateDistributionConfigurationCommandInput,
  DeleteDistributionConfigurationCommand,
  GetDistributionConfigurationCommand,
  IdempotentParameterMismatchException,
  InvalidPaginationTokenException,
  InvalidParameterCombinationException,
  ListDistributionConfigurationsCommand,
  ResourceDependencyException,
  ResourceNotFoundException,
  UpdateDistributionConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { beforeEach, describe, expect, it } from 'vitest';
import { ISO_8601, UUID } from './fixtures.js';
import {
  ACCOUNT_ID,
  ARN_PATTERNS,
  putPipeline,
  REGION,
  rejectionOf,
  resetState,
  useEmulator,
} from './support.js';

const emulator = useEmulator();

beforeEach(async () => {
  await resetState(emulator.endpoint);
});

const amiDistribution = (region: string, name = 'golden-{{ imagebuilder:buildDate }}') => ({
  region,
  amiDistributionConfiguration: { name, targetAccountIds: [ACCOUNT_ID] },
});

const distributionArn = (id: string) =>
  `arn:aws:imagebuilder:${REGION}:${ACCOUNT_ID}:distribution-configuration/${id}`;

const create = (overrides: Partial<CreateDistributionConfigurationCommandInput> = {}) =>
  emulator.imagebuilder.send(
    new CreateDistributionConfigurationCommand({
      name: 'Golden Distribution',
      description: 'golden images',
      distributions: [amiDistribution(REGION)],
      tags: { team: 'images' },
      ...overrides,
    }),
  );

const get = (distributionConfigurationArn: string | undefined) =>
  emulator.imagebuilder.send(
    new GetDistributionConfigurationCommand({ distributionConfigurationArn }),
  );

describe('GetDistributionConfiguration', () => {
  it('returns the configuration with timeoutMinutes, dateCreated and tags', async () => {
    // Prepare
    const { distributionConfigurationArn } = await create();

    // Act
    const output = await get(distributionConfigurationArn);

    // Assess
    expect(output.requestId).toMatch(UUID);
    expect(output.distributionConfiguration).toEqual({
      arn: distributionArn('golden-distribution'),
      name: 'Golden Distribution',
      description: 'golden images',
      distributions: [amiDistribution(REGION)],
      timeoutMinutes: 720,
      dateCreated: expect.stringMatching(ISO_8601),
      tags: { team: 'images' },
    });
    expect(output.distributionConfiguration?.arn).toMatch(ARN_PATTERNS.imageBuilderGeneric);
  });

  it('fails with ResourceNotFoundException (404) for an unknown ARN', async () => {
    // Act
    const error = await rejectionOf(get(distributionArn('missing')));

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toBe(`The resource '${distributionArn('missing')}' does not exist.`);
  });
});

describe('UpdateDistributionConfiguration', () => {
  it('replaces description and distributions, keeps name and tags, sets dateUpdated', async () => {
    // Prepare
    const { distributionConfigurationArn } = await create();
    const distributions = [amiDistribution('eu-west-1'), amiDistribution('us-west-2')];

    // Act
    const output = await emulator.imagebuilder.send(
      new UpdateDistributionConfigurationCommand({
        distributionConfigurationArn,
        distributions,
        clientToken: 'update-dist-1',
      }),
    );
    const read = await get(distributionConfigurationArn);

    // Assess
    expect(output).toMatchObject({
      requestId: expect.stringMatching(UUID),
      clientToken: 'update-dist-1',
      distributionConfigurationArn,
    });
    const configuration = read.distributionConfiguration;
    expect(configuration?.distributions).toEqual(distributions);
    expect(configuration?.description).toBeUndefined();
    expect(configuration?.name).toBe('Golden Distribution');
    expect(configuration?.tags).toEqual({ team: 'images' });
    expect(configuration?.dateUpdated).toMatch(ISO_8601);
  });

  it('replays on the same clientToken and input, and refuses the token with another input', async () => {
    // Prepare
    const { distributionConfigurationArn } = await create();
    const input = {
      distributionConfigurationArn,
      description: 'first',
      distributions: [amiDistribution(REGION)],
      clientToken: 'update-dist-2',
    };
    const first = await emulator.imagebuilder.send(
      new UpdateDistributionConfigurationCommand(input),
    );
    const updatedAt = (await get(distributionConfigurationArn)).distributionConfiguration
      ?.dateUpdated;
    await new Promise((resolve) => setTimeout(resolve, 5));

    // Act
    const replay = await emulator.imagebuilder.send(
      new UpdateDistributionConfigurationCommand(input),
    );
    const mismatch = await rejectionOf(
      emulator.imagebuilder.send(
        new UpdateDistributionConfigurationCommand({ ...input, description: 'second' }),
      ),
    );
    const after = await get(distributionConfigurationArn);

    // Assess
    expect(replay.distributionConfigurationArn).toBe(first.distributionConfigurationArn);
    expect(replay.requestId).not.toBe(first.requestId);
    expect(after.distributionConfiguration?.dateUpdated).toBe(updatedAt);
    expect(after.distributionConfiguration?.description).toBe('first');
    expect(mismatch).toBeInstanceOf(IdempotentParameterMismatchException);
    expect(mismatch.$metadata?.httpStatusCode).toBe(400);
  });

  it('fails with ResourceNotFoundException (404) for an unknown ARN', async () => {
    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new UpdateDistributionConfigurationCommand({
          distributionConfigurationArn: distributionArn('missing'),
          distributions: [amiDistribution(REGION)],
        }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });

  it('fails with InvalidParameterCombinationException (400) for a Region given twice', async () => {
    // Prepare
    const { distributionConfigurationArn } = await create();

    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new UpdateDistributionConfigurationCommand({
          distributionConfigurationArn,
          distributions: [amiDistribution(REGION), amiDistribution(REGION, 'other-name')],
        }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterCombinationException);
    expect(error.message).toBe(`Region '${REGION}' appears in more than one distribution.`);
  });
});

describe('ListDistributionConfigurations', () => {
  it('returns summaries with the Regions, filtered by name and paged', async () => {
    // Prepare
    await create({
      name: 'dist-a',
      distributions: [amiDistribution(REGION), amiDistribution('eu-west-1')],
    });
    await create({ name: 'dist-b', tags: undefined, description: undefined });
    await create({ name: 'dist-c' });
    const filters = [{ name: 'name', values: ['dist-a', 'dist-b'] }];

    // Act
    const first = await emulator.imagebuilder.send(
      new ListDistributionConfigurationsCommand({ filters, maxResults: 1 }),
    );
    const second = await emulator.imagebuilder.send(
      new ListDistributionConfigurationsCommand({
        filters,
        maxResults: 1,
        nextToken: first.nextToken,
      }),
    );
    const wrongToken = await rejectionOf(
      emulator.imagebuilder.send(
        new ListDistributionConfigurationsCommand({ maxResults: 1, nextToken: first.nextToken }),
      ),
    );

    // Assess
    expect(first.requestId).toMatch(UUID);
    expect(first.distributionConfigurationSummaryList).toEqual([
      {
        arn: distributionArn('dist-a'),
        name: 'dist-a',
        description: 'golden images',
        dateCreated: expect.stringMatching(ISO_8601),
        tags: { team: 'images' },
        regions: [REGION, 'eu-west-1'],
      },
    ]);
    expect(second.distributionConfigurationSummaryList).toEqual([
      {
        arn: distributionArn('dist-b'),
        name: 'dist-b',
        dateCreated: expect.stringMatching(ISO_8601),
        regions: [REGION],
      },
    ]);
    expect(second.nextToken).toBeUndefined();
    expect(wrongToken).toBeInstanceOf(InvalidPaginationTokenException);
  });
});

describe('DeleteDistributionConfiguration', () => {
  it('deletes: Get then fails with ResourceNotFoundException, a second delete too', async () => {
    // Prepare
    const { distributionConfigurationArn } = await create();

    // Act
    const output = await emulator.imagebuilder.send(
      new DeleteDistributionConfigurationCommand({ distributionConfigurationArn }),
    );
    const getError = await rejectionOf(get(distributionConfigurationArn));
    const again = await rejectionOf(
      emulator.imagebuilder.send(
        new DeleteDistributionConfigurationCommand({ distributionConfigurationArn }),
      ),
    );

    // Assess
    expect(output.requestId).toMatch(UUID);
    expect(output.distributionConfigurationArn).toBe(distributionConfigurationArn);
    expect(getError).toBeInstanceOf(ResourceNotFoundException);
    expect(again).toBeInstanceOf(ResourceNotFoundException);
    expect(again.$metadata?.httpStatusCode).toBe(404);
  });

  it('fails with ResourceDependencyException (400) while a pipeline uses it', async () => {
    // Prepare
    const { distributionConfigurationArn } = await create();
    await putPipeline(emulator.endpoint, 'distributing-pipeline', { distributionConfigurationArn });

    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new DeleteDistributionConfigurationCommand({ distributionConfigurationArn }),
      ),
    );
    const still = await get(distributionConfigurationArn);

    // Assess
    expect(error).toBeInstanceOf(ResourceDependencyException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toContain(':image-pipeline/distributing-pipeline');
    expect(still.distributionConfiguration?.arn).toBe(distributionConfigurationArn);
  });
});
