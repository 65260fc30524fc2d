'use strict';

/**
 * The stage's CloudWatch dashboard (built by iac/alarms.cjs): the service's own metrics
 * (README "Metrics"), the queues, the functions, the HTTP API and every alarm's state.
 *
 * The body is JSON with `${...}` references that Fn::Sub resolves at deploy time (the region,
 * the functions' names, the queues' names, the alarms' ARNs). The service's metrics are found by
 * SEARCH over their dimensions, so a new operation or result shows up without a change here.
 */

/** `${name}` in the body: what Fn::Sub replaces (a pseudo parameter, a resource, an attribute). */
const subRef = (name) => `\${${name}}`;

const WIDTH = 12;
const HEIGHT = 6;
const PERIOD = 300;

/** A SEARCH over one of the service's metrics, with every value of its dimensions. */
const search = (context, id, metric, dimensions, stat, label) => ({
  id,
  // The namespace holds "/" and "-": quoted, as SEARCH wants any name that is not alphanumeric.
  expression: `SEARCH('{"${context.namespace}",${['service', ...dimensions].join(',')}} MetricName="${metric}"', '${stat}', ${PERIOD})`,
  label,
});

const graph = (title, metrics, extra = {}) => ({
  type: 'metric',
  width: WIDTH,
  height: HEIGHT,
  properties: {
    title,
    region: subRef('AWS::Region'),
    view: 'timeSeries',
    period: PERIOD,
    metrics,
    ...extra,
  },
});

const serviceWidgets = (context) => [
  graph('Requests by operation, channel and result', [
    [search(context, 'requests', 'Requests', ['Operation', 'Channel', 'Result'], 'Sum', '')],
  ]),
  graph('AWS call latency by operation (p50, p99)', [
    [search(context, 'latencyP50', 'AwsCallLatency', ['Operation'], 'p50', 'p50')],
    [search(context, 'latencyP99', 'AwsCallLatency', ['Operation'], 'p99', 'p99')],
  ]),
  graph('AWS retries and throttles by operation', [
    [search(context, 'retries', 'AwsCallRetries', ['Operation'], 'Sum', 'retries')],
    [search(context, 'throttles', 'AwsThrottles', ['Operation'], 'Sum', 'throttles')],
  ]),
  graph(
    'Outcome publish lag (committed to published)',
    [
      [context.namespace, 'OutcomePublishLag', 'service', context.service, { stat: 'p99' }],
      ['...', { stat: 'Maximum' }],
      [
        'AWS/Lambda',
        'IteratorAge',
        'FunctionName',
        subRef('OutboxLambdaFunction'),
        { stat: 'Maximum' },
      ],
    ],
    {
      annotations: {
        horizontal: [{ label: 'alarm', value: context.publishLagSeconds * 1000 }],
      },
    },
  ),
  graph('Idempotent replays and mismatches', [
    [search(context, 'replays', 'IdempotentReplays', ['Operation', 'Channel'], 'Sum', 'replays')],
    [
      search(
        context,
        'mismatches',
        'IdempotencyMismatches',
        ['Operation', 'Channel'],
        'Sum',
        'mismatches',
      ),
    ],
  ]),
];

const queueWidgets = (holdingQueues) => [
  graph(
    'Messages held back (DLQs, outbox failures)',
    Object.keys(holdingQueues).map((queue) => [
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      'QueueName',
      subRef(`${queue}.QueueName`),
      { stat: 'Maximum' },
    ]),
  ),
  graph('Request queue: backlog and oldest message (s)', [
    [
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      'QueueName',
      subRef('RequestQueue.QueueName'),
      { stat: 'Maximum' },
    ],
    ['.', 'ApproximateAgeOfOldestMessage', '.', '.', { stat: 'Maximum', yAxis: 'right' }],
  ]),
];

const functionWidgets = (functions) => [
  graph(
    'Function errors and throttles',
    Object.values(functions).flatMap((logicalId) => [
      ['AWS/Lambda', 'Errors', 'FunctionName', subRef(logicalId), { stat: 'Sum' }],
      ['.', 'Throttles', '.', '.', { stat: 'Sum' }],
    ]),
  ),
  graph(
    'Function concurrency and duration (p99)',
    Object.values(functions).flatMap((logicalId) => [
      [
        'AWS/Lambda',
        'ConcurrentExecutions',
        'FunctionName',
        subRef(logicalId),
        { stat: 'Maximum' },
      ],
      ['.', 'Duration', '.', '.', { stat: 'p99', yAxis: 'right' }],
    ]),
  ),
];

const httpWidgets = () => [
  graph('HTTP API: requests, 4xx, 5xx', [
    ['AWS/ApiGateway', 'Count', 'ApiId', subRef('HttpApi'), 'Stage', '$default', { stat: 'Sum' }],
    ['.', '4xx', '.', '.', '.', '.', { stat: 'Sum' }],
    ['.', '5xx', '.', '.', '.', '.', { stat: 'Sum' }],
  ]),
  graph('HTTP API latency (p50, p99)', [
    ['AWS/ApiGateway', 'Latency', 'ApiId', subRef('HttpApi'), 'Stage', '$default', { stat: 'p50' }],
    ['...', { stat: 'p99' }],
    ['.', 'IntegrationLatency', '.', '.', '.', '.', { stat: 'p99' }],
  ]),
];

module.exports = {
  /** The AWS::CloudWatch::Dashboard of the stage, with the alarms (logical ids) it shows. */
  dashboardOf: (context, alarmIds, { functions, holdingQueues }) => {
    const widgets = [
      {
        type: 'alarm',
        width: 2 * WIDTH,
        height: HEIGHT,
        properties: {
          title: 'Alarms',
          alarms: alarmIds.map((id) => subRef(`${id}.Arn`)),
        },
      },
      ...serviceWidgets(context),
      ...queueWidgets(holdingQueues),
      ...functionWidgets(functions),
      ...httpWidgets(),
    ];
    return {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: {
        DashboardName: context.prefix,
        DashboardBody: { 'Fn::Sub': JSON.stringify({ widgets }) },
      },
    };
  },
};
