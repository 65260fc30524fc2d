import {
  CreateInfrastructureConfigurationCommand,
  DeleteInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  InvalidPaginationTokenException,
  InvalidRequestException,
  ListInfrastructureConfigurationsCommand,
  type ListInfrastructureConfigurationsCommandInput,
  ResourceDependencyException,
  ResourceNotFoundException,
} from '@aws-sdk/client-imagebuilder';
import { beforeEach, describe, expect, it } from 'vitest';
import { ISO_8601, infrastructureInput, UUID } from './fixtures.js';
import {
  ARN_PATTERNS,
  infrastructureArn,
  listPipelines,
  putPipeline,
  rejectionOf,
  resetState,
  uniqueName,
  useEmulator,
} from './support.js';

const emulator = useEmulator();

beforeEach(async () => {
  await resetState(emulator.endpoint);
});

const create = (overrides: Parameters<typeof infrastructureInput>[0] = {}) =>
  emulator.imagebuilder.send(
    new CreateInfrastructureConfigurationCommand(infrastructureInput(overrides)),
  );

const list = (input: ListInfrastructureConfigurationsCommandInput = {}) =>
  emulator.imagebuilder.send(new ListInfrastructureConfigurationsCommand(input));

const deleteArn = (infrastructureConfigurationArn: string | undefined) =>
  emulator.imagebuilder.send(
    new DeleteInfrastructureConfigurationCommand({ infrastructureConfigurationArn }),
  );

