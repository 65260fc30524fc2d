import type { Logger } from '@aws-lambda-powertools/logger';
import type { ProvisioningRequest, ProvisioningResult } from './request.js';

/** How logs name a request whose operation is not one of ours. */
export const UNKNOWN_OPERATION = 'Unknown';

/** For operators: the cause of a 5xx, one level deep (never shown to callers). */
const describeCause = (cause: unknown): string | undefined => {
  if (!(cause instanceof Error)) return undefined;
  const inner =
    cause.cause instanceof Error ? ` (${cause.cause.name}: ${cause.cause.message})` : '';
  return `${cause.name}: ${cause.message}${inner}`;
};

/** One log line per request: what was asked, by whom, through which channel, and how it ended. */
export const reportResult = (
  logger: Logger,
  request: ProvisioningRequest,
  result: ProvisioningResult,
  durationMs: number,
): void => {
  const failed = result.status === 'FAILED';
  const serverSide = failed && result.error.status >= 500;
  logger[serverSide ? 'warn' : 'info']('provisioning request', {
    operation: result.operation?.name ?? UNKNOWN_OPERATION,
    clientToken: result.clientToken,
    channel: request.channel,
    correlationId: request.correlationId,
    requestedBy: request.requestedBy,
    outcome: result.status,
    replayed: result.replayed,
    ...(failed ? { errorCode: result.error.code, httpStatus: result.error.status } : {}),
    ...(serverSide ? { cause: describeCause(result.error.cause) } : {}),
    durationMs: Math.round(durationMs * 100) / 100,
  });
};
