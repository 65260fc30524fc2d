import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type ServiceInputTypes,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createIdempotencyStore,
  type InitializeMiddleware,
  idempotencyErrorKind,
  PUT_OWNER_ATTRIBUTE,
  recogniseOwnPut,
} from '../../../src/provisioning/idempotency.js';
import { lambdaContext } from '../../support/lambda.js';

/*
 * The idempotency record's PutItem recognises its own earlier attempt: first the middleware on
 * fake handlers, then through a real DynamoDB client (its retries, its error parsing, Powertools)
 * on an in-memory engine whose answers can come after the SDK gave up on them.
 */

type Item = Record<string, AttributeValue>;

const TABLE = 'idempotency';
const OWNER = 'owner-1';
const RECORD: Item = { id: { S: 'CreateImageBuilder#abc' }, status: { S: 'INPROGRESS' } };

const putArgs = (tableName = TABLE) => ({
  input: { TableName: tableName, Item: { ...RECORD } } satisfies ServiceInputTypes,
});

const conditionFailed = ({ item, attempts }: { item?: Item; attempts: number }) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: { httpStatusCode: 400, attempts },
    ...(item ? { Item: item } : {}),
  });

const ownRecord = (owner: string): Item => ({ ...RECORD, [PUT_OWNER_ATTRIBUTE]: { S: owner } });

const middlewareWith = (readRecord = vi.fn(async (): Promise<Item | undefined> => undefined)) => ({
  readRecord,
  middleware: recogniseOwnPut({ tableName: TABLE, readRecord, newOwner: () => OWNER }),
});

/** Runs `middleware` around a fake `next` for one call of `commandName`. */
const run = (
  middleware: InitializeMiddleware,
  commandName: string,
  args: { input: ServiceInputTypes },
  next: Parameters<InitializeMiddleware>[0],
) => middleware(next, { commandName })(args);

const succeeded = async (_args: { input: ServiceInputTypes }) => ({
  output: { $metadata: { httpStatusCode: 200 } },
  response: {},
});

