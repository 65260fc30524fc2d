import { DescribeImageBuildersCommand } from '@aws-sdk/client-appstream';
import { CreateInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import {
  getUnknownInfrastructure,
  imagebuilderClient,
  injectFault,
  listCalls,
  rejectionOf,
  uniqueName,
  useEmulator,
} from './support.js';

const emulator = useEmulator();

describe('faults with latency or a connection reset', () => {
  it('with only latencyMs delay the call and then let it succeed', async () => {
    // Prepare
    const latencyMs = 250;
    await injectFault(emulator.endpoint, { operation: 'DescribeImageBuilders', latencyMs });
    const started = performance.now();

    // Act
    const output = await emulator.appstream.send(new DescribeImageBuildersCommand({}));

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
    const error = await rejectionOf(getUnknownInfrastructure(emulator));

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
    const error = await rejectionOf(getUnknownInfrastructure(emulator));

    // Assess
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(error.name).not.toBe('ResourceNotFoundException');
  });
});
