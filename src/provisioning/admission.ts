import { checkGuardrails } from '../guardrails/evaluate.js';
import type { GuardrailPolicy } from '../guardrails/policy.js';
import { findOperation, type Operation, operations } from '../operations/index.js';
import { resolveClientToken } from './clientToken.js';
import { type ProvisioningError, policyViolationError, validationError } from './errors.js';
import type { ProvisioningRequest } from './request.js';
import { type FieldError, validate } from './validation.js';

export type Admission =
  | { admitted: true; operation: Operation; input: unknown; clientToken: string | undefined }
  | {
      admitted: false;
      operation: Operation | undefined;
      clientToken: string | undefined;
      error: ProvisioningError;
    };

/**
 * Validate, then guard: the operation, the token, the AWS request against its schema, then the
 * stage's guardrails. Every problem of a step is reported at once, with its JSON Pointer.
 */
export const admit = (request: ProvisioningRequest, guardrails: GuardrailPolicy): Admission => {
  const operation = findOperation(request.operation);
  const errors: FieldError[] = [...(request.errors ?? [])];
  if (!operation && !errors.some(({ path }) => path === '' || path === '/operation')) {
    errors.push({
      path: '/operation',
      message: `must be one of: ${Object.keys(operations).join(', ')}`,
    });
  }
  const token = resolveClientToken({
    input: request.input,
    inputPointer: request.inputPointer,
    member: operation?.tokenMember,
    given: request.clientToken,
  });
  errors.push(...token.errors);
  let input: unknown;
  if (operation) {
    const validation = validate(operation.schema, token.input, request.inputPointer);
    if (validation.success) input = validation.data;
    else errors.push(...validation.errors);
  }
  if (!operation || errors.length > 0) {
    return { admitted: false, operation, clientToken: token.value, error: validationError(errors) };
  }
  const violations = checkGuardrails(guardrails, operation.name, input).map((violation) => ({
    ...violation,
    path: `${request.inputPointer}${violation.path}`,
  }));
  if (violations.length > 0) {
    return {
      admitted: false,
      operation,
      clientToken: token.value,
      error: policyViolationError(violations),
    };
  }
  return { admitted: true, operation, input, clientToken: token.value };
};
