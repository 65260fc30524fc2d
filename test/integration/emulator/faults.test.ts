import { DescribeImageBuildersCommand } from '@aws-sdk/client-appstream';
import { ServiceUnavailableException } from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import {
  clearFaults,
  createInfrastructure,
  getUnknownInfrastructure,
  injectFault,
  rejectionOf,
  useEmulator,
} from './support.js';

const emulator = useEmulator();

describe('faults', () => {
  it('fail exactly `count` matching calls, then stop', async () => {
    // Prepare
    await injectFault(emulator.endpoint, {
      operation: 'CreateInfrastructureConfiguration',
      error: 'ServiceUnavailableException',
      count: 2,
    });

    // Act
    const first = await rejectionOf(createInfrastructure(emulator));
    const second = await rejectionOf(createInfrastructure(emulator));
    const third = await createInfrastructure(emulator);

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
      await rejectionOf(getUnknownInfrastructure(emulator)),
      await rejectionOf(getUnknownInfrastructure(emulator)),
      await rejectionOf(getUnknownInfrastructure(emulator)),
    ];

    // Act
    await clearFaults(emulator.endpoint);
    const afterClear = await rejectionOf(getUnknownInfrastructure(emulator));

    // Assess
    expect(failures.map((error) => error.name)).toEqual(Array(3).fill('ForbiddenException'));
    expect(afterClear.name).toBe('ResourceNotFoundException');
  });

  it("with operation '*' match every operation of both services", async () => {
    // Prepare
    await injectFault(emulator.endpoint, { operation: '*', error: 'ServiceException', count: 2 });

    // Act
    const imagebuilderError = await rejectionOf(getUnknownInfrastructure(emulator));
    const appstreamError = await rejectionOf(
      emulator.appstream.send(new DescribeImageBuildersCommand({})),
    );

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
    const imagebuilderError = await rejectionOf(getUnknownInfrastructure(emulator));
    const appstreamError = await rejectionOf(
      emulator.appstream.send(new DescribeImageBuildersCommand({})),
    );

    // Assess
    expect(imagebuilderError.name).toBe('ResourceNotFoundException');
    expect(appstreamError.name).toBe('LimitExceededException');
  });
});
