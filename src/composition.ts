import { Logger } from '@aws-lambda-powertools/logger';
import { createServiceClients, type ServiceClients } from './aws/clients.js';
import type { Config } from './config.js';
import { createGuardrails } from './guardrails/evaluate.js';
import { createSnsOutcomePublisher } from './outcomes/snsOutcomePublisher.js';
import { createIdempotencyStore, type IdempotencyStore } from './provisioning/idempotency.js';
import { createPipeline, type Pipeline } from './provisioning/pipeline.js';

export interface App {
  config: Config;
  logger: Logger;
  idempotency: IdempotencyStore;
  pipeline: Pipeline;
}

export interface AppOverrides {
  clients?: Partial<ServiceClients>;
  logger?: Logger;
}

/** The one place clients and adapters are built; handlers and tests receive the result. */
export const createApp = (config: Config, overrides: AppOverrides = {}): App => {
  const clients = createServiceClients(config.region, overrides.clients);
  const logger = overrides.logger ?? new Logger({ serviceName: 'image-provisioner' });
  const idempotency = createIdempotencyStore({
    dynamodb: clients.dynamodb,
    tableName: config.idempotencyTableName,
    ttlSeconds: config.idempotencyTtlSeconds,
  });
  const publisher = createSnsOutcomePublisher({
    sns: clients.sns,
    topicArn: config.outcomesTopicArn,
    source: config.outcomeSource,
  });
  const pipeline = createPipeline({
    clients,
    publisher,
    idempotency,
    logger,
    retryPolicy: config.retryPolicy,
    guardrails: createGuardrails(config.guardrails, { accountId: config.accountId }),
  });
  return { config, logger, idempotency, pipeline };
};
