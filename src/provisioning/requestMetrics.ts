import { idempotencyMismatchError, policyViolationError } from '../basics/errors.js';
import type { RequestResult, ServiceMetrics } from '../basics/metrics.js';
import { UNKNOWN_OPERATION } from './report.js';
import type { ProvisioningRequest, ProvisioningResult } from './request.js';

const MISMATCH_CODE = idempotencyMismatchError().code;
const POLICY_VIOLATION_CODE = policyViolationError([]).code;

/**
 * How a request ended, for the `Requests` metric. `refused`: the service stopped it before or
 * instead of its AWS call (rather than AWS answering it). A policy violation is always the
 * service's refusal, whether the guardrails found it before the call or the ownership check in
 * place of the write (stored like AWS's answer, so that a replay gives it again).
 */
const requestResultOf = (result: ProvisioningResult, refused: boolean): RequestResult => {
  if (result.replayed) return 'Replayed';
  if (result.status === 'SUCCEEDED') return 'Succeeded';
  if (result.error.retryable) return 'Retryable';
  return refused || result.error.code === POLICY_VIOLATION_CODE ? 'Rejected' : 'Failed';
};

/** One request that reached a result: counted by operation, channel and result; replays and mismatches too. */
export const recordRequest = (
  metrics: ServiceMetrics,
  request: Pick<ProvisioningRequest, 'channel'>,
  result: ProvisioningResult,
  refused: boolean,
): void => {
  const dimensions = {
    Operation: result.operation?.name ?? UNKNOWN_OPERATION,
    Channel: request.channel,
  };
  metrics.add('Requests', 1, { ...dimensions, Result: requestResultOf(result, refused) });
  if (result.replayed) metrics.add('IdempotentReplays', 1, dimensions);
  if (result.status === 'FAILED' && result.error.code === MISMATCH_CODE) {
    metrics.add('IdempotencyMismatches', 1, dimensions);
  }
};
