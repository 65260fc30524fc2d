import { type AppStreamClient, DescribeImageBuildersCommand } from '@aws-sdk/client-appstream';
import {
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  type ImagebuilderClient,
} from '@aws-sdk/client-imagebuilder';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../local/emulator/index.js';
import {
  appstreamClient,
  clearCalls,
  clearFaults,
  imagebuilderClient,
  injectFault,
  listCalls,
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

describe('faults with latency or a connection reset', () => {
  it('with only latencyMs delay the call and then let it succeed', async () => {
    // Prepare
    const latencyMs = 250;
    await injectFault(emulator.endpoint, { operation: 'DescribeImageBuilders', latencyMs });
    const started = performance.now();

    // Act
    const output = await appstream.send(new DescribeImageBuildersCommand({}));

    // Assess
    expect(performance.now() - started).toBeGreaterThanOrEqual(latencyMs - 5);
    expect(output.ImageBuilders).toBeDefined();
  });

  it('with latencyMs and an error delay the error', async () => {
    // Prepare
    const latencyMs = 200;
    await injectFault(emulator.endpoint, {
      operation: 'GetInfrastructureConfiguration',
      latencyMs,
      error: 'ClientException',
    });
    const started = performance.now();

    // Act
    const error = await rejectionOf(getUnknown());

    // Assess
    expect(performance.now() - started).toBeGreaterThanOrEqual(latencyMs - 5);
    expect(error.name).toBe('ClientException');
  });

  it('ConnectionReset drops the connection, and an SDK retry then succeeds', async () => {
    // Prepare
    const retrying = imagebuilderClient(emulator.endpoint, 2);
    const name = uniqueName('reset');
    await injectFault(emulator.endpoint, {
      operation: 'CreateInfrastructureConfiguration',
      error: 'ConnectionReset',
    });

    // Act
    const output = await retrying.send(
      new CreateInfrastructureConfigurationCommand({
        name,
        instanceProfileName: 'p',
        clientToken: name,
      }),
    );
    retrying.destroy();

    // Assess
    expect(output.$metadata.attempts).toBe(2);
    const calls = await listCalls(emulator.endpoint);
    expect(calls.map((call) => call.error)).toEqual(['ConnectionReset', undefined]);
  });

  it('ConnectionReset without retries surfaces a network error', async () => {
    // Prepare
    await injectFault(emulator.endpoint, {
      operation: 'GetInfrastructureConfiguration',
      error: 'ConnectionReset',
    });

    // Act
    const error = await rejectionOf(getUnknown());

    // Assess
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(error.name).not.toBe('ResourceNotFoundException');
  });
});
