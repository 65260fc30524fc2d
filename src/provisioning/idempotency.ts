import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { isRecord } from '../shared/records.js';

export interface IdempotencyStoreOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
  ttlSeconds: number;
}

/** The shape every idempotent job takes: the key, and the payload a replay must match. */
export interface IdempotentJob {
  clientToken: string;
  request: unknown;
}

export interface IdempotencyStore {
  /**
   * Makes `fn` run at most once per clientToken within `keySpace`. A replay resolves to the
   * stored result with `replayed: true`; a replay with another `request` is rejected.
   */
  wrap<J extends IdempotentJob, R extends object>(
    keySpace: string,
    fn: (job: J) => Promise<R>,
  ): (job: J) => Promise<R & { replayed?: true }>;
  /** Bounds an in-progress record by the invocation's remaining time, so a crash frees its token. */
  registerLambdaContext(context: Context): void;
}

export const createIdempotencyStore = ({
  dynamodb,
  tableName,
  ttlSeconds,
}: IdempotencyStoreOptions): IdempotencyStore => {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'clientToken',
    payloadValidationJmesPath: 'request',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: ttlSeconds,
    responseHook: (response) => (isRecord(response) ? { ...response, replayed: true } : response),
  });
  return {
    // makeIdempotent (not the middy middleware): the 2.35.0 middleware deletes records it
    // never acquired when it rejects a concurrent duplicate or a payload mismatch.
    // One persistence layer per key space: Powertools sets the key prefix on the layer itself at
    // every call, so a layer shared by operations mixes up their keys when a batch runs them
    // concurrently.
    wrap: (keySpace, fn) =>
      makeIdempotent(fn, {
        persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: dynamodb }),
        config,
        keyPrefix: keySpace,
      }),
    registerLambdaContext: (context) => config.registerLambdaContext(context),
  };
};

/** Powertools errors cross package copies badly: match them by name, not instanceof. */
export const idempotencyErrorKind = (
  error: unknown,
): 'mismatch' | 'in-progress' | 'persistence' | undefined => {
  const name = error instanceof Error ? error.name : '';
  if (name === 'IdempotencyValidationError') return 'mismatch';
  if (name === 'IdempotencyAlreadyInProgressError') return 'in-progress';
  if (name.startsWith('Idempotency')) return 'persistence';
  return undefined;
};
