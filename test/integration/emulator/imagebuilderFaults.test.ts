import {
  CallRateLimitExceededException,
  ClientException,
  CreateDistributionConfigurationCommand,
  CreateInfrastructureConfigurationCommand,
  ForbiddenException,
  GetInfrastructureConfigurationCommand,
  IdempotentParameterMismatchException,
  ImagebuilderServiceException,
  InvalidParameterCombinationException,
  InvalidRequestException,
  ResourceAlreadyExistsException,
  ResourceInUseException,
  ServiceException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  UpdateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import {
  type ErrorClass,
  infrastructureArn,
  injectFault,
  REGION,
  rejectionOf,
  uniqueName,
  useEmulator,
} from './support.js';

const emulator = useEmulator();

const ARN = infrastructureArn('faulted');

/** `@httpError` per Image Builder error (docs/aws-contracts.md §2.1). */
const ERRORS: Record<string, [ErrorClass, number]> = {
  CallRateLimitExceededException: [CallRateLimitExceededException, 429],
  ClientException: [ClientException, 400],
  ForbiddenException: [ForbiddenException, 403],
  IdempotentParameterMismatchException: [IdempotentParameterMismatchException, 400],
  InvalidParameterCombinationException: [InvalidParameterCombinationException, 400],
  InvalidRequestException: [InvalidRequestException, 400],
  ResourceAlreadyExistsException: [ResourceAlreadyExistsException, 400],
  ResourceInUseException: [ResourceInUseException, 400],
  ServiceException: [ServiceException, 500],
  ServiceQuotaExceededException: [ServiceQuotaExceededException, 402],
  ServiceUnavailableException: [ServiceUnavailableException, 503],
};

const COMMON = [
  'CallRateLimitExceededException',
  'ClientException',
  'ForbiddenException',
  'InvalidRequestException',
  'ServiceException',
  'ServiceUnavailableException',
];

/** Operation → modelled errors (docs/aws-contracts.md §2.2) and a valid call of that operation. */
const OPERATIONS: Record<string, { errors: string[]; call: () => Promise<unknown> }> = {
  CreateInfrastructureConfiguration: {
    errors: [
      ...COMMON,
      'IdempotentParameterMismatchException',
      'ResourceAlreadyExistsException',
      'ResourceInUseException',
      'ServiceQuotaExceededException',
    ],
    call: () =>
      emulator.imagebuilder.send(
        new CreateInfrastructureConfigurationCommand({
          name: uniqueName('faulted'),
          instanceProfileName: 'profile',
        }),
      ),
  },
  UpdateInfrastructureConfiguration: {
    errors: [...COMMON, 'IdempotentParameterMismatchException', 'ResourceInUseException'],
    call: () =>
      emulator.imagebuilder.send(
        new UpdateInfrastructureConfigurationCommand({
          infrastructureConfigurationArn: ARN,
          instanceProfileName: 'profile',
        }),
      ),
  },
  GetInfrastructureConfiguration: {
    errors: COMMON,
    call: () =>
      emulator.imagebuilder.send(
        new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn: ARN }),
      ),
  },
  CreateDistributionConfiguration: {
    errors: [
      ...COMMON,
      'IdempotentParameterMismatchException',
      'InvalidParameterCombinationException',
      'ResourceAlreadyExistsException',
      'ResourceInUseException',
      'ServiceQuotaExceededException',
    ],
    call: () =>
      emulator.imagebuilder.send(
        new CreateDistributionConfigurationCommand({
          name: uniqueName('faulted'),
          distributions: [{ region: REGION }],
        }),
      ),
  },
};

const MATRIX = Object.entries(OPERATIONS).flatMap(([operation, { errors }]) =>
  errors.map((error) => [operation, error] as const),
);

describe('Image Builder modelled errors injected through /_emulator/faults', () => {
  it('covers all 35 operation/error pairs of the contract matrix', () => {
    expect(MATRIX).toHaveLength(35);
  });

  it.each(MATRIX)(
    '%s surfaces an injected %s as the SDK exception class',
    async (operation, errorName) => {
      // Prepare
      const [errorClass, status] = ERRORS[errorName] ?? [Error, 0];
      const message = `injected ${errorName} for ${operation}`;
      await injectFault(emulator.endpoint, { operation, error: errorName, message });

      // Act
      const error = await rejectionOf(OPERATIONS[operation]?.call() ?? Promise.resolve());

      // Assess
      expect(error).toBeInstanceOf(errorClass);
      expect(error.name).toBe(errorName);
      expect(error.$metadata?.httpStatusCode).toBe(status);
      expect(error.message).toBe(message);
    },
  );

  it('answers an error name the model does not know with HTTP 500 and that name', async () => {
    // Prepare
    await injectFault(emulator.endpoint, {
      operation: 'GetInfrastructureConfiguration',
      error: 'MadeUpException',
    });

    // Act
    const error = await rejectionOf(
      OPERATIONS.GetInfrastructureConfiguration?.call() ?? Promise.resolve(),
    );

    // Assess
    expect(error).toBeInstanceOf(ImagebuilderServiceException);
    expect(error.name).toBe('MadeUpException');
    expect(error.$metadata?.httpStatusCode).toBe(500);
  });

  it('creates nothing when a create call is faulted', async () => {
    // Prepare
    const name = uniqueName('Faulted Create');
    const input = { name, instanceProfileName: 'profile', clientToken: uniqueName('token') };
    await injectFault(emulator.endpoint, {
      operation: 'CreateInfrastructureConfiguration',
      error: 'ServiceUnavailableException',
    });
    await rejectionOf(
      emulator.imagebuilder.send(new CreateInfrastructureConfigurationCommand(input)),
    );

    // Act
    const output = await emulator.imagebuilder.send(
      new CreateInfrastructureConfigurationCommand(input),
    );
    const fetched = await emulator.imagebuilder.send(
      new GetInfrastructureConfigurationCommand({
        infrastructureConfigurationArn: output.infrastructureConfigurationArn,
      }),
    );

    // Assess
    expect(fetched.infrastructureConfiguration?.name).toBe(name);
  });
});
