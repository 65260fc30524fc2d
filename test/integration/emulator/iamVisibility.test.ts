import {
  CreateImageBuilderCommand,
  DescribeImageBuildersCommand,
  InvalidRoleException,
  ResourceNotFoundException,
} from '@aws-sdk/client-appstream';
import {
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  InvalidParameterValueException,
  UpdateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import { infrastructureInput } from './fixtures.js';
import {
  ACCOUNT_ID,
  builderInput,
  clearHiddenIam,
  hideIam,
  infrastructureArn,
  listCalls,
  listHiddenIam,
  pollUntil,
  rejectionOf,
  uniqueName,
  useEmulator,
} from './support.js';

const emulator = useEmulator();

const PROFILE_MESSAGE =
  "The value supplied for parameter 'instanceProfileName' is not valid. The provided instance profile does not exist. Please specify a different instance profile and try again.";

const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT_ID}:role/${name}`;

/** Sends `attempt` until it succeeds (bounded), as a client retrying through IAM propagation does. */
const retryUntilSuccess = <T>(attempt: () => Promise<T>) =>
  pollUntil(() => attempt().catch(() => undefined), { timeoutMs: 5_000, intervalMs: 100 });

describe('hidden instance profile', () => {
  it('fails CreateInfrastructureConfiguration with InvalidParameterValueException until the profile appears', async () => {
    // Prepare
    const profile = uniqueName('profile');
    const input = infrastructureInput({
      instanceProfileName: profile,
      clientToken: uniqueName('t'),
    });
    const hiddenAt = Date.now();
    await hideIam(emulator.endpoint, { instanceProfileName: profile, seconds: 1 });

    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(new CreateInfrastructureConfigurationCommand(input)),
    );
    const created = await retryUntilSuccess(() =>
      emulator.imagebuilder.send(new CreateInfrastructureConfigurationCommand(input)),
    );
    const calls = await listCalls(emulator.endpoint);

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(PROFILE_MESSAGE);
    expect(error.message).toContain('instance profile does not exist');
    expect(Date.now() - hiddenAt).toBeGreaterThanOrEqual(1_000);
    expect(created.infrastructureConfigurationArn).toMatch(/infrastructure-configuration\//);
    expect(calls.at(0)?.error).toBe('InvalidParameterValueException');
    expect(calls.at(-1)?.error).toBeUndefined();
    expect(
      calls.slice(0, -1).every((call) => call.error === 'InvalidParameterValueException'),
    ).toBe(true);
  });

  it('creates nothing while the profile is hidden', async () => {
    // Prepare
    const profile = uniqueName('profile');
    await hideIam(emulator.endpoint, { instanceProfileName: profile, seconds: 600 });
    const input = infrastructureInput({ instanceProfileName: profile });
    const arn = infrastructureArn(String(input.name).toLowerCase().replaceAll(' ', '-'));

    // Act
    await rejectionOf(
      emulator.imagebuilder.send(new CreateInfrastructureConfigurationCommand(input)),
    );
    const lookup = await rejectionOf(
      emulator.imagebuilder.send(
        new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn: arn }),
      ),
    );
    await clearHiddenIam(emulator.endpoint);
    const created = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(input),
    );

    // Assess
    expect(lookup.name).toBe('ResourceNotFoundException');
    expect(created.infrastructureConfigurationArn).toBe(arn);
  });

  it('fails UpdateInfrastructureConfiguration to a hidden profile and keeps the configuration as it was', async () => {
    // Prepare
    const hidden = uniqueName('profile');
    const { infrastructureConfigurationArn } = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(
        infrastructureInput({ instanceProfileName: 'visible-profile' }),
      ),
    );
    await hideIam(emulator.endpoint, { instanceProfileName: hidden, seconds: 600 });

    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new UpdateInfrastructureConfigurationCommand({
          infrastructureConfigurationArn,
          instanceProfileName: hidden,
        }),
      ),
    );
    const { infrastructureConfiguration } = await emulator.imagebuilder.send(
      new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn }),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error.message).toBe(PROFILE_MESSAGE);
    expect(infrastructureConfiguration?.instanceProfileName).toBe('visible-profile');
    expect(infrastructureConfiguration?.dateUpdated).toBeUndefined();
  });

  it('leaves other instance profiles visible', async () => {
    // Prepare
    await hideIam(emulator.endpoint, { instanceProfileName: uniqueName('hidden'), seconds: 600 });

    // Act
    const created = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(
        infrastructureInput({ instanceProfileName: uniqueName('other') }),
      ),
    );

    // Assess
    expect(created.infrastructureConfigurationArn).toMatch(/infrastructure-configuration\//);
  });
});

describe('hidden role', () => {
  it('fails CreateImageBuilder with InvalidRoleException until the role appears, creating nothing meanwhile', async () => {
    // Prepare
    const arn = roleArn(uniqueName('builder-role'));
    const input = builderInput({ IamRoleArn: arn });
    const hiddenAt = Date.now();
    await hideIam(emulator.endpoint, { roleArn: arn, seconds: 1 });

    // Act
    const error = await rejectionOf(emulator.appstream.send(new CreateImageBuilderCommand(input)));
    const lookup = await rejectionOf(
      emulator.appstream.send(new DescribeImageBuildersCommand({ Names: [input.Name] })),
    );
    const created = await retryUntilSuccess(() =>
      emulator.appstream.send(new CreateImageBuilderCommand(input)),
    );
    const calls = await listCalls(emulator.endpoint);

    // Assess
    expect(error).toBeInstanceOf(InvalidRoleException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      `AppStream 2.0 encountered an error because your IAM role ${arn} is not valid or could not be assumed. Make sure that the role exists and that its trust policy allows AppStream 2.0 to assume it, then try again.`,
    );
    expect(error.message).toContain('encountered an error because your IAM role');
    expect(lookup).toBeInstanceOf(ResourceNotFoundException);
    expect(Date.now() - hiddenAt).toBeGreaterThanOrEqual(1_000);
    expect(created.ImageBuilder?.IamRoleArn).toBe(arn);
    expect(calls[0]).toMatchObject({
      service: 'appstream',
      operation: 'CreateImageBuilder',
      error: 'InvalidRoleException',
      input: { Name: input.Name, IamRoleArn: arn },
    });
    expect(calls.at(-1)?.error).toBeUndefined();
  });

  it('leaves builders without that role alone', async () => {
    // Prepare
    await hideIam(emulator.endpoint, { roleArn: roleArn(uniqueName('hidden')), seconds: 600 });

    // Act
    const created = await emulator.appstream.send(
      new CreateImageBuilderCommand(builderInput({ IamRoleArn: roleArn(uniqueName('other')) })),
    );
    const withoutRole = await emulator.appstream.send(
      new CreateImageBuilderCommand(builderInput()),
    );

    // Assess
    expect(created.ImageBuilder?.State).toBe('PENDING');
    expect(withoutRole.ImageBuilder?.State).toBe('PENDING');
  });
});

describe('hidden IAM control routes', () => {
  it('answers 201 with the identity and lists what is hidden with the seconds remaining', async () => {
    // Prepare
    const profile = uniqueName('profile');
    const arn = roleArn(uniqueName('role'));

    // Act
    const stored = await hideIam(emulator.endpoint, { instanceProfileName: profile, seconds: 20 });
    await hideIam(emulator.endpoint, { roleArn: arn, seconds: 1e6 });
    const listed = await listHiddenIam(emulator.endpoint);

    // Assess
    expect(stored).toEqual({
      status: 201,
      body: { instanceProfileName: profile, remainingSeconds: 20 },
    });
    expect(listed.status).toBe(200);
    const [first, second] = (listed.body as { invisible: Record<string, unknown>[] }).invisible;
    expect(first).toEqual({ instanceProfileName: profile, remainingSeconds: expect.any(Number) });
    expect(first?.remainingSeconds).toBeGreaterThan(19);
    expect(first?.remainingSeconds).toBeLessThanOrEqual(20);
    expect(second).toEqual({ roleArn: arn, remainingSeconds: expect.any(Number) });
    expect(second?.remainingSeconds).toBeGreaterThan(999_990);
  });

  it('no longer lists an identity once its seconds have passed', async () => {
    // Prepare
    await hideIam(emulator.endpoint, { instanceProfileName: uniqueName('brief'), seconds: 0.2 });

    // Act
    const listed = await pollUntil(async () => {
      const { body } = await listHiddenIam(emulator.endpoint);
      const { invisible } = body as { invisible: unknown[] };
      return invisible.length === 0 ? invisible : undefined;
    });

    // Assess
    expect(listed).toEqual([]);
  });

  it('DELETE /_emulator/iam/invisible makes everything visible at once', async () => {
    // Prepare
    const profile = uniqueName('profile');
    await hideIam(emulator.endpoint, { instanceProfileName: profile, seconds: 600 });

    // Act
    const response = await clearHiddenIam(emulator.endpoint);
    const listed = await listHiddenIam(emulator.endpoint);
    const created = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(
        infrastructureInput({ instanceProfileName: profile }),
      ),
    );

    // Assess
    expect(response.status).toBe(204);
    expect(listed.body).toEqual({ invisible: [] });
    expect(created.infrastructureConfigurationArn).toMatch(/infrastructure-configuration\//);
  });

  it.each([
    ['a body that is not an object', 'x', 'the body must be a JSON object'],
    ['neither identity', { seconds: 5 }, "give exactly one of 'instanceProfileName' and 'roleArn'"],
    [
      'both identities',
      { instanceProfileName: 'p', roleArn: roleArn('r'), seconds: 5 },
      "give exactly one of 'instanceProfileName' and 'roleArn'",
    ],
    [
      'an unknown member',
      { instanceProfileName: 'p', seconds: 5, forever: true },
      "'forever' is not allowed (allowed: instanceProfileName, roleArn, seconds)",
    ],
    [
      'an instance profile name with a space',
      { instanceProfileName: 'my profile', seconds: 5 },
      "'instanceProfileName' must be an instance profile name (1-256 characters of letters, digits and +=,.@_-)",
    ],
    [
      'a role that is no ARN',
      { roleArn: 'builder-role', seconds: 5 },
      "'roleArn' must be an ARN such as arn:aws:iam::<account>:role/<name>",
    ],
    [
      'no seconds',
      { instanceProfileName: 'p' },
      "'seconds' must be a number greater than 0 and at most 31536000",
    ],
    [
      'zero seconds',
      { roleArn: roleArn('r'), seconds: 0 },
      "'seconds' must be a number greater than 0 and at most 31536000",
    ],
    [
      'seconds as a string',
      { roleArn: roleArn('r'), seconds: '20' },
      "'seconds' must be a number greater than 0 and at most 31536000",
    ],
  ])('rejects %s (400)', async (_case, body, message) => {
    // Act
    const response = await hideIam(emulator.endpoint, body);
    const listed = await listHiddenIam(emulator.endpoint);

    // Assess
    expect(response).toEqual({ status: 400, body: { error: message } });
    expect(listed.body).toEqual({ invisible: [] });
  });
});
