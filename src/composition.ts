import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  createQueueClient,
  createServiceClients,
  createTopicClient,
  type ProvisioningClients,
  type ServiceClients,
} from './aws/clients.js';
import { createEmfMetrics } from './aws/emfMetrics.js';
import { mapStackTracesOfBundle } from './aws/sourceMaps.js';
import type { FlushableMetrics } from './basics/metrics.js';
import { createSqsMessageDelay, type MessageDelay } from './channels/messageDelay.js';
import { type Config, ConfigError } from './config.js';
import { adoptableIn } from './guardrails/adoptable.js';
import { createGuardrails } from './guardrails/evaluate.js';
import { createDynamoLedger } from './ledger/dynamoLedger.js';
import type { RequestLedger } from './ledger/record.js';
import { createOutboxRelay, type OutboxRelay } from './outbox/relay.js';
import { createSqsCheckScheduler } from './outbox/sqsCheckScheduler.js';
import { createSnsOutcomePublisher } from './outcomes/snsOutcomePublisher.js';
import { createIdempotencyStore, type IdempotencyStore } from './provisioning/idempotency.js';
import { createRequestLookup, type RequestLookup } from './provisioning/lookup.js';
import { createPipeline, type Pipeline } from './provisioning/pipeline.js';
import { createReadinessWatch, type ReadinessWatch } from './readiness/watch.js';

/** What the HTTP function needs: the pipeline and the status lookup. */
export interface HttpApp {
  config: Config;
  logger: Logger;
  idempotency: IdempotencyStore;
  ledger: RequestLedger;
  pipeline: Pipeline;
  lookup: RequestLookup;
  metrics: FlushableMetrics;
}

/** The queue function's: the same, and the queue's client to hold a message back. */
export interface App extends HttpApp {
  messageDelay: MessageDelay;
}

// Every function imports this module before it reads its configuration: from here on, stacks
// formatted in a deployed bundle name the TypeScript sources (a no-op outside a bundle).
mapStackTracesOfBundle();

export interface AppOverrides {
  clients?: Partial<ServiceClients & { sqs: SQSClient }>;
  logger?: Logger;
  metrics?: FlushableMetrics;
}

const loggerOf = (overrides: AppOverrides) =>
  overrides.logger ?? new Logger({ serviceName: 'image-provisioner' });

/**
 * CloudWatch embedded metric format on standard output: namespace and `service` dimension from
 * `POWERTOOLS_METRICS_NAMESPACE` and `POWERTOOLS_SERVICE_NAME`; what Powertools cannot emit it
 * tells the service's logger.
 */
const metricsOf = (overrides: AppOverrides, logger: Logger): FlushableMetrics =>
  overrides.metrics ?? createEmfMetrics({ logger });

const ledgerOf = (
  config: Config,
  { dynamodb }: Pick<ProvisioningClients, 'dynamodb'>,
): RequestLedger =>
  createDynamoLedger({
    dynamodb,
    tableName: config.requestsTableName,
    retentionSeconds: config.requestRetentionSeconds,
  });

/**
 * The one place clients and adapters are built; handlers and tests receive the result. The HTTP
 * function's part: no queue client, which it never calls (nor its code in its bundle).
 */
export const createHttpApp = (config: Config, overrides: AppOverrides = {}): HttpApp => {
  const logger = loggerOf(overrides);
  const clients = createServiceClients(config.region, overrides.clients);
  const metrics = metricsOf(overrides, logger);
  const idempotency = createIdempotencyStore({
    dynamodb: clients.dynamodb,
    tableName: config.idempotencyTableName,
    ttlSeconds: config.idempotencyTtlSeconds,
  });
  const ledger = ledgerOf(config, clients);
  const pipeline = createPipeline({
    clients,
    // The stage's identity (its outcomes' source) marks what it creates; the policy, what it adopts.
    ownership: { owner: config.outcomeSource, adoptable: adoptableIn(config.guardrails) },
    ledger,
    idempotency,
    logger,
    metrics,
    retryPolicy: config.retryPolicy,
    guardrails: createGuardrails(config.guardrails, { accountId: config.accountId }),
    watchTiming: config.watchTiming,
  });
  return {
    config,
    logger,
    idempotency,
    ledger,
    pipeline,
    lookup: createRequestLookup(ledger),
    metrics,
  };
};

/** The queue function's part: the HTTP function's, and the queue's client. */
export const createApp = (config: Config, overrides: AppOverrides = {}): App => ({
  ...createHttpApp(config, overrides),
  messageDelay: createSqsMessageDelay(createQueueClient(config.region, overrides.clients?.sqs)),
});

export interface OutboxApp {
  logger: Logger;
  relay: OutboxRelay;
  metrics: FlushableMetrics;
}

/**
 * The outbox's part: the topic it publishes to and the watch queue it schedules checks on,
 * nothing else (the stream brings the ledger).
 */
export const createOutboxApp = (config: Config, overrides: AppOverrides = {}): OutboxApp => {
  const { watchQueueUrl } = config;
  if (!watchQueueUrl)
    throw new ConfigError('Missing required environment variable WATCH_QUEUE_URL');
  const logger = loggerOf(overrides);
  const metrics = metricsOf(overrides, logger);
  const sns = createTopicClient(config.region, overrides.clients?.sns);
  const relay = createOutboxRelay({
    publisher: createSnsOutcomePublisher({ sns, topicArn: config.outcomesTopicArn }),
    checks: createSqsCheckScheduler({
      sqs: createQueueClient(config.region, overrides.clients?.sqs),
      queueUrl: watchQueueUrl,
    }),
    source: config.outcomeSource,
    metrics,
  });
  return { logger, relay, metrics };
};

export interface WatchApp {
  logger: Logger;
  watch: ReadinessWatch;
}

/** The follow-through's part: the services it checks on and the ledger it commits to. */
export const createWatchApp = (config: Config, overrides: AppOverrides = {}): WatchApp => {
  const logger = loggerOf(overrides);
  const clients = createServiceClients(config.region, overrides.clients);
  const watch = createReadinessWatch({
    clients,
    ledger: ledgerOf(config, clients),
    timing: config.watchTiming,
    logger,
  });
  return { logger, watch };
};
