import {
  ResourceNotFoundException as AppStreamResourceNotFound,
  CreateImageBuilderCommand,
  DescribeImageBuildersCommand,
} from '@aws-sdk/client-appstream';
import {
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  InvalidRequestException,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import {
  clearCalls,
  createInfrastructure,
  getUnknownInfrastructure,
  health,
  infrastructureArn,
  injectFault,
  listCalls,
  postFault,
  rejectionOf,
  resetState,
  UNKNOWN_INFRASTRUCTURE_ARN,
  uniqueName,
  useEmulator,
} from './support.js';

const emulator = useEmulator();

describe('control API', () => {
  it('reports health', async () => {
    // Act
    const response = await health(emulator.endpoint);

    // Assess
    expect(response).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('stores a valid fault and answers 201 with it', async () => {
    // Act
    const response = await postFault(emulator.endpoint, { operation: '*', latencyMs: 5 });

    // Assess
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ operation: '*', count: 1, latencyMs: 5 });
  });

  it.each([
    ['a missing operation', { error: 'ServiceException' }],
    ['neither error nor latency', { operation: '*' }],
    ['a count of zero', { operation: '*', error: 'ServiceException', count: 0 }],
    ['a negative latency', { operation: '*', latencyMs: -1 }],
    ['an error that is not a name', { operation: '*', error: 'not a name!' }],
    ['an unknown service', { operation: '*', error: 'X', service: 'sqs' }],
  ])('rejects a fault with %s (400)', async (_case, body) => {
    // Act
    const response = await postFault(emulator.endpoint, body);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toHaveProperty('error');
  });
});

describe('calls log', () => {
  it('records every call in order with service, operation, decoded input, time and error', async () => {
    // Prepare
    const name = uniqueName('logged');
    await injectFault(emulator.endpoint, {
      operation: 'DescribeImageBuilders',
      error: 'ResourceNotFoundException',
    });
    const started = Date.now();

    // Act
    await createInfrastructure(emulator, name);
    await rejectionOf(getUnknownInfrastructure(emulator));
    await rejectionOf(emulator.appstream.send(new DescribeImageBuildersCommand({ Names: ['x'] })));
    await rejectionOf(
      emulator.imagebuilder.send(
        new CreateInfrastructureConfigurationCommand({ name: '!', instanceProfileName: 'p' }),
      ),
    );
    const calls = await listCalls(emulator.endpoint);

    // Assess
    expect(calls.map(({ service, operation, error }) => ({ service, operation, error }))).toEqual([
      { service: 'imagebuilder', operation: 'CreateInfrastructureConfiguration', error: undefined },
      {
        service: 'imagebuilder',
        operation: 'GetInfrastructureConfiguration',
        error: 'ResourceNotFoundException',
      },
      {
        service: 'appstream',
        operation: 'DescribeImageBuilders',
        error: 'ResourceNotFoundException',
      },
      {
        service: 'imagebuilder',
        operation: 'CreateInfrastructureConfiguration',
        error: 'InvalidRequestException',
      },
    ]);
    expect(calls[0]?.input).toMatchObject({ name, instanceProfileName: 'p' });
    expect(calls[1]?.input).toEqual({ infrastructureConfigurationArn: UNKNOWN_INFRASTRUCTURE_ARN });
    expect(calls[2]?.input).toEqual({ Names: ['x'] });
    for (const call of calls) expect(Date.parse(call.at)).toBeGreaterThanOrEqual(started - 1000);
  });

  it('is emptied by DELETE /_emulator/calls', async () => {
    // Prepare
    await rejectionOf(getUnknownInfrastructure(emulator));

    // Act
    const response = await clearCalls(emulator.endpoint);

    // Assess
    expect(response.status).toBe(204);
    expect(await listCalls(emulator.endpoint)).toEqual([]);
  });
});

describe('state', () => {
  it('DELETE /_emulator/state forgets every resource', async () => {
    // Prepare
    const name = uniqueName('forgotten');
    await emulator.appstream.send(
      new CreateImageBuilderCommand({
        Name: name,
        InstanceType: 'stream.standard.small',
        ImageName: 'img',
      }),
    );

    // Act
    const response = await resetState(emulator.endpoint);
    const error = await rejectionOf(
      emulator.appstream.send(new DescribeImageBuildersCommand({ Names: [name] })),
    );

    // Assess
    expect(response.status).toBe(204);
    expect(error).toBeInstanceOf(AppStreamResourceNotFound);
  });

  it('validation failures are logged and create nothing', async () => {
    // Prepare
    const name = uniqueName('never-created');
    const arn = infrastructureArn(name);

    // Act
    const error = await rejectionOf(
      emulator.imagebuilder.send(
        new CreateInfrastructureConfigurationCommand({ name, instanceProfileName: 'bad profile' }),
      ),
    );
    const lookup = await rejectionOf(
      emulator.imagebuilder.send(
        new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn: arn }),
      ),
    );
    const calls = await listCalls(emulator.endpoint);

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(lookup.name).toBe('ResourceNotFoundException');
    expect(calls.map((call) => call.error)).toEqual([
      'InvalidRequestException',
      'ResourceNotFoundException',
    ]);
  });
});