describe('recogniseOwnPut on fake handlers', () => {
  it('adds a fresh owner to the idempotency record it puts, without touching the caller input', async () => {
    const { middleware } = middlewareWith();
    const next = vi.fn(succeeded);
    const args = putArgs();

    await run(middleware, 'PutItemCommand', args, next);

    expect(next).toHaveBeenCalledWith({
      input: { TableName: TABLE, Item: ownRecord(OWNER) },
    });
    expect(args.input.Item).toEqual(RECORD);
  });

  it.each([
    ['PutItem on another table', 'PutItemCommand', putArgs('requests')],
    ['UpdateItem on the table', 'UpdateItemCommand', { input: { TableName: TABLE, Key: {} } }],
    ['GetItem on the table', 'GetItemCommand', { input: { TableName: TABLE, Key: {} } }],
  ])('passes %s through as it is', async (_, commandName, args) => {
    const { middleware } = middlewareWith();
    const next = vi.fn(succeeded);

    await run(middleware, commandName, args, next);

    expect(next.mock.calls[0]?.[0]).toBe(args);
  });

  it('answers success when the call fails its condition on the record it wrote itself', async () => {
    const { middleware, readRecord } = middlewareWith();
    const next = vi.fn(async () => {
      throw conditionFailed({ item: ownRecord(OWNER), attempts: 2 });
    });

    const result = await run(middleware, 'PutItemCommand', putArgs(), next);

    expect(result.output.$metadata).toMatchObject({ attempts: 2 });
    expect(readRecord).not.toHaveBeenCalled();
  });

  it('leaves the failure alone when the record in the way has another owner (a real duplicate)', async () => {
    const { middleware } = middlewareWith();
    const failure = conditionFailed({ item: ownRecord('someone-else'), attempts: 2 });

    await expect(
      run(middleware, 'PutItemCommand', putArgs(), async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
  });

  it('leaves the failure alone when the record in the way has no owner (written before this)', async () => {
    const { middleware } = middlewareWith();
    const failure = conditionFailed({ item: RECORD, attempts: 2 });

    await expect(
      run(middleware, 'PutItemCommand', putArgs(), async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
  });

  it('leaves every other error alone', async () => {
    const { middleware } = middlewareWith();
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });

    await expect(
      run(middleware, 'PutItemCommand', putArgs(), async () => {
        throw timeout;
      }),
    ).rejects.toBe(timeout);
  });

  describe('an engine that returns no record with the failure', () => {
    it('does not ask after a single attempt: that attempt cannot have met itself', async () => {
      const { middleware, readRecord } = middlewareWith();
      const failure = conditionFailed({ attempts: 1 });

      await expect(
        run(middleware, 'PutItemCommand', putArgs(), async () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(readRecord).not.toHaveBeenCalled();
    });

    it('reads the record back after a retry, and answers success when it is its own', async () => {
      const { middleware, readRecord } = middlewareWith(vi.fn(async () => ownRecord(OWNER)));

      const result = await run(middleware, 'PutItemCommand', putArgs(), async () => {
        throw conditionFailed({ attempts: 2 });
      });

      expect(result.output.$metadata).toMatchObject({ attempts: 2 });
      expect(readRecord).toHaveBeenCalledWith({ id: RECORD.id });
    });

    it.each([
      ['of another owner', async () => ownRecord('someone-else')],
      ['gone', async () => undefined],
      [
        'unreadable',
        async () => {
          throw new Error('down');
        },
      ],
    ])('keeps the failure when the record read back is %s', async (_, read) => {
      const { middleware } = middlewareWith(vi.fn(read));
      const failure = conditionFailed({ attempts: 2 });

      await expect(
        run(middleware, 'PutItemCommand', putArgs(), async () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
    });
  });
});

// ------------------------------------------------------------------------------------------------
// Through a real client
// ------------------------------------------------------------------------------------------------

interface EngineOptions {
  /** How many PutItem answers are lost after the write landed (the SDK times out on them). */
  lateAnswers: number;
  /** Whether a failed condition returns the record (DynamoDB: yes; dynalite: no). */
  returnsRecord: boolean;
}

/**
 * A DynamoDB engine in memory, behind the client's request handler: PutItem with Powertools'
 * condition reduced to "no record yet", GetItem, UpdateItem. Answers the SDK's wire format.
 */
const memoryEngine = ({ lateAnswers, returnsRecord }: EngineOptions) => {
  const items = new Map<string, Item>();
  const puts: Item[] = [];
  let late = lateAnswers;
  const answer = (statusCode: number, body: unknown) => ({
    response: {
      statusCode,
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: new TextEncoder().encode(JSON.stringify(body)),
    },
  });
  const handle = async (request: { headers: Record<string, string>; body?: unknown }) => {
    const operation = request.headers['x-amz-target']?.split('.').pop();
    const body = request.body instanceof Uint8Array ? new TextDecoder().decode(request.body) : '';
    const input = JSON.parse(typeof request.body === 'string' ? request.body : body) as {
      Item?: Item;
      Key?: Item;
      ReturnValuesOnConditionCheckFailure?: string;
    };
    const key = JSON.stringify(input.Item?.id ?? input.Key?.id);
    if (operation === 'GetItem') return answer(200, items.has(key) ? { Item: items.get(key) } : {});
    if (operation !== 'PutItem') return answer(200, {});
    puts.push(input.Item ?? {});
    const existing = items.get(key);
    if (existing) {
      return answer(400, {
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
        ...(returnsRecord && input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD'
          ? { Item: existing }
          : {}),
      });
    }
    items.set(key, input.Item ?? {});
    if (late > 0) {
      late -= 1;
      throw Object.assign(new Error('Request timed out'), { name: 'TimeoutError' });
    }
    return answer(200, {});
  };
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
    // A fake of the SDK's HttpHandler: `handle` is all the client calls.
    requestHandler: { handle } as never,
  });
  return { client, puts, items };
};

const job = { clientToken: 'token-1', request: { name: 'golden' } };

/** The store on `client`, its in-progress records bounded as in a Lambda invocation. */
const storeOn = (client: DynamoDBClient) => {
  const store = createIdempotencyStore({ dynamodb: client, tableName: TABLE, ttlSeconds: 60 });
  store.registerLambdaContext(lambdaContext());
  return store;
};

describe('recogniseOwnPut on a real client', () => {
  let client: DynamoDBClient | undefined;
  afterEach(() => client?.destroy());

  it.each([
    ['returns the record with the failure (DynamoDB)', true],
    ['returns no record with the failure (dynalite)', false],
  ])(
    'a late acknowledgement of the put no longer locks the token, on an engine that %s',
    async (_, returnsRecord) => {
      const engine = memoryEngine({ lateAnswers: 1, returnsRecord });
      client = engine.client;
      const store = storeOn(client);
      const work = vi.fn(async () => ({ status: 'SUCCEEDED' }));

      const result = await store.wrap('CreateImageBuilder', work)(job);

      expect(result).toEqual({ status: 'SUCCEEDED' });
      expect(work).toHaveBeenCalledTimes(1);
      // The SDK did retry the put, and both attempts carried the same owner.
      expect(engine.puts).toHaveLength(2);
      const owners = engine.puts.map((item) => item[PUT_OWNER_ATTRIBUTE]?.S);
      expect(owners[0]).toEqual(expect.any(String));
      expect(owners[1]).toBe(owners[0]);
    },
  );

  it('without it, the same late acknowledgement makes Powertools report the token in progress', async () => {
    const engine = memoryEngine({ lateAnswers: 1, returnsRecord: true });
    client = engine.client;
    const work = vi.fn(async (_job: typeof job) => ({ status: 'SUCCEEDED' }));
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'clientToken' });
    config.registerLambdaContext(lambdaContext());
    const plain = makeIdempotent(work, {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: TABLE, awsSdkV3Client: client }),
      config,
    });

    const failure = await plain(job).catch((error: unknown) => error);

    expect(idempotencyErrorKind(failure)).toBe('in-progress');
    expect(work).not.toHaveBeenCalled();
  });

  it('a duplicate of a token in flight still finds it in progress', async () => {
    const engine = memoryEngine({ lateAnswers: 0, returnsRecord: true });
    client = engine.client;
    const store = storeOn(client);
    let release: () => void = () => undefined;
    const work = vi.fn(
      () =>
        new Promise<{ status: string }>((resolve) => {
          release = () => resolve({ status: 'SUCCEEDED' });
        }),
    );
    const run = store.wrap('CreateImageBuilder', work);

    const first = run(job);
    await vi.waitFor(() => expect(work).toHaveBeenCalledTimes(1));
    const duplicate = await run(job).catch((error: unknown) => error);
    release();

    expect(idempotencyErrorKind(duplicate)).toBe('in-progress');
    await expect(first).resolves.toEqual({ status: 'SUCCEEDED' });
    // Two calls, two owners: the duplicate never passes for the first.
    const owners = engine.puts.map((item) => item[PUT_OWNER_ATTRIBUTE]?.S);
    expect(new Set(owners).size).toBe(2);
  });

  it('gives each PutItem call its own owner and leaves other tables and commands unmarked', async () => {
    const engine = memoryEngine({ lateAnswers: 0, returnsRecord: true });
    client = engine.client;
    storeOn(client);
    const put = (tableName: string, id: string) =>
      client?.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: id } } }));

    await put(TABLE, 'a');
    await put(TABLE, 'b');
    await put('requests', 'c');
    const { Item } = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'a' } } }),
    );

    const owners = engine.puts.map((item) => item[PUT_OWNER_ATTRIBUTE]?.S);
    expect(owners[0]).toEqual(expect.any(String));
    expect(owners[1]).toEqual(expect.any(String));
    expect(owners[1]).not.toBe(owners[0]);
    expect(owners[2]).toBeUndefined();
    expect(Item?.[PUT_OWNER_ATTRIBUTE]?.S).toBe(owners[0]);
  });
});
