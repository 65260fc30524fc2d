import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRequestsTable,
  localDynamoDbClient,
  type RunningDynamoDb,
  startDynalite,
} from '../../../local/engines/dynamodb.js';
import { javaAvailable, startDynamoDbLocal } from '../../../local/engines/dynamodbLocal.js';
import { validationError } from '../../../src/basics/errors.js';
import {
  createDynamoLedger,
  decodeLedgerRecord,
  ledgerKey,
} from '../../../src/ledger/dynamoLedger.js';
import type {
  LedgerEntry,
  LedgerOutcome,
  LedgerRecord,
  RequestLedger,
} from '../../../src/ledger/record.js';

const JAVA = javaAvailable();

const ENGINES = [
  { name: 'dynalite', available: true, start: () => startDynalite() },
  {
    // Named so that a skipped run says why in the report.
    name: JAVA
      ? 'DynamoDB Local'
      : 'DynamoDB Local (skipped: it runs on Java and no `java` is on the PATH)',
    available: JAVA,
    start: () => startDynamoDbLocal(),
  },
];

const TABLE = 'image-provisioner-test-requests';
const RETENTION_SECONDS = 3_600;
const T0 = new Date('2026-11-21T10:00:00.000Z');

let tokens = 0;
/** A token no other test of the run uses: every test has records of its own. */
const freshToken = () => `ledger-token-${++tokens}`;

