import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRequestsTable,
  localDynamoDbClient,
  type RunningDynamoDb,
  startDynalite,
} from '../../../local/engines/dynamodb.js';
import { javaAvailable, startDynamoDbLocal } from '../../../local/engines/dynamodbLocal.js';
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
import {
  continueWatch,
  DEFAULT_WATCH_TIMING,
  endWatch,
  type LedgerWatch,
  startWatch,
} from '../../../src/ledger/watch.js';
import { readinessEventId } from '../../../src/outcomes/outcome.js';

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
const NAME = 'finance-apps-builder';
const ARN = `arn:aws:appstream:us-east-1:123456789012:image-builder/${NAME}`;

let tokens = 0;
/** A token no other test of the run uses: every test has records of its own. */
const freshToken = () => `watch-token-${++tokens}`;

const entryFor = (clientToken: string): LedgerEntry => ({
  operation: 'CreateImageBuilder',
  clientToken,
  channel: 'sqs',
  correlationId: 'portal-ticket-4712',
  requestedBy: 'AIDAEXAMPLE',
});

const RESPONSE = { ImageBuilder: { Name: NAME, Arn: ARN, State: 'PENDING' } };

const succeeded: LedgerOutcome = {
  id: '11111111-1111-1111-1111-111111111111',
  status: 'SUCCEEDED',
  time: T0.toISOString(),
  subject: ARN,
};

const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** The watch begun at T0, moved on by `count` checks that found the builder pending. */
const watchAfter = (count: number): LedgerWatch => {
  let watch = startWatch({ name: NAME, arn: ARN }, DEFAULT_WATCH_TIMING, T0);
  for (let check = 0; check < count; check++) {
    const due = new Date(watch.nextCheckAt ?? '');
    watch = continueWatch(watch, DEFAULT_WATCH_TIMING, { state: 'PENDING', at: due }, due);
  }
  return watch;
};

/** The watch begun at T0 with only its required members: no ARN, no next check. */
const bareWatch = (): LedgerWatch => {
  const { arn: _arn, nextCheckAt: _next, ...bare } = watchAfter(0);
  return bare;
};

const readyOutcome = (clientToken: string): LedgerOutcome => ({
  id: readinessEventId('CreateImageBuilder', clientToken, 'ImageBuilderReady'),
  status: 'SUCCEEDED',
  time: at(420).toISOString(),
  subject: ARN,
  event: 'ImageBuilderReady',
  resource: {
    Name: NAME,
    Arn: ARN,
    State: 'RUNNING',
    StateChangeReason: { Code: 'IMAGE_BUILDER_READY', Message: '' },
    ImageBuilderErrors: [{ ErrorCode: 'X', ErrorTimestamp: '2026-11-21T10:06:00.000Z' }],
    Nothing: null,
  },
});

