import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { IdempotencyStore } from '../provisioning/idempotency.js';

export interface EntryDependencies {
  logger: Logger;
  /** For entries whose requests run once per token. */
  idempotency?: IdempotencyStore;
}

/**
 * What every entry does before its own work: the logger learns the invocation (request id, cold
 * start), and in-progress idempotency records are bounded by the invocation's remaining time.
 */
export const lambdaEntry = <Event, Result>({ logger, idempotency }: EntryDependencies) =>
  middy<Event, Result, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .before(({ context }) => {
      idempotency?.registerLambdaContext(context);
    });
