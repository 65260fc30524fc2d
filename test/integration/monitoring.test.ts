import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC_DEFINITIONS, type MetricName } from '../../src/basics/metrics.js';
import {
  PACKAGE_TIMEOUT_MS,
  packageStage,
  type Resource,
  readTemplate,
  type Template,
} from '../support/packaging.js';

/**
 * The alarms and the dashboard of a deployed stage, read from the template `sls package` writes:
 * what each alarm watches, its statistic, period and threshold, where it notifies; and that the
 * dashboard shows every metric the service emits, with the dimensions it emits them with.
 */

const STAGE = 'dev';
const NAMESPACE = `image-provisioner/${STAGE}`;
const TOPIC = { Ref: 'OperationsTopic' };

interface ExpectedAlarm {
  namespace: string;
  metric: string;
  dimensions: { Name: string; Value: unknown }[];
  statistic: string;
  period: number;
  threshold: number;
}

const queueAlarm = (queue: string): ExpectedAlarm => ({
  namespace: 'AWS/SQS',
  metric: 'ApproximateNumberOfMessagesVisible',
  dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
  statistic: 'Maximum',
  period: 60,
  threshold: 0,
});

const lambdaAlarm = (fn: string, metric: string): ExpectedAlarm => ({
  namespace: 'AWS/Lambda',
  metric,
  dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
  statistic: 'Sum',
  period: 300,
  threshold: 0,
});

/** Every single-metric alarm, by logical id (the HTTP 5xx rate is a metric-math alarm, below). */
const EXPECTED: Record<string, ExpectedAlarm> = {
  RequestDeadLetterQueueAlarm: queueAlarm('RequestDeadLetterQueue'),
  OutboxFailureQueueAlarm: queueAlarm('OutboxFailureQueue'),
  WatchDeadLetterQueueAlarm: queueAlarm('WatchDeadLetterQueue'),
  ...Object.fromEntries(
    ['Http', 'Queue', 'Outbox', 'Watch'].flatMap((fn) =>
      ['Errors', 'Throttles'].map((metric) => [
        `${fn}Function${metric}Alarm`,
        lambdaAlarm(`${fn}LambdaFunction`, metric),
      ]),
    ),
  ),
  OutcomePublishLagAlarm: {
    namespace: NAMESPACE,
    metric: 'OutcomePublishLag',
    dimensions: [{ Name: 'service', Value: 'image-provisioner' }],
    statistic: 'Maximum',
    period: 300,
    threshold: 60_000,
  },
  OutboxIteratorAgeAlarm: {
    namespace: 'AWS/Lambda',
    metric: 'IteratorAge',
    dimensions: [{ Name: 'FunctionName', Value: { Ref: 'OutboxLambdaFunction' } }],
    statistic: 'Maximum',
    period: 300,
    threshold: 60_000,
  },
};
const HTTP_5XX_ALARM = 'HttpApi5xxRateAlarm';

let outDir = '';
let template: Template;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), `image-provisioner-monitoring-${STAGE}-`));
  await packageStage(STAGE, outDir, outDir);
  template = await readTemplate(outDir, 'update');
}, PACKAGE_TIMEOUT_MS + 30_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

const ofType = (type: string): [string, Resource][] =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

const alarm = (id: string): Resource => {
  const found = template.Resources[id];
  expect(found?.Type, id).toBe('AWS::CloudWatch::Alarm');
  return found as Resource;
};

