import { type AppStreamClient, DescribeImageBuildersCommand } from '@aws-sdk/client-appstream';
import {
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  type ImagebuilderClient,
  ServiceUnavailableException,
} from '@aws-sdk/client-imagebuilder';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../local/emulator/index.js';
import {
  appstreamClient,
  clearCalls,
  clearFaults,
  imagebuilderClient,
  injectFault,
  REGION,
  rejectionOf,
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

describe('faults', () => {
  it('fail exactly `count` matching calls, then stop', async () => {
    // Prepare
    await injectFault(emulator.endpoint, {
      operation: 'CreateInfrastructureConfiguration',
      error: 'ServiceUnavailableException',
      count: 2,
    });

    // Act
    const first = await rejectionOf(createInfrastructure());
    const second = await rejectionOf(createInfrastructure());
    const third = await createInfrastructure();

    // Assess
    expect(first).toBeInstanceOf(ServiceUnavailableException);
    expect(second).toBeInstanceOf(ServiceUnavailableException);
    expect(third.infrastructureConfigurationArn).toBeDefined();
  });

  it('with count -1 keep failing until cleared', async () => {
    // Prepare
    await injectFault(emulator.endpoint, {
      operation: 'GetInfrastructureConfiguration',
      error: 'ForbiddenException',
      count: -1,
    });
    const failures = [
      await rejectionOf(getUnknown()),
      await rejectionOf(getUnknown()),
      await rejectionOf(getUnknown()),
    ];

    // Act
    await clearFaults(emulator.endpoint);
    const afterClear = await rejectionOf(getUnknown());

    // Assess
    expect(failures.map((error) => error.name)).toEqual(Array(3).fill('ForbiddenException'));
    expect(afterClear.name).toBe('ResourceNotFoundException');
  });

  it("with operation '*' match every operation of both services", async () => {
    // Prepare
    await injectFault(emulator.endpoint, { operation: '*', error: 'ServiceException', count: 2 });

    // Act
    const imagebuilderError = await rejectionOf(getUnknown());
    const appstreamError = await rejectionOf(appstream.send(new DescribeImageBuildersCommand({})));

    // Assess
    expect(imagebuilderError.name).toBe('ServiceException');
    expect(imagebuilderError.$metadata?.httpStatusCode).toBe(500);
    expect(appstreamError.name).toBe('ServiceException');
    expect(appstreamError.$metadata?.httpStatusCode).toBe(400);
  });

  it('limited to a service leave the other service alone', async () => {
    // Prepare
    await injectFault(emulator.endpoint, {
      operation: '*',
      service: 'appstream',
      error: 'LimitExceededException',
    });

    // Act
    const imagebuilderError = await rejectionOf(getUnknown());
    const appstreamError = await rejectionOf(appstream.send(new DescribeImageBuildersCommand({})));

    // Assess
    expect(imagebuilderError.name).toBe('ResourceNotFoundException');
    expect(appstreamError.name).toBe('LimitExceededException');
  });
});
