import {
  type AppStreamClient,
  ResourceNotFoundException as AppStreamResourceNotFound,
  CreateImageBuilderCommand,
  DescribeImageBuildersCommand,
} from '@aws-sdk/client-appstream';
import {
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  type ImagebuilderClient,
  InvalidRequestException,
} from '@aws-sdk/client-imagebuilder';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../local/emulator/index.js';
import {
  appstreamClient,
  clearCalls,
  clearFaults,
  health,
  imagebuilderClient,
  injectFault,
  listCalls,
  postFault,
  REGION,
  rejectionOf,
  resetState,
  uniqueName,
} from './support.js';

let emulator: RunningEmulator;
let imagebuilder: ImagebuilderClient;
let appstream: AppStreamClient;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  imagebuilder = imagebuilderClient(emulator.endpoint);
  appstream = appstreamClient(emulator.endpoint);
});

beforeEach(async () => {
  await clearCalls(emulator.endpoint);
});

afterEach(async () => {
  await clearFaults(emulator.endpoint);
});

afterAll(async () => {
  imagebuilder?.destroy();
  appstream?.destroy();
  await emulator?.close();
});

const ARN = `arn:aws:imagebuilder:${REGION}:123456789012:infrastructure-configuration/unknown`;
const getUnknown = (client = imagebuilder) =>
  client.send(new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn: ARN }));
const createInfrastructure = (name = uniqueName('control')) =>
  imagebuilder.send(
    new CreateInfrastructureConfigurationCommand({ name, instanceProfileName: 'p' }),
  );

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
    await createInfrastructure(name);
    await rejectionOf(getUnknown());
    await rejectionOf(appstream.send(new DescribeImageBuildersCommand({ Names: ['x'] })));
    await rejectionOf(
      imagebuilder.send(
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
    expect(calls[1]?.input).toEqual({ infrastructureConfigurationArn: ARN });
    expect(calls[2]?.input).toEqual({ Names: ['x'] });
    for (const call of calls) expect(Date.parse(call.at)).toBeGreaterThanOrEqual(started - 1000);
  });

  it('is emptied by DELETE /_emulator/calls', async () => {
    // Prepare
    await rejectionOf(getUnknown());

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
    await appstream.send(
      new CreateImageBuilderCommand({
        Name: name,
        InstanceType: 'stream.standard.small',
        ImageName: 'img',
      }),
    );

    // Act
    const response = await resetState(emulator.endpoint);
    const error = await rejectionOf(
      appstream.send(new DescribeImageBuildersCommand({ Names: [name] })),
    );

    // Assess
    expect(response.status).toBe(204);
    expect(error).toBeInstanceOf(AppStreamResourceNotFound);
  });

  it('validation failures are logged and create nothing', async () => {
    // Prepare
    const name = uniqueName('never-created');
    const arn = `arn:aws:imagebuilder:${REGION}:123456789012:infrastructure-configuration/${name}`;

    // Act
    const error = await rejectionOf(
      imagebuilder.send(
        new CreateInfrastructureConfigurationCommand({ name, instanceProfileName: 'bad profile' }),
      ),
    );
    const lookup = await rejectionOf(
      imagebuilder.send(
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
