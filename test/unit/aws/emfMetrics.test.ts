import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEmfMetrics } from '../../../src/aws/emfMetrics.js';

/** One EMF line as CloudWatch reads it. */
interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [member: string]: unknown;
}

let written: string[] = [];

beforeEach(() => {
  written = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The EMF lines written to standard output. */
const emfLines = (): EmfLine[] =>
  written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as EmfLine)
    .filter((line) => line._aws !== undefined);

const warnings = () => ({ warn: vi.fn(), info: vi.fn(), debug: vi.fn(), error: vi.fn() });

const NAMESPACE = 'image-provisioner/test';

describe('createEmfMetrics', () => {
  it('writes one EMF line per set of dimensions, with the namespace, the service dimension and each unit', () => {
    // Prepare
    const metrics = createEmfMetrics({ namespace: NAMESPACE, serviceName: 'image-provisioner' });
    const requests = { Operation: 'CreateImageBuilder', Channel: 'http' } as const;
    metrics.add('Requests', 1, { ...requests, Result: 'Succeeded' });
    metrics.add('AwsCallLatency', 12.5, { Operation: 'CreateImageBuilder' });
    metrics.add('OutcomePublishLag', 240, {});

    // Act
    metrics.flush();

    // Assess
    const lines = emfLines();
    expect(lines).toHaveLength(3);
    const [count, latency, lag] = lines as [EmfLine, EmfLine, EmfLine];
    expect(count._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: NAMESPACE,
        Dimensions: [['service', 'Operation', 'Channel', 'Result']],
        Metrics: [{ Name: 'Requests', Unit: 'Count' }],
      },
    ]);
    expect(count).toMatchObject({
      service: 'image-provisioner',
      Operation: 'CreateImageBuilder',
      Channel: 'http',
      Result: 'Succeeded',
      Requests: 1,
    });
    expect(latency._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'Operation']]);
    expect(latency._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'AwsCallLatency', Unit: 'Milliseconds' },
    ]);
    expect(latency.AwsCallLatency).toBe(12.5);
    expect(lag._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(lag._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'OutcomePublishLag', Unit: 'Milliseconds' },
    ]);
    expect(lag).not.toHaveProperty('Operation');
    expect(lag.OutcomePublishLag).toBe(240);
  });

  it('keeps every value of a metric recorded several times under the same dimensions, and metrics sharing them in one line', () => {
    // Prepare
    const metrics = createEmfMetrics({ namespace: NAMESPACE });
    const dimensions = { Operation: 'CreateInfrastructureConfiguration' };
    metrics.add('AwsCallLatency', 30, dimensions);
    metrics.add('AwsThrottles', 1, dimensions);
    metrics.add('AwsCallLatency', 20, dimensions);
    metrics.add('AwsCallRetries', 1, dimensions);
    metrics.add('AwsCallLatency', 10, { Operation: 'CreateImageBuilder' });

    // Act
    metrics.flush();

    // Assess
    const [infra, builder] = emfLines() as [EmfLine, EmfLine];
    expect(emfLines()).toHaveLength(2);
    expect(infra._aws.CloudWatchMetrics[0]?.Metrics.map(({ Name }) => Name).sort()).toEqual([
      'AwsCallLatency',
      'AwsCallRetries',
      'AwsThrottles',
    ]);
    expect(infra).toMatchObject({
      Operation: 'CreateInfrastructureConfiguration',
      AwsCallLatency: [30, 20],
      AwsThrottles: 1,
      AwsCallRetries: 1,
    });
    expect(builder).toMatchObject({ Operation: 'CreateImageBuilder', AwsCallLatency: 10 });
  });

  it('takes the namespace and the service from the Powertools variables', () => {
    // Prepare
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'image-provisioner/prod');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'image-provisioner');
    const metrics = createEmfMetrics();
    metrics.add('IdempotentReplays', 1, { Operation: 'CreateImageBuilder', Channel: 'sqs' });

    // Act
    metrics.flush();

    // Assess
    const [line] = emfLines() as [EmfLine];
    expect(line._aws.CloudWatchMetrics[0]?.Namespace).toBe('image-provisioner/prod');
    expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service', 'Operation', 'Channel'],
    ]);
    expect(line).toMatchObject({ service: 'image-provisioner', IdempotentReplays: 1 });
  });

  it('writes nothing, and warns of nothing, when nothing was recorded', () => {
    // Prepare
    const logger = warnings();
    const metrics = createEmfMetrics({ namespace: NAMESPACE, logger });

    // Act
    metrics.flush();

    // Assess
    expect(written).toEqual([]);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('emits what was recorded once: a second flush writes nothing', () => {
    // Prepare
    const metrics = createEmfMetrics({ namespace: NAMESPACE });
    metrics.add('IdempotencyMismatches', 1, { Operation: 'CreateImageBuilder', Channel: 'http' });
    metrics.flush();

    // Act
    metrics.flush();

    // Assess
    expect(emfLines()).toHaveLength(1);
  });

  it('splits 100 values and more of a metric over lines that all keep their dimensions', () => {
    // Prepare
    const logger = warnings();
    const metrics = createEmfMetrics({ namespace: NAMESPACE, logger });
    const dimensions = { Operation: 'CreateImageBuilder' };
    for (let attempt = 0; attempt < 150; attempt++) metrics.add('AwsCallLatency', 1, dimensions);
    metrics.add('AwsThrottles', 1, dimensions);

    // Act
    metrics.flush();

    // Assess
    const lines = emfLines();
    expect(lines.map((line) => (line.AwsCallLatency as number[]).length)).toEqual([99, 51]);
    expect(lines.map((line) => line.AwsThrottles)).toEqual([1, undefined]);
    for (const line of lines) {
      expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'Operation']]);
      expect(line.Operation).toBe('CreateImageBuilder');
    }
    expect(logger.warn).not.toHaveBeenCalled();
  });
});
