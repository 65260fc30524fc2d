import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  type DimensionsOf,
  type FlushableMetrics,
  METRIC_DEFINITIONS,
  type MetricName,
} from '../basics/metrics.js';

export interface EmfMetricsOptions {
  /** Default: `POWERTOOLS_METRICS_NAMESPACE`. */
  namespace?: string;
  /** The `service` dimension; default: `POWERTOOLS_SERVICE_NAME`. */
  serviceName?: string;
  /** Where Powertools reports metrics it cannot emit (the service's logger). */
  logger?: NonNullable<ConstructorParameters<typeof Metrics>[0]>['logger'];
}

/**
 * Values of one metric per line. Powertools writes a line by itself once a metric holds 100
 * values, and what is added after it loses the line's dimensions: lines stop short of that.
 */
const MAX_VALUES_PER_LINE = 99;

/** The metrics recorded under one set of dimension values, values by metric name. */
interface Group {
  dimensions: Readonly<Record<string, string>>;
  values: Map<MetricName, number[]>;
}

/** Up to `MAX_VALUES_PER_LINE` values of each metric, taken from the group's. */
const nextLine = (values: Map<MetricName, number[]>): Map<MetricName, number[]> => {
  const line = new Map<MetricName, number[]>();
  for (const [name, all] of values) {
    line.set(name, all.splice(0, MAX_VALUES_PER_LINE));
    if (all.length === 0) values.delete(name);
  }
  return line;
};

/**
 * Metrics in CloudWatch's embedded metric format, written to standard output with the function's
 * logs (no CloudWatch API call). One EMF line holds one set of dimensions, so what an invocation
 * records is grouped by its dimension values and each group is one line at `flush()`; a metric
 * recorded several times carries all its values. Nothing recorded, nothing written.
 */
export const createEmfMetrics = (options: EmfMetricsOptions = {}): FlushableMetrics => {
  const emf = new Metrics(options);
  const groups = new Map<string, Group>();
  return {
    add<Name extends MetricName>(name: Name, value: number, dimensions: DimensionsOf<Name>) {
      const named: Record<string, string> = dimensions;
      const pairs = METRIC_DEFINITIONS[name].dimensions.map((dimension) => [
        dimension,
        named[dimension] ?? '',
      ]);
      const key = JSON.stringify(pairs);
      let group = groups.get(key);
      if (!group) {
        group = { dimensions: Object.fromEntries(pairs), values: new Map() };
        groups.set(key, group);
      }
      const values = group.values.get(name);
      if (values) values.push(value);
      else group.values.set(name, [value]);
    },
    flush() {
      for (const { dimensions, values } of groups.values()) {
        while (values.size > 0) {
          for (const [dimension, value] of Object.entries(dimensions)) {
            emf.addDimension(dimension, value);
          }
          for (const [name, line] of nextLine(values)) {
            for (const value of line) {
              emf.addMetric(name, MetricUnit[METRIC_DEFINITIONS[name].unit], value);
            }
          }
          emf.publishStoredMetrics();
        }
      }
      groups.clear();
    },
  };
};
