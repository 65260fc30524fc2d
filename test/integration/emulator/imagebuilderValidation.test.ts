import {
  CreateDistributionConfigurationCommand,
  CreateInfrastructureConfigurationCommand,
  type CreateInfrastructureConfigurationCommandInput,
  GetInfrastructureConfigurationCommand,
  InvalidParameterCombinationException,
  InvalidRequestException,
  type TenancyType,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import { infrastructureArn, REGION, rejectionOf, uniqueName, useEmulator } from './support.js';

const emulator = useEmulator();

const valid = (): CreateInfrastructureConfigurationCommandInput => ({
  name: uniqueName('valid'),
  instanceProfileName: 'profile',
});

const manyTags = (count: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`key${index}`, 'value']));

// The SDK does not validate inputs, so each of these reaches the emulator's model validation.
describe('Image Builder input validation (InvalidRequestException, 400)', () => {
  it.each<[string, Partial<CreateInfrastructureConfigurationCommandInput>, string]>([
    ['a name outside the ResourceName pattern', { name: 'bad/name!' }, 'regular expression'],
    ['a two-character name', { name: 'ab' }, 'regular expression'],
    ['a missing instanceProfileName', { instanceProfileName: undefined }, 'instanceProfileName'],
    [
      'a 65-character clientToken',
      { clientToken: 'x'.repeat(65) },
      'length less than or equal to 64',
    ],
    ['51 tags', { tags: manyTags(51) }, 'length less than or equal to 50'],
    ['31 resourceTags', { resourceTags: manyTags(31) }, 'length less than or equal to 30'],
    ['an empty tag map', { tags: {} }, 'length greater than or equal to 1'],
    ['a tag key starting with aws:', { tags: { 'aws:owner': 'me' } }, 'regular expression'],
    ['a tenancy outside the enum', { placement: { tenancy: 'shared' as TenancyType } }, 'enum'],
    [
      'a hop limit above 64',
      { instanceMetadataOptions: { httpPutResponseHopLimit: 65 } },
      'less than or equal to 64',
    ],
    ['an SNS topic that is not an SNS ARN', { snsTopicArn: 'topic' }, 'regular expression'],
  ])('rejects %s', async (_case, overrides, messagePart) => {
    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new CreateInfrastructureConfigurationCommand({ ...valid(), ...overrides }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toContain(messagePart);
  });

  it('accepts a 64-character clientToken', async () => {
    // Act
    const output = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand({ ...valid(), clientToken: 'y'.repeat(64) }),
    );

    // Assess
    expect(output.clientToken).toBe('y'.repeat(64));
  });

  it('rejects a Get whose ARN has an upper-case resource id', async () => {
    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new GetInfrastructureConfigurationCommand({
          infrastructureConfigurationArn: infrastructureArn('My-Infra'),
        }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestException);
  });

  it('rejects a host placement without host tenancy (docs-only rule)', async () => {
    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new CreateInfrastructureConfigurationCommand({ ...valid(), placement: { hostId: 'h-1' } }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestException);
  });
});

describe('CreateDistributionConfiguration input validation', () => {
  it('rejects a missing distributions member with InvalidRequestException', async () => {
    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new CreateDistributionConfigurationCommand({ name: 'dist', distributions: undefined }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toContain('distributions');
  });

  it('rejects an account id that is not 12 digits with InvalidRequestException', async () => {
    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new CreateDistributionConfigurationCommand({
          name: 'dist',
          distributions: [
            { region: REGION, amiDistributionConfiguration: { targetAccountIds: ['42'] } },
          ],
        }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toContain('distributions.1.member.amiDistributionConfiguration');
  });

  it('rejects two distributions for one Region with InvalidParameterCombinationException', async () => {
    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new CreateDistributionConfigurationCommand({
          name: 'dist',
          distributions: [{ region: REGION }, { region: REGION }],
        }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterCombinationException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });
});
