import {
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  IdempotentParameterMismatchException,
  ResourceNotFoundException,
  UpdateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import { ISO_8601, infrastructureInput } from './fixtures.js';
import { infrastructureArn, rejectionOf, useEmulator } from './support.js';

const emulator = useEmulator();

describe('UpdateInfrastructureConfiguration', () => {
  it('sets dateUpdated and replaces the mutable members, clearing omitted ones', async () => {
    // Prepare
    const input = infrastructureInput();
    const { infrastructureConfigurationArn } = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(input),
    );

    // Act
    const output = await emulator.imagebuilder.send(
      new UpdateInfrastructureConfigurationCommand({
        infrastructureConfigurationArn,
        instanceProfileName: 'OtherInstanceProfile',
        instanceTypes: ['c5.xlarge'],
        clientToken: 'token-update-1',
      }),
    );
    const { infrastructureConfiguration } = await emulator.imagebuilder.send(
      new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn }),
    );

    // Assess
    expect(output.infrastructureConfigurationArn).toBe(infrastructureConfigurationArn);
    expect(output.clientToken).toBe('token-update-1');
    expect(infrastructureConfiguration?.dateUpdated).toMatch(ISO_8601);
    expect(Date.parse(infrastructureConfiguration?.dateUpdated ?? '')).toBeGreaterThanOrEqual(
      Date.parse(infrastructureConfiguration?.dateCreated ?? ''),
    );
    expect(infrastructureConfiguration?.instanceProfileName).toBe('OtherInstanceProfile');
    expect(infrastructureConfiguration?.instanceTypes).toEqual(['c5.xlarge']);
    expect(infrastructureConfiguration?.description).toBeUndefined();
    expect(infrastructureConfiguration?.name).toBe(input.name);
    expect(infrastructureConfiguration?.tags).toEqual(input.tags);
  });

  it('keeps an untagged configuration without tags, in its answer and on a later read', async () => {
    // Prepare
    const { tags: _omitted, ...input } = infrastructureInput();
    const { infrastructureConfigurationArn } = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(input),
    );

    // Act
    const raw = await fetch(`${emulator.endpoint}/UpdateInfrastructureConfiguration`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        infrastructureConfigurationArn,
        instanceProfileName: 'OtherInstanceProfile',
        clientToken: 'token-update-untagged',
      }),
    });
    const answer = (await raw.json()) as Record<string, unknown>;
    const { infrastructureConfiguration } = await emulator.imagebuilder.send(
      new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn }),
    );

    // Assess
    expect(raw.status).toBe(200);
    expect(Object.keys(answer).sort()).toEqual([
      'clientToken',
      'infrastructureConfigurationArn',
      'requestId',
    ]);
    expect(infrastructureConfiguration?.instanceProfileName).toBe('OtherInstanceProfile');
    expect(infrastructureConfiguration?.dateUpdated).toMatch(ISO_8601);
    expect(infrastructureConfiguration?.tags).toBeUndefined();
  });

  it('fails with ResourceNotFoundException for an unknown ARN', async () => {
    // Prepare
    const arn = infrastructureArn('nope');

    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new UpdateInfrastructureConfigurationCommand({
          infrastructureConfigurationArn: arn,
          instanceProfileName: 'profile',
        }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('fails with IdempotentParameterMismatchException when a clientToken is reused with another input', async () => {
    // Prepare
    const { infrastructureConfigurationArn } = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(infrastructureInput()),
    );
    const update = {
      infrastructureConfigurationArn,
      instanceProfileName: 'a',
      clientToken: 'token-update-2',
    };
    await emulator.imagebuilder.send(new UpdateInfrastructureConfigurationCommand(update));

    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new UpdateInfrastructureConfigurationCommand({ ...update, instanceProfileName: 'b' }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(IdempotentParameterMismatchException);
  });
});
