import { randomUUID } from 'node:crypto';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/engines/credentials.js';
import {
  createIdempotencyTable,
  localDynamoDbClient,
  type RunningDynamoDb,
  startDynalite,
} from '../../local/engines/dynamodb.js';
import { type OutageGate, startOutageGate } from '../../local/stack/outageGate.js';
import {
  createIdempotencyStore,
  idempotencyErrorKind,
  PUT_OWNER_ATTRIBUTE,
} from '../../src/provisioning/idempotency.js';
import { lambdaContext } from '../support/lambda.js';

/*
 * A late acknowledgement of the idempotency record's PutItem, on dynalite: the write lands, its
 * answer comes after the client's request timeout, the SDK retries and meets the record its first
 * attempt wrote. The client is shaped as the service's (src/aws/clients.ts: 2 attempts, bounded
 * requests), with a shorter timeout; the stack's outage gate holds the answer back.
 */

/** The client's request timeout here (the service's is 2 s) and how late the answer comes. */
const REQUEST_TIMEOUT_MS = 300;
const LATE_MS = 600;

let engine: RunningDynamoDb;
let gate: OutageGate;
let direct: DynamoDBClient;
const clients: DynamoDBClient[] = [];
const tableName = `idempotency-${randomUUID()}`;

/** A client like the service's, through the gate. */
const serviceClient = () => {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: gate.endpoint,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: 1_000,
      requestTimeout: REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  });
  clients.push(client);
  return client;
};

const storeOn = (client: DynamoDBClient) => {
  const store = createIdempotencyStore({ dynamodb: client, tableName, ttlSeconds: 3600 });
  store.registerLambdaContext(lambdaContext());
  return store;
};

/** The next PutItem through the gate lands at once and is answered late. */
const nextPutAnsweredLate = () =>
  gate.set({
    available: true,
    mode: 'reset',
    late: { ms: LATE_MS, count: 1, operation: 'PutItem' },
  });

/** The records of `keySpace` as the engine holds them (read past the gate). */
const storedRecords = async (keySpace: string) => {
  const { Items = [] } = await direct.send(
    new ScanCommand({
      TableName: tableName,
      FilterExpression: 'begins_with(id, :keySpace)',
      ExpressionAttributeValues: { ':keySpace': { S: `${keySpace}#` } },
    }),
  );
  return Items;
};

beforeAll(async () => {
  engine = await startDynalite();
  gate = await startOutageGate(engine.endpoint, 'DynamoDB');
  direct = localDynamoDbClient(engine.endpoint, 'us-east-1');
  await createIdempotencyTable(direct, tableName);
});

afterEach(() => gate.set({ available: true, mode: 'reset' }));

afterAll(async () => {
  for (const client of [...clients, direct]) client.destroy();
  await gate.close();
  await engine.close();
});

describe('a late acknowledgement of the idempotency record (dynalite)', () => {
  it('without the service store, Powertools finds its own record and reports the token in progress', async () => {
    const client = serviceClient();
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'clientToken' });
    config.registerLambdaContext(lambdaContext());
    const work = vi.fn(async (_job: { clientToken: string }) => ({ status: 'SUCCEEDED' }));
    const plain = makeIdempotent(work, {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client }),
      config,
      keyPrefix: 'Plain',
    });
    nextPutAnsweredLate();

    const failure = await plain({ clientToken: randomUUID() }).catch((error: unknown) => error);

    // The late answer was used, the retry came, and it met the record the first attempt wrote.
    expect(gate.state().late?.count).toBe(0);
    expect(idempotencyErrorKind(failure)).toBe('in-progress');
    expect(work).not.toHaveBeenCalled();
  });

  it('the service store runs the job once and completes the record it put', async () => {
    const store = storeOn(serviceClient());
    const work = vi.fn(async () => ({ status: 'SUCCEEDED', arn: 'arn:1' }));
    const run = store.wrap('CreateInfrastructureConfiguration', work);
    const token = randomUUID();
    nextPutAnsweredLate();

    const started = performance.now();
    const result = await run({ clientToken: token, request: { name: 'golden' } });
    const elapsedMs = performance.now() - started;
    const replay = await run({ clientToken: token, request: { name: 'golden' } });

    expect(gate.state().late?.count).toBe(0);
    // The first attempt's answer was waited for up to the timeout: the retry is what answered.
    expect(elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
    expect(result).toEqual({ status: 'SUCCEEDED', arn: 'arn:1' });
    expect(work).toHaveBeenCalledTimes(1);
    expect(replay).toEqual({ status: 'SUCCEEDED', arn: 'arn:1', replayed: true });
    const records = await storedRecords('CreateInfrastructureConfiguration');
    expect(records).toHaveLength(1);
    expect(records[0]?.status?.S).toBe('COMPLETED');
    expect(records[0]?.[PUT_OWNER_ATTRIBUTE]?.S).toEqual(expect.any(String));
  });

  it('a duplicate of the token, while the first runs, still finds it in progress', async () => {
    const store = storeOn(serviceClient());
    let release: () => void = () => undefined;
    const work = vi.fn(
      () =>
        new Promise<{ status: string }>((resolve) => {
          release = () => resolve({ status: 'SUCCEEDED' });
        }),
    );
    const run = store.wrap('CreateImageBuilder', work);
    const job = { clientToken: randomUUID(), request: { Name: 'builder' } };
    nextPutAnsweredLate();

    const first = run(job);
    await vi.waitFor(() => expect(work).toHaveBeenCalledTimes(1), { timeout: 5_000 });
    const duplicate = await run(job).catch((error: unknown) => error);
    release();

    expect(idempotencyErrorKind(duplicate)).toBe('in-progress');
    await expect(first).resolves.toEqual({ status: 'SUCCEEDED' });
    expect(work).toHaveBeenCalledTimes(1);
  });
});
