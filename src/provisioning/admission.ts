import { type ProvisioningError, policyViolationError, validationError } from '../basics/errors.js';
import type { FieldError } from '../basics/fieldError.js';
import { validate } from '../basics/validation.js';
import type { Guardrails } from '../guardrails/evaluate.js';
import {
  type AnyOperation,
  isOperationName,
  type OperationName,
  operations,
} from '../operations/index.js';
import { type ResolvedToken, resolveClientToken } from './clientToken.js';
import type { ProvisioningRequest } from './request.js';

export type Admission =
  | { admitted: true; operation: AnyOperation; input: unknown; clientToken: string | undefined }
  | {
      admitted: false;
      operation: AnyOperation | undefined;
      clientToken: string | undefined;
      error: ProvisioningError;
    };

const OPERATION_RULE = `must be one of: ${Object.keys(operations).join(', ')}`;

/**
 * Validate, then guard: the operation, the token, the AWS request against its schema, then the
 * stage's guardrails. Every problem of a step is reported at once, with its JSON Pointer.
 */
export const admit = (request: ProvisioningRequest, guardrails: Guardrails): Admission => {
  const name = isOperationName(request.operation) ? request.operation : undefined;
  const errors: FieldError[] = [...(request.errors ?? [])];
  if (!name && !errors.some(({ path }) => path === '' || path === '/operation')) {
    errors.push({ path: '/operation', message: OPERATION_RULE });
  }
  const token = resolveClientToken({
    input: request.input,
    inputPointer: request.inputPointer,
    member: name && operations[name].tokenMember,
    given: request.clientToken,
  });
  errors.push(...token.errors);
  if (!name) {
    const error = validationError(errors);
    return { admitted: false, operation: undefined, clientToken: token.value, error };
  }
  return admitTo(name, request, token, errors, guardrails);
};

/** The steps that need to know the operation: its schema, then its guardrails. */
const admitTo = <Name extends OperationName>(
  name: Name,
  request: ProvisioningRequest,
  token: ResolvedToken,
  errors: FieldError[],
  guardrails: Guardrails,
): Admission => {
  const operation = operations[name];
  const refused = (error: ProvisioningError): Admission => ({
    admitted: false,
    operation: operation,
    clientToken: token.value,
    error,
  });
  // A request the channel could not read has nothing for the schema to check: what the channel
  // reported is the whole answer, not followed by the schema's "is required".
  if (request.inputUnreadable) return refused(validationError(errors));
  const validation = validate(operation.schema, token.input, request.inputPointer);
  if (!validation.success) errors.push(...validation.errors);
  if (!validation.success || errors.length > 0) return refused(validationError(errors));
  const violations = guardrails.check(name, validation.data);
  if (violations.length > 0) {
    return refused(
      policyViolationError(
        violations.map((violation) => ({
          ...violation,
          path: `${request.inputPointer}${violation.path}`,
        })),
      ),
    );
  }
  return {
    admitted: true,
    operation: operation,
    input: validation.data,
    clientToken: token.value,
  };
};
