import { ProvisioningError } from '../basics/errors.js';

/**
 * AWS already holds a resource under the requested name, configured otherwise than the request
 * asks: sending the request again cannot help.
 */
export class ResourceConflictError extends Error {
  /** The AWS error code the conflict was reported with. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResourceConflictError';
    this.code = code;
  }
}

/**
 * AWS holds no resource of that name or ARN: what AWS's own ResourceNotFoundException answers,
 * for a read that found nothing without AWS saying so (an empty list).
 */
export const resourceNotFoundError = (detail: string): ProvisioningError =>
  new ProvisioningError({
    code: 'ResourceNotFoundException',
    status: 404,
    title: 'AWS rejected the request',
    detail,
    retryable: false,
  });
