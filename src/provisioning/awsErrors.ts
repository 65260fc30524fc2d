import { AWS_SERVICE_TITLES, type AwsService } from '../basics/awsService.js';
import { ProvisioningError } from '../basics/errors.js';
import { isRecord } from '../basics/records.js';
import { ResourceConflictError } from '../operations/errors.js';

/** How an AWS error behaves for a caller: it decides status, `retryable` and queue retries. */
type AwsErrorClass = 'throttle' | 'quota' | 'transient' | 'client';

/**
 * Errors whose class is not evident from their HTTP status. Everything else is `transient`
 * when AWS answered 5xx or the connection failed, and `client` otherwise.
 */
const AWS_ERROR_CLASSES: Readonly<Record<AwsService, Readonly<Record<string, AwsErrorClass>>>> = {
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
    // Stop, Start or Delete of a builder on its way to another state: AWS's own advice is
    // "Wait a few minutes and try again" (com.amazonaws.appstream#ConcurrentModificationException),
    // and the same clientToken succeeds once the builder is at rest.
    ConcurrentModificationException: 'transient',
  },
};

/**
 * Client errors answered with the status their model gives them (`@httpError`), whatever came on
 * the wire: AppStream's awsJson1_1 answers every error 400, and a resource that is not there is a
 * 404 for the caller on both services (com.amazonaws.imagebuilder#ResourceNotFoundException,
 * com.amazonaws.appstream#ResourceNotFoundException).
 */
