'use strict';

const { dashboardOf } = require('./dashboard.cjs');

/**
 * The stage's alarms and its CloudWatch dashboard, as CloudFormation resources
 * (serverless.yml: `resources: - ${file(iac/alarms.cjs):resources}`).
 *
 * Every alarm notifies the `operationsTopicArn` param (by default the stack's own operations
 * topic, iac/monitoring.yml) when it goes off and when it clears. Missing data is not breaching:
 * an idle stage is a healthy one.
 *
 * The service's own metrics are Powertools Metrics (CloudWatch embedded metric format) in the
 * namespace `<service>/<stage>` with the dimension `service` (README "Metrics").
 */

/** The functions, by the logical ids the framework gives them. */
const FUNCTIONS = {
  Http: 'HttpLambdaFunction',
  Queue: 'QueueLambdaFunction',
  Outbox: 'OutboxLambdaFunction',
  Watch: 'WatchLambdaFunction',
};

/** Queues whose every message is work nobody is doing: anything in them is an alarm. */
const HOLDING_QUEUES = {
  RequestDeadLetterQueue:
    'requests that failed every receive (redrive: npm run redrive -- requests)',
  OutboxFailureQueue:
    'ledger changes whose outcomes could not be published (republish: npm run redrive -- outcomes)',
  WatchDeadLetterQueue:
    'readiness checks that could not be committed (redrive: npm run redrive -- watch)',
};

const FIVE_MINUTES = 300;
const ONE_MINUTE = 60;

const alarmOf = (context, name, description, properties) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    AlarmName: `${context.prefix}-${name}`,
    AlarmDescription: description,
    ActionsEnabled: true,
    AlarmActions: [context.topic],
    OKActions: [context.topic],
    TreatMissingData: 'notBreaching',
    ...properties,
  },
});

/** One alarm per holding queue: at least one message visible. */
const queueAlarms = (context) =>
  Object.fromEntries(
    Object.entries(HOLDING_QUEUES).map(([queue, holds]) => [
      `${queue}Alarm`,
      alarmOf(context, `${queue}-not-empty`, `${queue} holds ${holds}`, {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Statistic: 'Maximum',
        Period: ONE_MINUTE,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    ]),
  );

/** Per function: any error, any throttle (reserved concurrency reached). */
const functionAlarms = (context) =>
  Object.fromEntries(
    Object.entries(FUNCTIONS).flatMap(([name, logicalId]) =>
      ['Errors', 'Throttles'].map((metric) => [
        `${name}Function${metric}Alarm`,
        alarmOf(
          context,
          `${name.toLowerCase()}-${metric.toLowerCase()}`,
          `The ${name.toLowerCase()} function reported ${metric.toLowerCase()} (AWS/Lambda ${metric})`,
          {
            Namespace: 'AWS/Lambda',
            MetricName: metric,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId } }],
            Statistic: 'Sum',
            Period: FIVE_MINUTES,
            EvaluationPeriods: 1,
            Threshold: 0,
            ComparisonOperator: 'GreaterThanThreshold',
          },
        ),
      ]),
    ),
  );

const httpApiMetric = (id, metricName) => ({
  Id: id,
  ReturnData: false,
  MetricStat: {
    Metric: {
      Namespace: 'AWS/ApiGateway',
      MetricName: metricName,
      Dimensions: [
        { Name: 'ApiId', Value: { Ref: 'HttpApi' } },
        { Name: 'Stage', Value: '$default' },
      ],
    },
    Period: FIVE_MINUTES,
    Stat: 'Sum',
  },
});

/** The share of HTTP requests answered 5xx over five minutes, in percent. */
const http5xxAlarm = (context) =>
  alarmOf(
    context,
    'http-5xx-rate',
    `More than ${context.http5xxPercent} % of the HTTP API's answers in five minutes were 5xx`,
    {
      Metrics: [
        httpApiMetric('errors', '5xx'),
        httpApiMetric('requests', 'Count'),
        {
          Id: 'rate',
          Label: '5xx rate (%)',
          Expression: 'IF(requests > 0, 100 * errors / requests, 0)',
          ReturnData: true,
        },
      ],
      EvaluationPeriods: 1,
      Threshold: context.http5xxPercent,
      ComparisonOperator: 'GreaterThanThreshold',
    },
  );

/**
 * Outcomes announced late: the slowest publish (ledger commit to SNS accepted) over five minutes,
 * and the age of the oldest ledger change the outbox has not got to (which rises even when
 * nothing is being published at all).
 */
const publishLagAlarms = (context) => ({
  OutcomePublishLagAlarm: alarmOf(
    context,
    'outcome-publish-lag',
    `An outcome was published more than ${context.publishLagSeconds} s after the ledger committed it`,
    {
      Namespace: context.namespace,
      MetricName: 'OutcomePublishLag',
      Dimensions: [{ Name: 'service', Value: context.service }],
      Statistic: 'Maximum',
      Unit: 'Milliseconds',
      Period: FIVE_MINUTES,
      EvaluationPeriods: 1,
      Threshold: context.publishLagSeconds * 1000,
      ComparisonOperator: 'GreaterThanThreshold',
    },
  ),
  OutboxIteratorAgeAlarm: alarmOf(
    context,
    'outbox-iterator-age',
    `The outbox is more than ${context.publishLagSeconds} s behind the ledger's stream`,
    {
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: FUNCTIONS.Outbox } }],
      Statistic: 'Maximum',
      Period: FIVE_MINUTES,
      EvaluationPeriods: 1,
      Threshold: context.publishLagSeconds * 1000,
      ComparisonOperator: 'GreaterThanThreshold',
    },
  ),
});

module.exports = {
  FUNCTIONS,
  HOLDING_QUEUES,
  /** Everything this file contributes to the template. */
  resources: async ({ resolveVariable }) => {
    const service = await resolveVariable('self:service');
    const stage = await resolveVariable('sls:stage');
    const context = {
      service,
      stage,
      prefix: `${service}-${stage}`,
      namespace: `${service}/${stage}`,
      topic: await resolveVariable('param:operationsTopicArn'),
      http5xxPercent: Number(await resolveVariable('param:http5xxAlarmPercent')),
      publishLagSeconds: Number(await resolveVariable('param:publishLagAlarmSeconds')),
    };
    const alarms = {
      ...queueAlarms(context),
      ...functionAlarms(context),
      HttpApi5xxRateAlarm: http5xxAlarm(context),
      ...publishLagAlarms(context),
    };
    return {
      Resources: {
        ...alarms,
        OperationsDashboard: dashboardOf(context, Object.keys(alarms), {
          functions: FUNCTIONS,
          holdingQueues: HOLDING_QUEUES,
        }),
      },
    };
  },
};
