import type { Channel } from './channel.js';

/**
 * How a request ended, as the `Result` dimension of `Requests` names it:
 * - `Succeeded`: carried out, AWS answered with success;
 * - `Replayed`: answered from the idempotency record of an earlier request with the same token;
 * - `Rejected`: refused before or instead of its AWS call (invalid, against the guardrails, the
 *   token used with another request), for good;
 * - `Failed`: AWS answered with an error that another attempt cannot change;
 * - `Retryable`: not finished, and worth retrying with the same token (throttled, AWS or a
 *   table unavailable, the token in flight elsewhere, the outcome not known yet).
 */
export type RequestResult = 'Succeeded' | 'Replayed' | 'Rejected' | 'Failed' | 'Retryable';

/** The values each dimension takes. */
interface DimensionValues {
  Operation: string;
  Channel: Channel;
  Result: RequestResult;
}

type DimensionName = keyof DimensionValues;

interface MetricDefinition {
  unit: 'Count' | 'Milliseconds';
  /** Besides `service`, which every metric carries. */
  dimensions: readonly DimensionName[];
}

/**
 * The service's metrics, with their units and dimensions: the alarms and the dashboard read them
 * by these names.
 */
export const METRIC_DEFINITIONS = {
  Requests: { unit: 'Count', dimensions: ['Operation', 'Channel', 'Result'] },
  AwsCallLatency: { unit: 'Milliseconds', dimensions: ['Operation'] },
  AwsCallRetries: { unit: 'Count', dimensions: ['Operation'] },
  AwsThrottles: { unit: 'Count', dimensions: ['Operation'] },
  OutcomePublishLag: { unit: 'Milliseconds', dimensions: [] },
  IdempotentReplays: { unit: 'Count', dimensions: ['Operation', 'Channel'] },
  IdempotencyMismatches: { unit: 'Count', dimensions: ['Operation', 'Channel'] },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRIC_DEFINITIONS;

/** The dimensions a metric is recorded with: exactly those of its definition. */
export type DimensionsOf<Name extends MetricName> = {
  readonly [D in (typeof METRIC_DEFINITIONS)[Name]['dimensions'][number]]: DimensionValues[D];
};

/** Where the service records what happened; the pipeline and the outbox see only this. */
export interface ServiceMetrics {
  add<Name extends MetricName>(name: Name, value: number, dimensions: DimensionsOf<Name>): void;
}

/** Metrics held until the end of an invocation, then emitted at once. */
export interface FlushableMetrics extends ServiceMetrics {
  /** Emits what was recorded since the last flush; nothing when nothing was. */
  flush(): void;
}