const entryFor = (clientToken: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry => ({
  operation: 'CreateInfrastructureConfiguration',
  clientToken,
  channel: 'sqs',
  correlationId: 'portal-ticket-4711',
  requestedBy: 'AIDAEXAMPLE',
  ...overrides,
});

/** A response as AWS answers, with every JSON type DynamoDB has to keep. */
const RESPONSE = {
  requestId: 'aws-request-1',
  clientToken: 'echoed',
  infrastructureConfigurationArn:
    'arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/golden',
  nested: { count: 3, ratio: 0.5, enabled: false, nothing: null, empty: '', list: ['a', 1] },
};

const succeeded: LedgerOutcome = {
  id: '11111111-1111-1111-1111-111111111111',
  status: 'SUCCEEDED',
  time: '2026-11-21T10:00:05.000Z',
  subject: RESPONSE.infrastructureConfigurationArn,
};

const failedError = validationError([{ path: '/request/name', message: 'is required' }]);

const failed: LedgerOutcome = {
  id: '22222222-2222-2222-2222-222222222222',
  status: 'FAILED',
  time: '2026-11-21T10:00:03.000Z',
  subject: 'golden',
  error: {
    code: 'ValidationException',
    message: 'The request has 1 invalid field.',
    retryable: false,
    errors: [{ path: '/request/name', message: 'is required' }],
  },
};

describe.each(ENGINES)('createDynamoLedger on $name', ({ available, start }) => {
  let engine: RunningDynamoDb | undefined;
  let dynamodb: DynamoDBClient;
  let clock: Date;
  let ledger: RequestLedger;

  const later = (seconds: number) => {
    clock = new Date(clock.getTime() + seconds * 1000);
  };

  /** The item as DynamoDB holds it, attribute by attribute. */
  const rawItem = async (operation: string, clientToken: string) => {
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: ledgerKey(operation, clientToken),
        ConsistentRead: true,
      }),
    );
    return Item;
  };

  const find = (entry: LedgerEntry) => ledger.find(entry.operation, entry.clientToken);

  beforeAll(async () => {
    if (!available) return;
    engine = await start();
    dynamodb = localDynamoDbClient(engine.endpoint, 'us-east-1');
    await createRequestsTable(dynamodb, TABLE, { stream: false });
    clock = T0;
    ledger = createDynamoLedger({
      dynamodb,
      tableName: TABLE,
      retentionSeconds: RETENTION_SECONDS,
      now: () => clock,
    });
  });

  afterAll(async () => {
    dynamodb?.destroy();
    await engine?.close();
  });

  describe.skipIf(!available)('round trips', () => {
    it('begins a request: IN_PROGRESS with who asked, how, when, its expiry, and no outcome', async () => {
      // Prepare
      clock = T0;
      const entry = entryFor(freshToken());

      // Act
      await ledger.begin(entry);

      // Assess
      expect(await find(entry)).toStrictEqual({
        operation: 'CreateInfrastructureConfiguration',
        clientToken: entry.clientToken,
        channel: 'sqs',
        correlationId: 'portal-ticket-4711',
        requestedBy: 'AIDAEXAMPLE',
        status: 'IN_PROGRESS',
        createdAt: T0.toISOString(),
        updatedAt: T0.toISOString(),
        expiresAt: T0.getTime() / 1000 + RETENTION_SECONDS,
        outcomes: [],
      });
      expect((await rawItem(entry.operation, entry.clientToken))?.pk).toEqual({
        S: `CreateInfrastructureConfiguration#${entry.clientToken}`,
      });
    });

    it('settles a success: the response kept as it was given, the outcome committed, the creation time and expiry of the begin kept', async () => {
      // Prepare
      clock = T0;
      const entry = entryFor(freshToken());
      await ledger.begin(entry);
      later(5);

      // Act
      await ledger.settle(entry, { status: 'SUCCEEDED', response: RESPONSE, outcome: succeeded });

      // Assess
      expect(await find(entry)).toStrictEqual({
        operation: 'CreateInfrastructureConfiguration',
        clientToken: entry.clientToken,
        channel: 'sqs',
        correlationId: 'portal-ticket-4711',
        requestedBy: 'AIDAEXAMPLE',
        status: 'SUCCEEDED',
        createdAt: T0.toISOString(),
        updatedAt: '2026-11-21T10:00:05.000Z',
        expiresAt: T0.getTime() / 1000 + RETENTION_SECONDS,
        response: RESPONSE,
        outcomes: [succeeded],
      });
    });

    it('settles a failure: what the caller was answered, and the outcome with its error', async () => {
      // Prepare
      clock = T0;
      const entry = entryFor(freshToken());

      // Act
      await ledger.settle(entry, {
        status: 'FAILED',
        error: failedError.toDetails(),
        outcome: failed,
      });

      // Assess
      const record = await find(entry);
      expect(record).toMatchObject({
        status: 'FAILED',
        error: failedError.toDetails(),
        outcomes: [failed],
        createdAt: T0.toISOString(),
      });
      expect(record).not.toHaveProperty('response');
    });

    it('settles without an outcome: the state, and no outcome', async () => {
      // Prepare
      const entry = entryFor(freshToken());
      await ledger.begin(entry);

      // Act
      await ledger.settle(entry, { status: 'SUCCEEDED', response: RESPONSE });

      // Assess
      expect(await find(entry)).toMatchObject({
        status: 'SUCCEEDED',
        response: RESPONSE,
        outcomes: [],
      });
    });

    it('appends an outcome settled twice once', async () => {
      // Prepare
      const entry = entryFor(freshToken());
      await ledger.begin(entry);
      await ledger.settle(entry, { status: 'SUCCEEDED', response: RESPONSE, outcome: succeeded });

      // Act
      await ledger.settle(entry, {
        status: 'SUCCEEDED',
        response: RESPONSE,
        outcome: { ...succeeded, time: '2026-11-21T10:09:00.000Z' },
      });

      // Assess
      const record = await find(entry);
      expect(record?.outcomes).toStrictEqual([succeeded]);
      expect(record?.status).toBe('SUCCEEDED');
    });

    it('still commits how the request ended when its outcome is committed already', async () => {
      // Prepare: throttled to the end, then begun again and throttled again (same outcome id).
      const entry = entryFor(freshToken(), { channel: 'http' });
      const throttled = { ...failed, error: { ...failed.error, code: 'Throttled' } };
      const settlement = {
        status: 'FAILED' as const,
        error: { ...failedError.toDetails(), code: 'Throttled', retryable: true },
        outcome: throttled as LedgerOutcome,
      };
      await ledger.begin(entry);
      await ledger.settle(entry, settlement);
      await ledger.begin(entry);

      // Act
      await ledger.settle(entry, settlement);

      // Assess
      expect(await find(entry)).toMatchObject({
        status: 'FAILED',
        error: settlement.error,
        outcomes: [throttled],
      });
    });

    it('keeps a settled success when the request is begun again', async () => {
      // Prepare
      clock = T0;
      const entry = entryFor(freshToken());
      await ledger.begin(entry);
      await ledger.settle(entry, { status: 'SUCCEEDED', response: RESPONSE, outcome: succeeded });
      const settled = await find(entry);
      later(60);

      // Act
      await ledger.begin(entryFor(entry.clientToken, { channel: 'http' }));

      // Assess
      expect(settled?.status).toBe('SUCCEEDED');
      expect(await find(entry)).toMatchObject({
        status: 'SUCCEEDED',
        response: RESPONSE,
        outcomes: [succeeded],
      });
    });

    it('begins a failed request again: IN_PROGRESS, its outcomes kept', async () => {
      // Prepare
      const entry = entryFor(freshToken());
      await ledger.settle(entry, {
        status: 'FAILED',
        error: failedError.toDetails(),
        outcome: failed,
      });

      // Act
      await ledger.begin(entry);

      // Assess
      expect(await find(entry)).toMatchObject({ status: 'IN_PROGRESS', outcomes: [failed] });
    });

    it('keeps a failure and then a success of one token as two outcomes in order, the error swapped for the response', async () => {
      // Prepare
      const entry = entryFor(freshToken());
      await ledger.begin(entry);
      await ledger.settle(entry, {
        status: 'FAILED',
        error: failedError.toDetails(),
        outcome: failed,
      });
      const afterFailure = await find(entry);
      await ledger.begin(entry);

      // Act
      await ledger.settle(entry, { status: 'SUCCEEDED', response: RESPONSE, outcome: succeeded });

      // Assess
      const record = await find(entry);
      expect(afterFailure).toMatchObject({ status: 'FAILED', error: failedError.toDetails() });
      expect(afterFailure).not.toHaveProperty('response');
      expect(record?.status).toBe('SUCCEEDED');
      expect(record?.outcomes).toStrictEqual([failed, succeeded]);
      expect(record?.response).toStrictEqual(RESPONSE);
      expect(record).not.toHaveProperty('error');
      const item = await rawItem(entry.operation, entry.clientToken);
      expect(item).not.toHaveProperty('error');
    });

    it('leaves correlationId and requestedBy absent when the request has none', async () => {
      // Prepare
      const entry = entryFor(freshToken(), {
        channel: 'http',
        correlationId: undefined,
        requestedBy: undefined,
      });

      // Act
      await ledger.begin(entry);
      await ledger.settle(entry, { status: 'SUCCEEDED', response: RESPONSE, outcome: succeeded });

      // Assess
      const record = await find(entry);
      expect(record).toMatchObject({ channel: 'http', status: 'SUCCEEDED' });
      expect(record).not.toHaveProperty('correlationId');
      expect(record).not.toHaveProperty('requestedBy');
      const item = await rawItem(entry.operation, entry.clientToken);
      expect(item).toBeDefined();
      expect(item).not.toHaveProperty('correlationId');
      expect(item).not.toHaveProperty('requestedBy');
    });

    it('scopes tokens per operation: the same token on two operations is two records', async () => {
      // Prepare
      const token = freshToken();
      const create = entryFor(token);
      const update = entryFor(token, { operation: 'UpdateInfrastructureConfiguration' });

      // Act
      await ledger.begin(create);
      await ledger.settle(update, {
        status: 'FAILED',
        error: failedError.toDetails(),
        outcome: failed,
      });

      // Assess
      expect(await find(create)).toMatchObject({ status: 'IN_PROGRESS', outcomes: [] });
      expect(await find(update)).toMatchObject({ status: 'FAILED', outcomes: [failed] });
    });
  });

  describe.skipIf(!available)('find', () => {
    it('answers undefined for a request it does not know', async () => {
      // Act
      const record = await ledger.find('CreateInfrastructureConfiguration', freshToken());

      // Assess
      expect(record).toBeUndefined();
    });

    it('answers undefined for a record past its expiry, which DynamoDB has not deleted yet', async () => {
      // Prepare
      clock = T0;
      const entry = entryFor(freshToken());
      await ledger.begin(entry);

      // Act
      later(RETENTION_SECONDS - 1);
      const lastSecond = await find(entry);
      later(1);
      const expired = await find(entry);

      // Assess
      expect(lastSecond?.status).toBe('IN_PROGRESS');
      expect(expired).toBeUndefined();
      expect(await rawItem(entry.operation, entry.clientToken)).toBeDefined();
      clock = T0;
    });

    it('answers undefined for an item under the key that is no ledger record', async () => {
      // Prepare
      const token = freshToken();
      await dynamodb.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: {
            ...ledgerKey('CreateInfrastructureConfiguration', token),
            status: { S: 'COMPLETED' },
            expiration: { N: '4102444800' },
          },
        }),
      );

      // Act
      const record = await ledger.find('CreateInfrastructureConfiguration', token);

      // Assess
      expect(record).toBeUndefined();
    });
  });

  describe.skipIf(!available)('a table it cannot write', () => {
    it('rejects with what DynamoDB answered', async () => {
      // Prepare
      const missing = createDynamoLedger({
        dynamodb,
        tableName: 'no-such-table',
        retentionSeconds: RETENTION_SECONDS,
      });
      const entry = entryFor(freshToken());

      // Act
      const thrown = await Promise.allSettled([
        missing.begin(entry),
        missing.settle(entry, { status: 'SUCCEEDED', response: {}, outcome: succeeded }),
        missing.find(entry.operation, entry.clientToken),
      ]);

      // Assess
      expect(thrown.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
      for (const result of thrown) {
        if (result.status === 'rejected') {
          expect(result.reason).toMatchObject({ name: 'ResourceNotFoundException' });
        }
      }
    });
  });
});

