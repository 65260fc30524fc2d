import { randomUUID } from 'node:crypto';
import { ServiceError } from './errors.js';
import type { OperationContext } from './operation.js';
import { fingerprint, type JsonObject } from './state.js';

/**
 * AWS clientToken semantics for Image Builder writes: the same token with the same input
 * replays the first successful response (same ARN, fresh requestId, no new resource); the same
 * token with another input fails with IdempotentParameterMismatchException. Failed calls are
 * not remembered, so a retry after an error runs again.
 */
export function withClientToken(
  context: OperationContext,
  operation: string,
  input: JsonObject,
  execute: () => JsonObject,
): JsonObject {
  const clientToken = String(input.clientToken);
  const inputFingerprint = fingerprint(input);
  const previous = context.store.recall(operation, clientToken);
  if (previous) {
    if (previous.fingerprint !== inputFingerprint) {
      throw new ServiceError(
        'IdempotentParameterMismatchException',
        `The client token '${clientToken}' was already used for ${operation} with different parameters.`,
      );
    }
    return { requestId: randomUUID(), ...previous.body };
  }
  const body = execute();
  context.store.remember(operation, clientToken, inputFingerprint, body);
  return { requestId: randomUUID(), ...body };
}