const AWS_ERROR_STATUSES: Readonly<Record<string, number>> = {
  ResourceNotFoundException: 404,
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
/** Failures that can strike after the request reached AWS: the connection broke or time ran out. */
const AFTER_SENDING_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/** What the SDK's service exceptions and Node's network errors tell about a failure. */
interface SdkErrorShape {
  name: string;
  code: string | undefined;
  message: string;
  fault: string | undefined;
  status: number | undefined;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

const shapeOf = (error: unknown): SdkErrorShape => {
  if (!isRecord(error)) {
    return { name: '', code: undefined, message: '', fault: undefined, status: undefined };
  }
  const status = isRecord(error.$metadata) ? error.$metadata.httpStatusCode : undefined;
  return {
    name: text(error.name) ?? '',
    code: text(error.code),
    message: text(error.message) ?? '',
    fault: text(error.$fault),
    status: typeof status === 'number' ? status : undefined,
  };
};

export const classifyAwsError = (service: AwsService, error: unknown): AwsErrorClass => {
  const { name, code, fault, status } = shapeOf(error);
  const known = AWS_ERROR_CLASSES[service][name];
  if (known) return known;
  if (status !== undefined && status >= 500) return 'transient';
  if (TIMEOUT_NAMES.has(name)) return 'transient';
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) return 'transient';
  // An AWS service exception that answered below 500 is the caller's to fix.
  if (fault === 'client') return 'client';
  return 'transient';
};

/**
 * Whether AWS may have carried out the call although it failed: a timeout or a connection lost
 * once the request could have been sent. AWS answering (with any status), or a connection that
 * was never made, says for sure.
 */
export const isAmbiguousAwsError = (error: unknown): boolean => {
  const { name, code, status } = shapeOf(error);
  if (status !== undefined) return false;
  return TIMEOUT_NAMES.has(name) || (code !== undefined && AFTER_SENDING_CODES.has(code));
};

/**
 * AWS's answers while an IAM role or instance profile created moments before is not yet visible
 * to the service; they clear once IAM changes propagate. Every other error of these names is the
 * caller's to fix.
 * - Image Builder: `com.amazonaws.imagebuilder#InvalidParameterValueException` (HTTP 400; in the
 *   model, though not in the `errors` of CreateInfrastructureConfiguration or
 *   UpdateInfrastructureConfiguration), "... instance profile does not exist ...".
 * - AppStream: `com.amazonaws.appstream#InvalidRoleException` (in the `errors` of
 *   CreateImageBuilder), "... encountered an error because your IAM role ...".
 * See docs/aws-contracts.md §6.2 and §6.3.
 */
const IAM_PROPAGATION_ERRORS: Readonly<Record<AwsService, { name: string; message: RegExp }>> = {
  imagebuilder: {
    name: 'InvalidParameterValueException',
    message: /instance profile does not exist/i,
  },
  appstream: {
    name: 'InvalidRoleException',
    message: /encountered an error because your IAM role/i,
  },
};

/** Whether AWS answered that it does not see an IAM role or instance profile (yet). */
export const isIamPropagationError = (service: AwsService, error: unknown): boolean => {
  const { name, message } = shapeOf(error);
  const expected = IAM_PROPAGATION_ERRORS[service];
  return name === expected.name && expected.message.test(message);
};

/** The code of an IAM propagation error handed back to a channel that will try again. */
export const IAM_PROPAGATION_PENDING = 'IamPropagationPendingException';

/**
 * An IAM propagation error while its window is open, for a channel that will try again:
 * retryable, with `retryAfterSeconds` until the window closes.
 */
export const iamPropagationPendingError = (
  service: AwsService,
  cause: unknown,
  windowLeftMs: number,
): ProvisioningError =>
  new ProvisioningError(
    {
      code: IAM_PROPAGATION_PENDING,
      status: 503,
      title: 'IAM changes still propagating',
      detail: `${AWS_SERVICE_TITLES[service]} does not see the IAM role or instance profile yet.`,
      retryable: true,
      retryAfterSeconds: Math.max(1, Math.ceil(windowLeftMs / 1000)),
    },
    { cause },
  );

/** Whether AWS answered that the call came too fast (a rate limit, not a quota). */
export const isThrottle = (service: AwsService, error: unknown): boolean =>
  !(error instanceof ProvisioningError) &&
  !(error instanceof ResourceConflictError) &&
  classifyAwsError(service, error) === 'throttle';

/** Whether another attempt at the call can help: throttles and transient failures. */
export const isRetryableAwsError = (service: AwsService, error: unknown): boolean => {
  if (error instanceof ProvisioningError) return error.retryable;
  if (error instanceof ResourceConflictError) return false;
  const kind = classifyAwsError(service, error);
  return kind === 'throttle' || kind === 'transient';
};

/** Maps an error thrown by an AWS call to what the caller and the outcome see. */
export const toProvisioningError = (service: AwsService, error: unknown): ProvisioningError => {
  if (error instanceof ProvisioningError) return error;
  if (error instanceof ResourceConflictError) {
    return new ProvisioningError(
      {
        code: error.code,
        status: 409,
        title: 'Resource already exists',
        detail: error.message,
        retryable: false,
      },
      { cause: error },
    );
  }
  const shape = shapeOf(error);
  const name = shape.name || 'UnknownError';
  switch (classifyAwsError(service, error)) {
    case 'throttle':
      return new ProvisioningError(
        {
          code: name,
          status: 429,
          title: 'AWS rate limit exceeded',
          detail: shape.message || 'AWS throttled the request.',
          retryable: true,
          retryAfterSeconds: 2,
        },
        { cause: error },
      );
    case 'transient':
      return new ProvisioningError(
        {
          code: shape.fault === 'server' ? name : 'ServiceUnavailableException',
          status: 503,
          title: 'AWS temporarily unavailable',
          detail: `${AWS_SERVICE_TITLES[service]} could not complete the request; retry later.`,
          retryable: true,
          retryAfterSeconds: 1,
        },
        { cause: error },
      );
    default:
      return new ProvisioningError(
        {
          code: name,
          status:
            (Object.hasOwn(AWS_ERROR_STATUSES, name) ? AWS_ERROR_STATUSES[name] : undefined) ??
            shape.status ??
            400,
          title: 'AWS rejected the request',
          detail: shape.message || name,
          retryable: false,
        },
        { cause: error },
      );
  }
};
