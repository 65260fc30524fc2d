import { randomUUID } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { isRecord } from '../basics/records.js';

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

/** The attribute of an idempotency record that names the PutItem call which wrote it. */
export const PUT_OWNER_ATTRIBUTE = 'put_owner';

/** Powertools' partition key on the idempotency table (its default `keyAttr`). */
const RECORD_KEY_ATTRIBUTE = 'id';

type Item = Record<string, AttributeValue>;

/** The initialize step of the DynamoDB client's middleware stack, in the SDK's own shapes. */
interface InitializeArguments {
  input: ServiceInputTypes;
}
type InitializeHandler = (
  args: InitializeArguments,
) => Promise<{ output: ServiceOutputTypes; response: unknown }>;
export type InitializeMiddleware = (
  next: InitializeHandler,
  context: { commandName?: string },
) => InitializeHandler;

export interface OwnPutOptions {
  /** The idempotency table: PutItem on any other table, and every other call, pass untouched. */
  tableName: string;
  /** Reads the record back (consistently) when the engine does not return it with the failure. */
  readRecord(key: Item): Promise<Item | undefined>;
  /** A fresh id per PutItem call; random unless a test fixes it. */
  newOwner?: () => string;
}

/** Whether the record in the way carries `owner`: then this very call wrote it. */
const wroteItself = async (
  error: ConditionalCheckFailedException,
  owner: string,
  key: Item,
  readRecord: OwnPutOptions['readRecord'],
): Promise<boolean> => {
  if (error.Item) return error.Item[PUT_OWNER_ATTRIBUTE]?.S === owner;
  // DynamoDB returns the record (ReturnValuesOnConditionCheckFailure: ALL_OLD); an engine that
  // does not (dynalite) is asked, but only after a retry: a first attempt cannot meet itself.
  if (error.$metadata.attempts === 1) return false;
  const stored = await readRecord(key).catch(() => undefined);
  return stored?.[PUT_OWNER_ATTRIBUTE]?.S === owner;
};

/**
 * Makes the idempotency record's PutItem recognise its own earlier attempt.
 *
 * Powertools takes a token with one conditional PutItem (`attribute_not_exists(#id) OR ...`). The
 * SDK retries that call when an attempt gets no answer in time, but a write can land and its
 * answer come late: the retry then meets the record its own first attempt wrote, the condition
 * fails, and Powertools reports the token as in progress elsewhere. The request answered 409 (a
 * queue message bounced until the DLQ) for a token nobody else held, and nothing ever ran it.
 *
 * So each PutItem call on the idempotency table writes a fresh owner id into the item, the same
 * on every retry of that call (this runs in the initialize step, outside the SDK's retries). When
 * the call finally fails its condition on a record with that owner, the record is this call's own:
 * the put succeeded, and is answered as such. Any other failure, a record of another owner, and
 * every other call stand as they are, so a duplicate in flight still gets "in progress".
 */
export const recogniseOwnPut =
  ({ tableName, readRecord, newOwner = randomUUID }: OwnPutOptions): InitializeMiddleware =>
  (next, context) =>
  async (args) => {
    const { input } = args;
    if (
      context.commandName !== 'PutItemCommand' ||
      !('Item' in input) ||
      input.TableName !== tableName ||
      !input.Item
    ) {
      return next(args);
    }
    const owner = newOwner();
    const item: Item = { ...input.Item, [PUT_OWNER_ATTRIBUTE]: { S: owner } };
    try {
      return await next({ ...args, input: { ...input, Item: item } });
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const keyValue = item[RECORD_KEY_ATTRIBUTE];
      const key: Item = keyValue ? { [RECORD_KEY_ATTRIBUTE]: keyValue } : {};
      if (!(await wroteItself(error, owner, key, readRecord))) throw error;
      // PutItem answers nothing Powertools reads; the metadata tells how many attempts it took.
      return { output: { $metadata: error.$metadata }, response: error.$response };
    }
  };

/** Installs `recogniseOwnPut` on the client Powertools writes the records with (once per table). */
const installOwnPut = (dynamodb: DynamoDBClient, tableName: string): void => {
  const middleware = recogniseOwnPut({
    tableName,
    readRecord: async (Key) => {
      const { Item } = await dynamodb.send(
        new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }),
      );
      return Item;
    },
  });
  dynamodb.middlewareStack.add(middleware, {
    step: 'initialize',
    priority: 'high',
    name: `recogniseOwnPut:${tableName}`,
    override: true,
  });
};

export const createIdempotencyStore = ({
  dynamodb,
  tableName,
  ttlSeconds,
}: IdempotencyStoreOptions): IdempotencyStore => {
  installOwnPut(dynamodb, tableName);
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
