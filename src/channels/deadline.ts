import { serviceUnavailableError } from '../basics/errors.js';
import type {
  Pipeline,
  ProvisioningRequest,
  ProvisioningResult,
} from '../provisioning/pipeline.js';

/** Time kept back at the end of an invocation to answer before Lambda's own timeout. */
export const ANSWER_MARGIN_MS = 1_000;

/**
 * `work`, or `late()` when it has not settled `ANSWER_MARGIN_MS` before the invocation runs out.
 * Work still running then is safe to abandon: its idempotency lock expires with the invocation,
 * its ledger record stays in progress, and a retry with the same clientToken finds what AWS did.
 */
export const beforeTimeout = async <T>(
  work: Promise<T>,
  remainingTimeMs: number,
  late: () => T,
): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late()), Math.max(0, remainingTimeMs - ANSWER_MARGIN_MS));
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
};

/** Runs the request through the pipeline, answering a retryable 503 if time runs out first. */
export const runInTime = (
  pipeline: Pipeline,
  request: ProvisioningRequest,
  lateDetail: string,
): Promise<ProvisioningResult> =>
  beforeTimeout(pipeline.run(request), request.remainingTimeMs, () => ({
    status: 'FAILED',
    operation: undefined,
    clientToken: undefined,
    error: serviceUnavailableError(lateDetail),
    replayed: false,
  }));
