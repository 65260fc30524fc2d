import type { ProvisioningError } from '../basics/errors.js';
import type { FieldError } from '../basics/fieldError.js';

/** An RFC 9457 problem details document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const toProblem = (error: ProvisioningError, requestId: string): Problem => ({
  type: `urn:image-provisioner:problem:${error.code}`,
  title: error.title,
  status: error.status,
  detail: error.message,
  code: error.code,
  requestId,
  ...(error.errors ? { errors: error.errors } : {}),
});

/** What callers see of a failure nobody anticipated: no message, no stack, only the request id. */
export const unexpectedProblem = (requestId: string): Problem => ({
  type: 'urn:image-provisioner:problem:InternalFailure',
  title: 'Internal failure',
  status: 500,
  detail: 'The request failed unexpectedly. Quote the requestId when reporting it.',
  code: 'InternalFailure',
  requestId,
});
