import {
  AppStreamServiceException,
  ConcurrentModificationException,
  CreateImageBuilderCommand,
  DescribeImageBuildersCommand,
  IncompatibleImageException,
  InvalidAccountStatusException,
  InvalidParameterCombinationException,
  InvalidRoleException,
  LimitExceededException,
  OperationNotPermittedException,
  RequestLimitExceededException,
  ResourceAlreadyExistsException,
  ResourceNotAvailableException,
  ResourceNotFoundException,
} from '@aws-sdk/client-appstream';
import { describe, expect, it } from 'vitest';
import { type ErrorClass, injectFault, rejectionOf, uniqueName, useEmulator } from './support.js';

const emulator = useEmulator();

/** CreateImageBuilder's modelled errors with their `@httpError` (docs/aws-contracts.md §2.3). */
const CREATE_IMAGE_BUILDER_ERRORS: ReadonlyArray<[string, ErrorClass, number]> = [
  ['ConcurrentModificationException', ConcurrentModificationException, 400],
  ['IncompatibleImageException', IncompatibleImageException, 400],
  ['InvalidAccountStatusException', InvalidAccountStatusException, 400],
  ['InvalidParameterCombinationException', InvalidParameterCombinationException, 400],
  ['InvalidRoleException', InvalidRoleException, 400],
  ['LimitExceededException', LimitExceededException, 400],
  ['OperationNotPermittedException', OperationNotPermittedException, 400],
  ['RequestLimitExceededException', RequestLimitExceededException, 400],
  ['ResourceAlreadyExistsException', ResourceAlreadyExistsException, 400],
  ['ResourceNotAvailableException', ResourceNotAvailableException, 400],
  ['ResourceNotFoundException', ResourceNotFoundException, 404],
];

const createBuilder = (name = uniqueName('faulted')) =>
  emulator.appstream.send(
    new CreateImageBuilderCommand({
      Name: name,
      InstanceType: 'stream.standard.small',
      ImageName: 'AppStream-WinServer2022-06-17-2024',
    }),
  );

describe('AppStream modelled errors injected through /_emulator/faults', () => {
  it.each(CREATE_IMAGE_BUILDER_ERRORS)(
    'CreateImageBuilder surfaces an injected %s as the SDK exception class',
    async (errorName, errorClass, status) => {
      // Prepare
      const message = `injected ${errorName}`;
      await injectFault(emulator.endpoint, {
        operation: 'CreateImageBuilder',
        error: errorName,
        message,
      });

      // Act
      const error = await rejectionOf(createBuilder());

      // Assess
      expect(error).toBeInstanceOf(errorClass);
      expect(error.name).toBe(errorName);
      expect(error.$metadata?.httpStatusCode).toBe(status);
      expect(error.message).toBe(message);
    },
  );

  it('DescribeImageBuilders surfaces an injected ResourceNotFoundException with HTTP 404', async () => {
    // Prepare
    await injectFault(emulator.endpoint, {
      operation: 'DescribeImageBuilders',
      error: 'ResourceNotFoundException',
      message: 'gone',
    });

    // Act
    const error = await rejectionOf(emulator.appstream.send(new DescribeImageBuildersCommand({})));

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toBe('gone');
  });

  it('answers an error name the model does not know with HTTP 400 and that __type', async () => {
    // Prepare
    await injectFault(emulator.endpoint, {
      operation: 'CreateImageBuilder',
      error: 'MadeUpException',
    });

    // Act
    const error = await rejectionOf(createBuilder());

    // Assess
    expect(error).toBeInstanceOf(AppStreamServiceException);
    expect(error.name).toBe('MadeUpException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('creates no builder when CreateImageBuilder is faulted', async () => {
    // Prepare
    const name = uniqueName('not-created');
    await injectFault(emulator.endpoint, {
      operation: 'CreateImageBuilder',
      error: 'LimitExceededException',
    });
    await rejectionOf(createBuilder(name));

    // Act
    const error = await rejectionOf(
      emulator.appstream.send(new DescribeImageBuildersCommand({ Names: [name] })),
    );

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });
});