describe('ListInfrastructureConfigurations', () => {
  it('returns a summary of each configuration with its tags, as the model defines it', async () => {
    // Prepare
    const input = infrastructureInput({
      name: 'Listed Infra',
      placement: { availabilityZone: 'us-east-1a', tenancy: 'default' },
    });
    const { infrastructureConfigurationArn } = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(input),
    );

    // Act
    const output = await list();

    // Assess
    expect(output.requestId).toMatch(UUID);
    expect(output.nextToken).toBeUndefined();
    expect(output.infrastructureConfigurationSummaryList).toEqual([
      {
        arn: infrastructureConfigurationArn,
        name: 'Listed Infra',
        description: input.description,
        instanceTypes: input.instanceTypes,
        instanceProfileName: input.instanceProfileName,
        resourceTags: input.resourceTags,
        placement: input.placement,
        tags: input.tags,
        dateCreated: expect.stringMatching(ISO_8601),
      },
    ]);
    expect(output.infrastructureConfigurationSummaryList?.[0]?.arn).toMatch(
      ARN_PATTERNS.imageBuilderGeneric,
    );
  });

  it('leaves out the members a configuration does not have (no tags, no description)', async () => {
    // Prepare
    await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand({
        name: 'bare-infra',
        instanceProfileName: 'p',
      }),
    );

    // Act
    const raw = await fetch(`${emulator.endpoint}/ListInfrastructureConfigurations`, {
      method: 'POST',
      body: '{}',
    });

    // Assess
    const body = (await raw.json()) as { infrastructureConfigurationSummaryList: unknown[] };
    expect(raw.status).toBe(200);
    expect(body.infrastructureConfigurationSummaryList).toEqual([
      {
        arn: infrastructureArn('bare-infra'),
        name: 'bare-infra',
        instanceProfileName: 'p',
        dateCreated: expect.stringMatching(ISO_8601),
      },
    ]);
  });

  it('filters on name: any of the values, exactly', async () => {
    // Prepare
    await create({ name: 'filter-alpha' });
    await create({ name: 'filter-beta' });
    await create({ name: 'filter-alphabet' });

    // Act
    const output = await list({
      filters: [{ name: 'name', values: ['filter-alpha', 'filter-beta', 'filter-missing'] }],
    });

    // Assess
    expect(output.infrastructureConfigurationSummaryList?.map(({ name }) => name)).toEqual([
      'filter-alpha',
      'filter-beta',
    ]);
  });

  it('pages with maxResults and an opaque nextToken until the last page, which has none', async () => {
    // Prepare
    const names = ['page-a', 'page-b', 'page-c', 'page-d', 'page-e'];
    for (const name of names) await create({ name });

    // Act
    const pages: string[][] = [];
    const tokens: (string | undefined)[] = [];
    let nextToken: string | undefined;
    do {
      const output = await list({ maxResults: 2, nextToken });
      pages.push(
        (output.infrastructureConfigurationSummaryList ?? []).map(({ name }) => name ?? ''),
      );
      nextToken = output.nextToken;
      tokens.push(nextToken);
    } while (nextToken);

    // Assess
    expect(pages).toEqual([['page-a', 'page-b'], ['page-c', 'page-d'], ['page-e']]);
    expect(tokens.at(-1)).toBeUndefined();
    for (const token of tokens.slice(0, -1)) expect(token).not.toContain('page-');
  });

  it('answers 25 per page when maxResults is absent', async () => {
    // Prepare
    for (let index = 0; index < 26; index += 1) {
      await create({ name: `many-${String(index).padStart(2, '0')}` });
    }

    // Act
    const first = await list();
    const second = await list({ nextToken: first.nextToken });

    // Assess
    expect(first.infrastructureConfigurationSummaryList).toHaveLength(25);
    expect(second.infrastructureConfigurationSummaryList?.map(({ name }) => name)).toEqual([
      'many-25',
    ]);
    expect(second.nextToken).toBeUndefined();
  });

  it('continues after the last item served when that item was deleted between pages', async () => {
    // Prepare
    for (const name of ['gone-a', 'gone-b', 'gone-c']) await create({ name });
    const first = await list({ maxResults: 2 });
    await deleteArn(infrastructureArn('gone-b'));

    // Act
    const second = await list({ maxResults: 2, nextToken: first.nextToken });

    // Assess
    expect(second.infrastructureConfigurationSummaryList?.map(({ name }) => name)).toEqual([
      'gone-c',
    ]);
  });

  it.each([
    ['a token that does not decode', () => 'not-a-token'],
    ['a token issued for other filters', async () => (await list({ maxResults: 1 })).nextToken],
  ])('fails with InvalidPaginationTokenException (400) for %s', async (_case, token) => {
    // Prepare
    await create({ name: 'token-a' });
    await create({ name: 'token-b' });
    const nextToken = await token();

    // Act
    const error = await rejectionOf(
      list({
        filters: [{ name: 'name', values: ['token-a', 'token-b'] }],
        maxResults: 1,
        nextToken,
      }),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidPaginationTokenException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe('The nextToken is not valid.');
  });

  it.each([
    [
      'maxResults above 25',
      { maxResults: 26 },
      "1 validation error detected: Value '26' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25",
    ],
    [
      'a filter name other than name',
      { filters: [{ name: 'platform', values: ['Linux'] }] },
      "The filter name 'platform' is not supported. Supported filter names: name.",
    ],
    [
      'a name filter without values',
      { filters: [{ name: 'name' }] },
      "The filter 'name' requires values.",
    ],
  ])('fails with InvalidRequestException (400) for %s', async (_case, input, message) => {
    // Act
    const error = await rejectionOf(list(input));

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(message);
  });
});