describe.each(ENGINES)('the watch in the DynamoDB ledger on $name', ({ available, start }) => {
  let engine: RunningDynamoDb | undefined;
  let dynamodb: DynamoDBClient;
  let clock: Date;
  let ledger: RequestLedger;

  /** The item as DynamoDB holds it, read without the ledger's decoding. */
  const rawItem = async (entry: LedgerEntry) => {
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: ledgerKey(entry.operation, entry.clientToken),
        ConsistentRead: true,
      }),
    );
    return Item && unmarshall(Item);
  };

  const find = (entry: LedgerEntry) => ledger.find(entry.operation, entry.clientToken);

  /** A CreateImageBuilder request that succeeded at T0 with its watch begun. */
  const watched = async (): Promise<LedgerEntry> => {
    clock = T0;
    const entry = entryFor(freshToken());
    await ledger.begin(entry);
    await ledger.settle(entry, {
      status: 'SUCCEEDED',
      response: RESPONSE,
      outcome: succeeded,
      watch: watchAfter(0),
    });
    return entry;
  };

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

  describe.skipIf(!available)('settle', () => {
    it('stores the watch a success begins, with the response and the outcome', async () => {
      // Prepare
      clock = T0;
      const entry = entryFor(freshToken());
      await ledger.begin(entry);

      // Act
      await ledger.settle(entry, {
        status: 'SUCCEEDED',
        response: RESPONSE,
        outcome: succeeded,
        watch: watchAfter(0),
      });

      // Assess
      expect(await find(entry)).toStrictEqual({
        ...entry,
        status: 'SUCCEEDED',
        createdAt: T0.toISOString(),
        updatedAt: T0.toISOString(),
        expiresAt: T0.getTime() / 1000 + RETENTION_SECONDS,
        response: RESPONSE,
        outcomes: [succeeded],
        watch: {
          name: NAME,
          arn: ARN,
          state: 'WATCHING',
          startedAt: T0.toISOString(),
          deadline: at(3_600).toISOString(),
          checks: 0,
          nextCheckAt: at(60).toISOString(),
        },
      });
    });

    it('keeps the first watch when the success is settled again, with or without one', async () => {
      // Prepare
      const entry = await watched();
      clock = at(90);
      const later = startWatch({ name: NAME, arn: ARN }, DEFAULT_WATCH_TIMING, at(90));

      // Act
      await ledger.settle(entry, {
        status: 'SUCCEEDED',
        response: RESPONSE,
        outcome: succeeded,
        watch: later,
      });
      await ledger.settle(entry, { status: 'SUCCEEDED', response: RESPONSE, watch: later });
      await ledger.settle(entry, { status: 'SUCCEEDED', response: RESPONSE });

      // Assess
      const record = await find(entry);
      expect(record?.watch).toStrictEqual(watchAfter(0));
      expect(record?.outcomes).toStrictEqual([succeeded]);
      expect(record?.updatedAt).toBe(at(90).toISOString());
    });

    it('keeps a watch that has moved on when the success is settled again', async () => {
      // Prepare
      const entry = await watched();
      await ledger.advanceWatch(entry, 0, watchAfter(1));

      // Act
      await ledger.settle(entry, {
        status: 'SUCCEEDED',
        response: RESPONSE,
        watch: watchAfter(0),
      });

      // Assess
      expect((await find(entry))?.watch).toStrictEqual(watchAfter(1));
    });

    it('stores no watch for a success without one', async () => {
      // Prepare
      const entry = entryFor(freshToken());

      // Act
      await ledger.settle(entry, { status: 'SUCCEEDED', response: RESPONSE, outcome: succeeded });

      // Assess
      expect(await find(entry)).not.toHaveProperty('watch');
      expect(await rawItem(entry)).not.toHaveProperty('watch');
    });
  });

  describe.skipIf(!available)('advanceWatch', () => {
    it('moves the watch on from the check count it expects, and updates the record time', async () => {
      // Prepare
      const entry = await watched();
      clock = at(60);

      // Act
      const advanced = await ledger.advanceWatch(entry, 0, watchAfter(1));

      // Assess
      expect(advanced).toBe(true);
      const record = await find(entry);
      expect(record?.watch).toStrictEqual(watchAfter(1));
      expect(record?.updatedAt).toBe(at(60).toISOString());
      expect(record?.outcomes).toStrictEqual([succeeded]);
      expect(record?.status).toBe('SUCCEEDED');
      expect(record?.response).toStrictEqual(RESPONSE);
    });

    it('refuses to move on from another check count: false, the watch as it was', async () => {
      // Prepare
      const entry = await watched();
      await ledger.advanceWatch(entry, 0, watchAfter(1));

      // Act
      const repeated = await ledger.advanceWatch(entry, 0, watchAfter(1));
      const ahead = await ledger.advanceWatch(entry, 2, watchAfter(3));
      const expected = await ledger.advanceWatch(entry, 1, watchAfter(2));

      // Assess
      expect([repeated, ahead, expected]).toEqual([false, false, true]);
      expect((await find(entry))?.watch).toStrictEqual(watchAfter(2));
    });

    it('lets one of two copies of a check move the watch on', async () => {
      // Prepare
      const entry = await watched();

      // Act
      const results = await Promise.all([
        ledger.advanceWatch(entry, 0, { ...watchAfter(1), lastSeenState: 'FIRST' }),
        ledger.advanceWatch(entry, 0, { ...watchAfter(1), lastSeenState: 'SECOND' }),
      ]);

      // Assess
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await find(entry))?.watch?.checks).toBe(1);
    });

    it('refuses a request without a watch, and writes nothing for a request it does not know', async () => {
      // Prepare
      const bare = entryFor(freshToken());
      await ledger.settle(bare, { status: 'SUCCEEDED', response: RESPONSE });
      const unknown = entryFor(freshToken());

      // Act
      const withoutWatch = await ledger.advanceWatch(bare, 0, watchAfter(1));
      const withoutRecord = await ledger.advanceWatch(
        unknown,
        0,
        watchAfter(1),
        readyOutcome(unknown.clientToken),
      );

      // Assess
      expect([withoutWatch, withoutRecord]).toEqual([false, false]);
      expect(await find(bare)).not.toHaveProperty('watch');
      expect(await rawItem(unknown)).toBeUndefined();
    });

    it('ends the watch with its event: the outcome appended once, after those before it', async () => {
      // Prepare
      const entry = await watched();
      await ledger.advanceWatch(entry, 0, watchAfter(1));
      const outcome = readyOutcome(entry.clientToken);
      const ended = endWatch(watchAfter(1), 'READY', { state: 'RUNNING', at: at(420) }, at(420));
      clock = at(420);

      // Act
      const advanced = await ledger.advanceWatch(entry, 1, ended, outcome);

      // Assess
      expect(advanced).toBe(true);
      const record = await find(entry);
      expect(record?.watch).toStrictEqual(ended);
      expect(record?.outcomes).toStrictEqual([succeeded, outcome]);
      expect((await rawItem(entry))?.outcomeIds).toEqual(new Set([succeeded.id, outcome.id]));
    });

    it('refuses a repeat of the ending: the outcome stays committed once', async () => {
      // Prepare
      const entry = await watched();
      const outcome = readyOutcome(entry.clientToken);
      const ended = endWatch(watchAfter(0), 'READY', { state: 'RUNNING', at: at(60) }, at(60));
      await ledger.advanceWatch(entry, 0, ended, outcome);

      // Act
      const repeated = await ledger.advanceWatch(entry, 0, ended, {
        ...outcome,
        time: at(61).toISOString(),
      });

      // Assess
      expect(repeated).toBe(false);
      expect((await find(entry))?.outcomes).toStrictEqual([succeeded, outcome]);
    });

    it('refuses an ending whose event is committed already, even from the expected count', async () => {
      // Prepare: the request's record holds the event's id already.
      clock = T0;
      const entry = entryFor(freshToken());
      const outcome = readyOutcome(entry.clientToken);
      await ledger.settle(entry, {
        status: 'SUCCEEDED',
        response: RESPONSE,
        outcome,
        watch: watchAfter(0),
      });
      const ended = endWatch(watchAfter(0), 'READY', undefined, at(60));

      // Act
      const advanced = await ledger.advanceWatch(entry, 0, ended, outcome);

      // Assess
      expect(advanced).toBe(false);
      const record = await find(entry);
      expect(record?.watch).toStrictEqual(watchAfter(0));
      expect(record?.outcomes).toStrictEqual([outcome]);
    });

    it.each(['READY', 'FAILED', 'TIMED_OUT'] as const)(
      'refuses every further advance of a watch that ended %s',
      async (state) => {
        // Prepare
        const entry = await watched();
        const ended = endWatch(watchAfter(0), state, undefined, at(60));
        await ledger.advanceWatch(entry, 0, ended);

        // Act
        const results = [
          await ledger.advanceWatch(entry, 1, watchAfter(2)),
          await ledger.advanceWatch(entry, 0, watchAfter(1)),
          await ledger.advanceWatch(entry, 1, ended, readyOutcome(entry.clientToken)),
        ];

        // Assess
        expect(results).toEqual([false, false, false]);
        const record = await find(entry);
        expect(record?.watch).toStrictEqual(ended);
        expect(record?.outcomes).toStrictEqual([succeeded]);
      },
    );
  });

  describe.skipIf(!available)('decoding what the table holds', () => {
    it('reads back a watch with only its required members', async () => {
      // Prepare
      const entry = entryFor(freshToken());
      const bare = bareWatch();

      // Act
      await ledger.settle(entry, { status: 'SUCCEEDED', response: RESPONSE, watch: bare });

      // Assess
      expect((await find(entry))?.watch).toStrictEqual(bare);
    });
  });
});

