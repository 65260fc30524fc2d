import {
  CreateDistributionConfigurationCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import { UUID } from './fixtures.js';
import {
  ACCOUNT_ID,
  ARN_PATTERNS,
  REGION,
  rejectionOf,
  uniqueName,
  useEmulator,
} from './support.js';

const emulator = useEmulator();

describe('CreateDistributionConfiguration', () => {
  const distributions = [
    {
      region: REGION,
      amiDistributionConfiguration: {
        name: 'golden-{{ imagebuilder:buildDate }}',
        targetAccountIds: [ACCOUNT_ID],
        amiTags: { purpose: 'appstream' },
      },
    },
  ];

  it('returns a requestId, the clientToken and a distribution-configuration ARN', async () => {
    // Act
    const output = await emulator.imagebuilder.send(
      new CreateDistributionConfigurationCommand({
        name: 'Golden Distribution',
        distributions,
        clientToken: 'token-dist-1',
      }),
    );

    // Assess
    expect(output.requestId).toMatch(UUID);
    expect(output.clientToken).toBe('token-dist-1');
    expect(output.distributionConfigurationArn).toBe(
      `arn:aws:imagebuilder:${REGION}:${ACCOUNT_ID}:distribution-configuration/golden-distribution`,
    );
    expect(output.distributionConfigurationArn).toMatch(ARN_PATTERNS.distributionConfiguration);
  });

  it('replays on the same clientToken and input, and rejects the taken name under a new token', async () => {
    // Prepare
    const input = { name: uniqueName('dist'), distributions, clientToken: 'token-dist-2' };
    const first = await emulator.imagebuilder.send(
      new CreateDistributionConfigurationCommand(input),
    );

    // Act
    const replay = await emulator.imagebuilder.send(
      new CreateDistributionConfigurationCommand(input),
    );
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new CreateDistributionConfigurationCommand({ ...input, clientToken: 'token-dist-3' }),
      ),
    );

    // Assess
    expect(replay.distributionConfigurationArn).toBe(first.distributionConfigurationArn);
    expect(error).toBeInstanceOf(ResourceAlreadyExistsException);
  });
});