describe('DeleteInfrastructureConfiguration', () => {
  it('deletes: the answer names the ARN, Get then fails and List leaves it out', async () => {
    // Prepare
    const { infrastructureConfigurationArn } = await create({ name: 'delete-me' });
    await create({ name: 'keep-me' });

    // Act
    const output = await deleteArn(infrastructureConfigurationArn);
    const getError = await rejectionOf(
      emulator.imagebuilder.send(
        new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn }),
      ),
    );
    const listed = await list();

    // Assess
    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(output.requestId).toMatch(UUID);
    expect(output.infrastructureConfigurationArn).toBe(infrastructureConfigurationArn);
    expect(getError).toBeInstanceOf(ResourceNotFoundException);
    expect(listed.infrastructureConfigurationSummaryList?.map(({ name }) => name)).toEqual([
      'keep-me',
    ]);
  });

  it('lets the name be used again once deleted', async () => {
    // Prepare
    const { infrastructureConfigurationArn } = await create({ name: 'reused-name' });
    await deleteArn(infrastructureConfigurationArn);

    // Act
    const again = await create({ name: 'reused-name' });

    // Assess
    expect(again.infrastructureConfigurationArn).toBe(infrastructureConfigurationArn);
  });

  it('fails with ResourceNotFoundException (404) for an unknown ARN and for a second delete', async () => {
    // Prepare
    const { infrastructureConfigurationArn } = await create({ name: 'twice-deleted' });
    await deleteArn(infrastructureConfigurationArn);

    // Act
    const again = await rejectionOf(deleteArn(infrastructureConfigurationArn));
    const unknown = await rejectionOf(deleteArn(infrastructureArn('never-created')));

    // Assess
    for (const error of [again, unknown]) {
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.$metadata?.httpStatusCode).toBe(404);
    }
    expect(unknown.message).toBe(
      `The resource '${infrastructureArn('never-created')}' does not exist.`,
    );
  });

  it('fails with ResourceDependencyException (400) while a pipeline uses it, and keeps it', async () => {
    // Prepare
    const { infrastructureConfigurationArn } = await create({ name: 'in-use-infra' });
    const pipeline = await putPipeline(emulator.endpoint, 'golden-pipeline', {
      infrastructureConfigurationArn,
    });

    // Act
    const error = await rejectionOf(deleteArn(infrastructureConfigurationArn));
    const still = await emulator.imagebuilder.send(
      new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn }),
    );

    // Assess
    expect(pipeline).toEqual({
      status: 200,
      body: {
        name: 'golden-pipeline',
        arn: 'arn:aws:imagebuilder:us-east-1:000000000000:image-pipeline/golden-pipeline',
        infrastructureConfigurationArn,
      },
    });
    expect(error).toBeInstanceOf(ResourceDependencyException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      `The resource '${infrastructureConfigurationArn}' cannot be deleted because it is used by: arn:aws:imagebuilder:us-east-1:000000000000:image-pipeline/golden-pipeline.`,
    );
    expect(still.infrastructureConfiguration?.arn).toBe(infrastructureConfigurationArn);
  });

  it('fails with InvalidRequestException (400) for an ARN outside the model pattern', async () => {
    // Act
    const error = await rejectionOf(deleteArn('arn:aws:imagebuilder:us-east-1:1:image/x'));

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toMatch(
      /at 'infrastructureConfigurationArn' failed to satisfy constraint/,
    );
  });
});

describe('stand-in pipelines (control API)', () => {
  it('are listed, forgotten one by one, and refused with a bad name or body (400)', async () => {
    // Prepare
    const distributionConfigurationArn =
      'arn:aws:imagebuilder:us-east-1:000000000000:distribution-configuration/d';
    const name = uniqueName('pipe');
    await putPipeline(emulator.endpoint, name, { distributionConfigurationArn });

    // Act
    const listed = await listPipelines(emulator.endpoint);
    const badName = await putPipeline(emulator.endpoint, 'x', { distributionConfigurationArn });
    const noUse = await putPipeline(emulator.endpoint, uniqueName('pipe'), {});
    const badArn = await putPipeline(emulator.endpoint, uniqueName('pipe'), {
      infrastructureConfigurationArn: distributionConfigurationArn,
    });
    const extra = await putPipeline(emulator.endpoint, uniqueName('pipe'), { schedule: 'daily' });
    const forgotten = await fetch(`${emulator.endpoint}/_emulator/pipelines/${name}`, {
      method: 'DELETE',
    });
    const after = await listPipelines(emulator.endpoint);

    // Assess
    expect(listed.body).toEqual({
      pipelines: [
        { name, arn: expect.stringContaining(':image-pipeline/'), distributionConfigurationArn },
      ],
    });
    expect(badName).toEqual({
      status: 400,
      body: { error: "'x' is not an Image Builder resource name" },
    });
    expect(noUse).toEqual({
      status: 400,
      body: { error: 'give infrastructureConfigurationArn and/or distributionConfigurationArn' },
    });
    expect(badArn.status).toBe(400);
    expect(badArn.body).toEqual({
      error: expect.stringMatching(/^'infrastructureConfigurationArn' must match/),
    });
    expect(extra).toEqual({
      status: 400,
      body: {
        error:
          "'schedule' is not allowed (allowed: infrastructureConfigurationArn, distributionConfigurationArn)",
      },
    });
    expect(forgotten.status).toBe(204);
    expect(after.body).toEqual({ pipelines: [] });
  });
});