describe('decodeLedgerRecord: the watch', () => {
  const record: LedgerRecord = {
    operation: 'CreateImageBuilder',
    clientToken: 'portal-req-0002',
    channel: 'sqs',
    status: 'SUCCEEDED',
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    expiresAt: 1_795_000_000,
    response: RESPONSE,
    outcomes: [succeeded],
  };
  const item = (value: Record<string, unknown>): Record<string, AttributeValue> =>
    marshall(value, { removeUndefinedValues: true });

  it.each([
    ['a watch with only its required members', bareWatch()],
    ['a watch under way', watchAfter(2)],
    ['a watch that ended READY', endWatch(watchAfter(1), 'READY', undefined, at(300))],
    ['a watch that timed out', endWatch(watchAfter(5), 'TIMED_OUT', undefined, at(3_600))],
  ])('keeps %s', (_, watch) => {
    // Act
    const decoded = decodeLedgerRecord(item({ ...record, watch }));

    // Assess
    expect(decoded).toStrictEqual({ ...record, watch });
  });

  it.each<[string, unknown]>([
    ['a watch that is no map', 'WATCHING'],
    ['a watch that is a list', [watchAfter(0)]],
    ['a watch without a name', { ...watchAfter(0), name: undefined }],
    ['a name that is no string', { ...watchAfter(0), name: 7 }],
    ['a state it does not know', { ...watchAfter(0), state: 'RUNNING' }],
    ['a state that is no string', { ...watchAfter(0), state: 1 }],
    ['no startedAt', { ...watchAfter(0), startedAt: undefined }],
    ['no deadline', { ...watchAfter(0), deadline: undefined }],
    ['a check count that is no number', { ...watchAfter(0), checks: '0' }],
    ['no check count', { ...watchAfter(0), checks: undefined }],
    ['a negative check count', { ...watchAfter(0), checks: -1 }],
    ['a fractional check count', { ...watchAfter(0), checks: 1.5 }],
    ['a deadline that is no time', { ...watchAfter(0), deadline: 'tomorrow' }],
    ['a start that is no time', { ...watchAfter(0), startedAt: '' }],
    ['a next check that is no string', { ...watchAfter(0), nextCheckAt: 1_795_000_000 }],
    ['a next check that is no time', { ...watchAfter(0), nextCheckAt: 'soon' }],
    ['an ARN that is no string', { ...watchAfter(0), arn: { S: ARN } }],
    ['a last seen state that is no string', { ...watchAfter(1), lastSeenState: 3 }],
    ['a ready time that is no time', { ...watchAfter(1), readyAt: 'now' }],
  ])('drops %s and keeps the rest of the record', (_, watch) => {
    // Act
    const decoded = decodeLedgerRecord(item({ ...record, watch }));

    // Assess
    expect(decoded).toStrictEqual(record);
  });
});
