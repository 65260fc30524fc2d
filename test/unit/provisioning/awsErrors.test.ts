import { describe, expect, it } from 'vitest';
import { classifyAwsError, toProvisioningError } from '../../../src/provisioning/awsErrors.js';
import { awsServiceError } from '../../support/awsErrors.js';

describe('classifyAwsError', () => {
  it.each([
    ['imagebuilder', 'CallRateLimitExceededException', 429, 'throttle'],
    ['imagebuilder', 'ServiceQuotaExceededException', 402, 'quota'],
    ['imagebuilder', 'ServiceUnavailableException', 503, 'transient'],
    ['imagebuilder', 'ServiceException', 500, 'transient'],
    ['imagebuilder', 'InvalidRequestException', 400, 'client'],
    ['imagebuilder', 'ResourceAlreadyExistsException', 400, 'client'],
    ['appstream', 'RequestLimitExceededException', 400, 'throttle'],
    ['appstream', 'LimitExceededException', 400, 'quota'],
    ['appstream', 'ResourceNotFoundException', 404, 'client'],
    ['appstream', 'ConcurrentModificationException', 400, 'transient'],
    ['appstream', 'OperationNotPermittedException', 400, 'client'],
    ['appstream', 'InternalServiceError', 500, 'transient'],
  ] as const)('%s %s (%i) is %s', (service, name, status, expected) => {
    // `client` whatever the status, as the SDK marks an error it has no class for: the class must
    // follow from the name and the status alone.
    const error = awsServiceError(name, status, { fault: 'client' });
    expect(classifyAwsError(service, error)).toBe(expected);
  });

  it('treats connection resets and timeouts as transient', () => {
    expect(
      classifyAwsError('imagebuilder', Object.assign(new Error('reset'), { code: 'ECONNRESET' })),
    ).toBe('transient');
    expect(
      classifyAwsError('appstream', Object.assign(new Error('slow'), { name: 'TimeoutError' })),
    ).toBe('transient');
  });
});

describe('toProvisioningError', () => {
  it('maps throttles to 429 with Retry-After, retryable', () => {
    const error = toProvisioningError(
      'appstream',
      awsServiceError('RequestLimitExceededException', 400),
    );

    expect(error).toMatchObject({
      code: 'RequestLimitExceededException',
      status: 429,
      retryable: true,
    });
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('maps transient failures to 503 with Retry-After and hides the AWS message', () => {
    const error = toProvisioningError(
      'imagebuilder',
      awsServiceError('ServiceException', 500, { message: 'ServiceException message' }),
    );

    expect(error).toMatchObject({ code: 'ServiceException', status: 503, retryable: true });
    expect(error.message).not.toContain('ServiceException message');
  });

  it('keeps the AWS name, status and message of client errors, not retryable', () => {
    expect(
      toProvisioningError(
        'imagebuilder',
        awsServiceError('ServiceQuotaExceededException', 402, {
          message: 'ServiceQuotaExceededException message',
        }),
      ),
    ).toMatchObject({
      code: 'ServiceQuotaExceededException',
      status: 402,
      retryable: false,
      message: 'ServiceQuotaExceededException message',
    });
    expect(
      toProvisioningError('appstream', awsServiceError('LimitExceededException', 400)),
    ).toMatchObject({
      code: 'LimitExceededException',
      status: 400,
      retryable: false,
    });
  });

  it.each([
    ['imagebuilder', 404],
    ['appstream', 400],
  ] as const)(
    "answers %s's ResourceNotFoundException 404 whatever status it came with (%s)",
    (service, status) => {
      const error = toProvisioningError(
        service,
        awsServiceError('ResourceNotFoundException', status, { message: 'not found' }),
      );

      expect(error).toMatchObject({
        code: 'ResourceNotFoundException',
        status: 404,
        retryable: false,
        message: 'not found',
      });
    },
  );

  it('keeps AWS status 400 for a resource in use or depended upon', () => {
    for (const name of ['ResourceInUseException', 'ResourceDependencyException']) {
      expect(toProvisioningError('imagebuilder', awsServiceError(name, 400))).toMatchObject({
        code: name,
        status: 400,
        retryable: false,
      });
    }
  });

  it('turns an error without AWS metadata into a retryable 503, never a 500', () => {
    const error = toProvisioningError('imagebuilder', new Error('socket hang up'));

    expect(error).toMatchObject({
      code: 'ServiceUnavailableException',
      status: 503,
      retryable: true,
    });
  });
});
