import { ProvisioningError } from './errors.js';

export type AwsService = 'imagebuilder' | 'appstream';

/** How an AWS error behaves for a caller: it decides status, `retryable` and queue retries. */
export type AwsErrorClass = 'throttle' | 'quota' | 'transient' | 'client';

/**
 * Errors whose class is not evident from their HTTP status. Everything else is `transient`
 * when AWS answered 5xx or the connection failed, and `client` otherwise.
 */
export const AWS_ERROR_CLASSES: Readonly<
  Record<AwsService, Readonly<Record<string, AwsErrorClass>>>
> = {
  imagebuilder: {
    CallRateLimitExceededException: 'throttle',
    ServiceQuotaExceededException: 'quota',
    ServiceException: 'transient',
    ServiceUnavailableException: 'transient',
  },
  appstream: {
    RequestLimitExceededException: 'throttle',
    // A quota, not a rate: retrying cannot help until the quota is raised.
    LimitExceededException: 'quota',
  },
};

const NETWORK_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'AbortError']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

const statusOf = (error: SdkErrorShape): number | undefined => {
  const status = error.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
};

export const classifyAwsError = (service: AwsService, error: unknown): AwsErrorClass => {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : '';
  const known = AWS_ERROR_CLASSES[service][name];
  if (known) return known;
  const status = statusOf(shape);
  if (status !== undefined && status >= 500) return 'transient';
  if (TIMEOUT_NAMES.has(name)) return 'transient';
  if (typeof shape.code === 'string' && NETWORK_ERROR_CODES.has(shape.code)) return 'transient';
  // An AWS service exception that answered below 500 is the caller's to fix.
  if (shape.$fault === 'client') return 'client';
  return 'transient';
};

/** Whether another attempt at the call can help: throttles and transient failures. */
export const isRetryableAwsError = (service: AwsService, error: unknown): boolean => {
  if (error instanceof ProvisioningError) return error.retryable;
  const kind = classifyAwsError(service, error);
  return kind === 'throttle' || kind === 'transient';
};

/** Maps an error thrown by an AWS call to what the caller and the outcome see. */
export const toProvisioningError = (service: AwsService, error: unknown): ProvisioningError => {
  if (error instanceof ProvisioningError) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof shape.name === 'string' && shape.name ? shape.name : 'UnknownError';
  const awsMessage = typeof shape.message === 'string' ? shape.message : '';
  switch (classifyAwsError(service, error)) {
    case 'throttle':
      return new ProvisioningError(
        {
          code: name,
          status: 429,
          title: 'AWS rate limit exceeded',
          detail: awsMessage || 'AWS throttled the request.',
          retryable: true,
          retryAfterSeconds: 2,
        },
        { cause: error },
      );
    case 'transient':
      return new ProvisioningError(
        {
          code: shape.$fault === 'server' ? name : 'ServiceUnavailableException',
          status: 503,
          title: 'AWS temporarily unavailable',
          detail: `${service === 'imagebuilder' ? 'EC2 Image Builder' : 'AppStream 2.0'} could not complete the request; retry later.`,
          retryable: true,
          retryAfterSeconds: 1,
        },
        { cause: error },
      );
    default:
      return new ProvisioningError(
        {
          code: name,
          status: statusOf(shape) ?? 400,
          title: 'AWS rejected the request',
          detail: awsMessage || name,
          retryable: false,
        },
        { cause: error },
      );
  }
};
