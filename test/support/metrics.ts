import type { DimensionsOf, FlushableMetrics, MetricName } from '../../src/basics/metrics.js';

/** One metric as the service recorded it. */
export interface RecordedMetric {
  name: MetricName;
  value: number;
  dimensions: Readonly<Record<string, string>>;
}

export interface RecordingMetrics extends FlushableMetrics {
  /** Everything recorded, in order (a flush keeps it). */
  readonly recorded: RecordedMetric[];
  /** How often the metrics were flushed. */
  readonly flushes: number;
  /** The recorded metrics of one name. */
  named(name: MetricName): RecordedMetric[];
}

/** Metrics in memory, for a test to read what the service recorded. */
export const recordingMetrics = (): RecordingMetrics => {
  const recorded: RecordedMetric[] = [];
  let flushes = 0;
  return {
    recorded,
    get flushes() {
      return flushes;
    },
    add<Name extends MetricName>(name: Name, value: number, dimensions: DimensionsOf<Name>) {
      recorded.push({ name, value, dimensions: { ...dimensions } });
    },
    flush() {
      flushes += 1;
    },
    named: (name) => recorded.filter((metric) => metric.name === name),
  };
};
