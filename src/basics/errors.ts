import type { FieldError } from './fieldError.js';

export interface ProvisioningErrorDetails {
  /** Stable, AWS-style error code, e.g. `ValidationException`. */
  code: string;
  /** HTTP status the error maps to. */
  status: number;
  /** Short, human summary of the problem type. */
  title: string;
  /** What went wrong for this request. Never carries internals or stack traces. */
  detail: string;
  /** Whether sending the same request again can succeed. */
  retryable: boolean;
  /** Seconds a caller should wait before retrying (HTTP `Retry-After`). */
  retryAfterSeconds?: number;
  /** Field errors, each with an RFC 6901 JSON Pointer. */
  errors?: FieldError[];
}

/** The one error type the pipeline produces; rendered as problem+json or a FAILED outcome. */
export class ProvisioningError extends Error {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | undefined;
  readonly errors: FieldError[] | undefined;

  constructor(details: ProvisioningErrorDetails, options?: { cause?: unknown }) {
    super(details.detail, options);
    this.name = 'ProvisioningError';
    this.code = details.code;
    this.status = details.status;
    this.title = details.title;
    this.retryable = details.retryable;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.errors = details.errors;
  }

  /** Plain data, as stored with an idempotency record and rebuilt on replay. */
  toDetails(): ProvisioningErrorDetails {
    return {
      code: this.code,
      status: this.status,
      title: this.title,
      detail: this.message,
      retryable: this.retryable,
      ...(this.retryAfterSeconds === undefined
        ? {}
        : { retryAfterSeconds: this.retryAfterSeconds }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

export const validationError = (errors: FieldError[]): ProvisioningError =>
  new ProvisioningError({
    code: 'ValidationException',
    status: 400,
    title: 'Invalid request',
    detail: `The request has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}.`,
    retryable: false,
    errors,
  });

export const idempotencyMismatchError = (): ProvisioningError =>
  new ProvisioningError({
    code: 'IdempotentParameterMismatchException',
    status: 422,
    title: 'Idempotency key reused',
    detail: 'This clientToken was already used with a different request.',
    retryable: false,
  });

/** Another attempt holds the token; `retryAfterSeconds`: until its lock runs out at the latest. */
export const idempotencyInProgressError = (retryAfterSeconds = 1): ProvisioningError =>
  new ProvisioningError({
    code: 'IdempotencyInProgressException',
    status: 409,
    title: 'Request in progress',
    detail: 'A request with this clientToken is still in progress; retry later.',
    retryable: true,
    retryAfterSeconds,
  });

/**
 * AWS did not answer in time, after the request may have reached it: whether it took effect is
 * not known. Never announced as a failure; a retry with the same clientToken finds out.
 */
export const outcomeUnknownError = (cause: unknown): ProvisioningError =>
  new ProvisioningError(
    {
      code: 'OutcomeUnknownException',
      status: 503,
      title: 'Outcome not known yet',
      detail:
        'AWS did not answer in time, so whether the request took effect is not known yet. Retry with the same clientToken: it is not carried out twice.',
      retryable: true,
      retryAfterSeconds: 2,
    },
    { cause },
  );

export const serviceUnavailableError = (detail: string, cause?: unknown): ProvisioningError =>
  new ProvisioningError(
    {
      code: 'ServiceUnavailableException',
      status: 503,
      title: 'Service unavailable',
      detail,
      retryable: true,
      retryAfterSeconds: 1,
    },
    { cause },
  );

export const requestTooLargeError = (maxBytes: number): ProvisioningError =>
  new ProvisioningError({
    code: 'RequestTooLargeException',
    status: 413,
    title: 'Request too large',
    detail: `The request is larger than ${maxBytes} bytes.`,
    retryable: false,
  });

export const policyViolationError = (errors: FieldError[]): ProvisioningError =>
  new ProvisioningError({
    code: 'PolicyViolationException',
    status: 403,
    title: 'Guardrail violated',
    detail: `The request breaks ${errors.length} rule${errors.length === 1 ? '' : 's'} of this stage's guardrails.`,
    retryable: false,
    errors,
  });

/** What a thrown value says, for messages that name it. */
export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** The name of a thrown error ('' for anything else): SDK errors are told apart by name. */
export const errorName = (error: unknown): string => (error instanceof Error ? error.name : '');
