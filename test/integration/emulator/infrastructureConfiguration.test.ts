import {
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  IdempotentParameterMismatchException,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import { ISO_8601, infrastructureInput, UUID } from './fixtures.js';
import {
  ACCOUNT_ID,
  ARN_PATTERNS,
  infrastructureArn,
  REGION,
  rejectionOf,
  useEmulator,
} from './support.js';

const emulator = useEmulator();

describe('CreateInfrastructureConfiguration', () => {
  it('returns a requestId, the clientToken and an ARN derived from the lower-cased name', async () => {
    // Prepare
    const input = infrastructureInput({
      name: 'Golden Image Infra',
      clientToken: 'token-create-1',
    });

    // Act
    const output = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(input),
    );

    // Assess
    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(output.requestId).toMatch(UUID);
    expect(output.clientToken).toBe('token-create-1');
    expect(output.infrastructureConfigurationArn).toBe(
      `arn:aws:imagebuilder:${REGION}:${ACCOUNT_ID}:infrastructure-configuration/golden-image-infra`,
    );
    expect(output.infrastructureConfigurationArn).toMatch(ARN_PATTERNS.infrastructureConfiguration);
  });

  it('replays the first response when the same clientToken comes with the same input', async () => {
    // Prepare
    const input = infrastructureInput({ clientToken: 'token-replay-1' });
    const first = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(input),
    );

    // Act
    const second = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(input),
    );

    // Assess
    expect(second.infrastructureConfigurationArn).toBe(first.infrastructureConfigurationArn);
    expect(second.clientToken).toBe('token-replay-1');
  });

  it('fails with IdempotentParameterMismatchException when the same clientToken comes with another input', async () => {
    // Prepare
    const input = infrastructureInput({ clientToken: 'token-mismatch-1' });
    await emulator.imagebuilder.send(new CreateInfrastructureConfigurationCommand(input));

    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new CreateInfrastructureConfigurationCommand({ ...input, description: 'something else' }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(IdempotentParameterMismatchException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('fails with ResourceAlreadyExistsException when the name is taken under a new clientToken', async () => {
    // Prepare
    const input = infrastructureInput();
    await emulator.imagebuilder.send(new CreateInfrastructureConfigurationCommand(input));

    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new CreateInfrastructureConfigurationCommand({ ...input, clientToken: 'other' }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(ResourceAlreadyExistsException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toContain('already exists');
  });
});

describe('GetInfrastructureConfiguration', () => {
  it('returns every stored member with the ARN, ISO-8601 dateCreated and tags', async () => {
    // Prepare
    const input = infrastructureInput({ name: 'Get Me Infra' });
    const { infrastructureConfigurationArn } = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(input),
    );

    // Act
    const output = await emulator.imagebuilder.send(
      new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn }),
    );

    // Assess
    const configuration = output.infrastructureConfiguration;
    expect(output.requestId).toMatch(UUID);
    expect(configuration?.arn).toBe(infrastructureConfigurationArn);
    expect(configuration?.arn).toMatch(ARN_PATTERNS.imageBuilderGeneric);
    expect(configuration).toMatchObject({
      name: 'Get Me Infra',
      description: input.description,
      instanceTypes: input.instanceTypes,
      instanceProfileName: input.instanceProfileName,
      securityGroupIds: input.securityGroupIds,
      subnetId: input.subnetId,
      logging: input.logging,
      terminateInstanceOnFailure: true,
      snsTopicArn: input.snsTopicArn,
      instanceMetadataOptions: input.instanceMetadataOptions,
      resourceTags: input.resourceTags,
      tags: input.tags,
    });
    expect(configuration?.dateCreated).toMatch(ISO_8601);
    expect(configuration?.dateUpdated).toBeUndefined();
  });

  it('leaves tags out for a configuration created without tags (a TagMap holds at least one entry)', async () => {
    // Prepare
    const { tags: _omitted, ...input } = infrastructureInput({ name: 'Untagged Infra' });
    const { infrastructureConfigurationArn } = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(input),
    );

    // Act
    const output = await emulator.imagebuilder.send(
      new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn }),
    );
    const raw = await fetch(
      `${emulator.endpoint}/GetInfrastructureConfiguration?infrastructureConfigurationArn=${encodeURIComponent(infrastructureConfigurationArn ?? '')}`,
    );
    const body = (await raw.json()) as { infrastructureConfiguration: Record<string, unknown> };

    // Assess
    expect(output.infrastructureConfiguration?.name).toBe('Untagged Infra');
    expect(output.infrastructureConfiguration?.tags).toBeUndefined();
    expect(raw.status).toBe(200);
    expect(body.infrastructureConfiguration.arn).toBe(infrastructureConfigurationArn);
    expect(Object.keys(body.infrastructureConfiguration)).not.toContain('tags');
  });

  it('fails with ResourceNotFoundException (404) for an ARN that was never created', async () => {
    // Prepare
    const arn = infrastructureArn('missing');

    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn: arn }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toContain(arn);
  });
});