describe('decodeLedgerRecord', () => {
  const record: LedgerRecord = {
    operation: 'CreateImageBuilder',
    clientToken: 'portal-req-0002',
    channel: 'sqs',
    correlationId: 'portal-ticket-4712',
    status: 'SUCCEEDED',
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    expiresAt: 1_795_000_000,
    response: { ImageBuilder: { Name: 'b', State: 'PENDING' } },
    outcomes: [succeeded],
  };
  const item = (value: Record<string, unknown>): Record<string, AttributeValue> =>
    marshall(value, { removeUndefinedValues: true });

  it('decodes a ledger record from its item, key and bookkeeping attributes left out', () => {
    // Act
    const decoded = decodeLedgerRecord({
      ...item({ ...record, outcomeIds: new Set([succeeded.id]) }),
      ...ledgerKey(record.operation, record.clientToken),
    });

    // Assess
    expect(decoded).toStrictEqual(record);
  });

  it.each<[string, Record<string, AttributeValue> | undefined]>([
    ['no item', undefined],
    ['an empty item', {}],
    [
      'an idempotency record',
      item({ id: 'CreateImageBuilder#t', status: 'COMPLETED', expiration: 1_795_000_000 }),
    ],
    ['an item without an operation', item({ ...record, operation: undefined })],
    ['an operation that is no string', item({ ...record, operation: 7 })],
    ['an item without a clientToken', item({ ...record, clientToken: undefined })],
    ['a channel it does not know', item({ ...record, channel: 'email' })],
    ['a status it does not know', item({ ...record, status: 'COMPLETED' })],
    ['no createdAt', item({ ...record, createdAt: undefined })],
    ['no updatedAt', item({ ...record, updatedAt: undefined })],
    ['an expiry that is no number', item({ ...record, expiresAt: '1795000000' })],
  ])('rejects %s', (_, value) => {
    // Act
    const decoded = decodeLedgerRecord(value);

    // Assess
    expect(decoded).toBeUndefined();
  });

  it('keeps only outcomes that have an id, and an error only if it is one', () => {
    // Act
    const decoded = decodeLedgerRecord(
      item({
        ...record,
        status: 'FAILED',
        error: { code: 'X' },
        outcomes: [failed, { status: 'FAILED' }, 'nonsense', succeeded],
      }),
    );

    // Assess
    expect(decoded?.outcomes).toStrictEqual([failed, succeeded]);
    expect(decoded).not.toHaveProperty('error');
  });
});