describe(`alarms (sls package --stage ${STAGE})`, () => {
  it('has exactly the alarms listed here, each named after the stage', () => {
    const ids = ofType('AWS::CloudWatch::Alarm').map(([id]) => id);
    expect(ids.sort()).toEqual([...Object.keys(EXPECTED), HTTP_5XX_ALARM].sort());
    for (const id of ids) {
      expect(alarm(id).Properties.AlarmName).toMatch(new RegExp(`^image-provisioner-${STAGE}-`));
    }
  });

  it('notifies the operations topic when an alarm goes off and when it clears, not on missing data', () => {
    for (const [id] of ofType('AWS::CloudWatch::Alarm')) {
      expect(alarm(id).Properties, id).toMatchObject({
        ActionsEnabled: true,
        AlarmActions: [TOPIC],
        OKActions: [TOPIC],
        TreatMissingData: 'notBreaching',
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      expect(typeof alarm(id).Properties.AlarmDescription).toBe('string');
    }
  });

  it.each(Object.entries(EXPECTED))('%s watches its metric with its threshold', (id, expected) => {
    expect(alarm(id).Properties).toMatchObject({
      Namespace: expected.namespace,
      MetricName: expected.metric,
      Dimensions: expected.dimensions,
      Statistic: expected.statistic,
      Period: expected.period,
      Threshold: expected.threshold,
    });
  });

  it('alarms on the publish lag the service emits, with the dimensions it emits it with', () => {
    const { Dimensions, Unit } = alarm('OutcomePublishLagAlarm').Properties;
    expect(Unit).toBe(METRIC_DEFINITIONS.OutcomePublishLag.unit);
    expect(Dimensions.map((d: { Name: string }) => d.Name)).toEqual([
      'service',
      ...METRIC_DEFINITIONS.OutcomePublishLag.dimensions,
    ]);
  });

  it('alarms on the share of HTTP answers that are 5xx over five minutes, above 1 %', () => {
    const { Metrics, Threshold } = alarm(HTTP_5XX_ALARM).Properties;
    expect(Threshold).toBe(1);
    const stage = [
      { Name: 'ApiId', Value: { Ref: 'HttpApi' } },
      { Name: 'Stage', Value: '$default' },
    ];
    const stat = (metric: string) => ({
      Metric: { Namespace: 'AWS/ApiGateway', MetricName: metric, Dimensions: stage },
      Period: 300,
      Stat: 'Sum',
    });
    expect(Metrics).toEqual([
      { Id: 'errors', ReturnData: false, MetricStat: stat('5xx') },
      { Id: 'requests', ReturnData: false, MetricStat: stat('Count') },
      {
        Id: 'rate',
        Label: '5xx rate (%)',
        Expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        ReturnData: true,
      },
    ]);
  });

  it('sends to the stack-made operations topic, encrypted with the stage key CloudWatch may use', () => {
    const topic = template.Resources.OperationsTopic as Resource;
    expect(topic.Properties.KmsMasterKeyId).toEqual({ Ref: 'OperationsKey' });
    const key = template.Resources.OperationsKey as Resource;
    const cloudwatch = key.Properties.KeyPolicy.Statement.find(
      (s: { Principal?: { Service?: string } }) =>
        s.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    expect(cloudwatch?.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(template.Outputs.OperationsTopicArn?.Value).toEqual(TOPIC);
  });
});

describe('dashboard', () => {
  const body = (): { source: string; widgets: Widget[] } => {
    const dashboards = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const source: string = (dashboards[0] as [string, Resource])[1].Properties.DashboardBody[
      'Fn::Sub'
    ];
    return { source, widgets: JSON.parse(source).widgets };
  };

  interface Widget {
    type: string;
    properties: { title: string; metrics?: unknown[][]; alarms?: string[] };
  }

  it('refers only to resources of the template and to pseudo parameters', () => {
    const references = [...body().source.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1] as string);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) {
      if (reference.startsWith('AWS::')) continue;
      const [logicalId] = reference.split('.');
      expect(template.Resources, reference).toHaveProperty(logicalId as string);
    }
  });

  it("shows every alarm's state", () => {
    const alarmWidget = body().widgets.find((w) => w.type === 'alarm');
    expect(alarmWidget?.properties.alarms?.sort()).toEqual(
      ofType('AWS::CloudWatch::Alarm')
        .map(([id]) => `\${${id}.Arn}`)
        .sort(),
    );
  });

  it('shows every metric the service emits, searched with exactly the dimensions it carries', () => {
    const searches = body()
      .widgets.flatMap((w) => w.properties.metrics ?? [])
      .flat()
      .flatMap((entry) => {
        const expression = (entry as { expression?: string }).expression;
        return expression ? [expression] : [];
      });
    const plain = body()
      .widgets.flatMap((w) => w.properties.metrics ?? [])
      .filter((line) => line[0] === NAMESPACE)
      .map((line) => line[1]);
    for (const name of Object.keys(METRIC_DEFINITIONS) as MetricName[]) {
      const dimensions = ['service', ...METRIC_DEFINITIONS[name].dimensions].join(',');
      const searched = searches.filter((e) => e.includes(`MetricName="${name}"`));
      for (const expression of searched) {
        expect(expression).toContain(`{"${NAMESPACE}",${dimensions}}`);
      }
      expect(searched.length + plain.filter((m) => m === name).length, name).toBeGreaterThan(0);
    }
  });

  it('shows the queues that hold work back, the functions and the HTTP API', () => {
    const source = body().source;
    for (const queue of ['RequestDeadLetterQueue', 'OutboxFailureQueue', 'WatchDeadLetterQueue']) {
      expect(source).toContain(`\${${queue}.QueueName}`);
    }
    for (const fn of ['Http', 'Queue', 'Outbox', 'Watch']) {
      expect(source).toContain(`\${${fn}LambdaFunction}`);
    }
    const http = body().widgets.filter((w) => w.properties.metrics?.[0]?.[0] === 'AWS/ApiGateway');
    expect(http.flatMap((w) => w.properties.metrics?.map((line) => line[1]))).toEqual(
      expect.arrayContaining(['Count', '4xx', '5xx', 'Latency', 'IntegrationLatency']),
    );
  });
});
