import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { CapturedShard } from '../../../../local/streams/capturedShard.js';
import {
  type EventSourceMapping,
  type MappingSettings,
  startEventSourceMapping,
} from '../../../../local/streams/eventSourceMapping.js';
import type { StreamFailureRecord } from '../../../../local/streams/failureRecord.js';
import type { LedgerStreamRecord } from '../../../../local/streams/streamRecord.js';

/*
 * The event source mapping on an in-memory shard and a fake function: what Lambda's mapping
 * for a DynamoDB stream does with batches, partial batch responses, function errors, retries,
 * record age and its on-failure destination.
 */

const FUNCTION_ARN =
  'arn:aws:lambda:us-east-1:000000000000:function:image-provisioner-local-outbox';
const FAST: Partial<MappingSettings> = {
  initialBackoffMs: 1,
  maximumBackoffMs: 5,
  pollIntervalMs: 20,
};

type Deliver = (
  records: LedgerStreamRecord[],
  call: number,
) => Promise<DynamoDBBatchResponse | undefined>;

interface Harness {
  shard: CapturedShard;
  mapping: EventSourceMapping;
  /** Every invocation's records, as `pk` values. */
  calls: string[][];
  failures: StreamFailureRecord[];
  errors: unknown[];
  /** Appends one INSERT per `pk` and returns the records' sequence numbers. */
  insert(...pks: string[]): string[];
}

let running: EventSourceMapping | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const pkOf = (record: LedgerStreamRecord): string => record.dynamodb.Keys.pk?.S ?? '?';

const start = (
  deliver: Deliver,
  settings: Partial<MappingSettings> = {},
  now?: () => number,
): Harness => {
  const shard = new CapturedShard({
    region: 'us-east-1',
    accountId: '000000000000',
    tableName: 'image-provisioner-local-requests',
    ...(now ? { now } : {}),
  });
  const calls: string[][] = [];
  const failures: StreamFailureRecord[] = [];
  const errors: unknown[] = [];
  const mapping = startEventSourceMapping({
    source: shard,
    functionArn: FUNCTION_ARN,
    deliver: (event: DynamoDBStreamEvent) => {
      const records = event.Records as LedgerStreamRecord[];
      calls.push(records.map(pkOf));
      return deliver(records, calls.length);
    },
    onFailure: async (record) => {
      failures.push(record);
    },
    onError: (error) => errors.push(error),
    settings: { ...FAST, ...settings },
    ...(now ? { now } : {}),
  });
  running = mapping;
  const insert = (...pks: string[]) =>
    pks.map((pk) => {
      const record = shard.append({ pk: { S: pk } }, undefined, { pk: { S: pk }, n: { N: '1' } });
      if (!record) throw new Error('no record');
      return record.dynamodb.SequenceNumber;
    });
  return { shard, mapping, calls, failures, errors, insert };
};

const succeed: Deliver = async () => ({ batchItemFailures: [] });
const range = (count: number, prefix = 'r') =>
  Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('the DynamoDB stream event source mapping', () => {
  it('delivers batches of at most 10 records, in stream order', async () => {
    const { mapping, calls, insert } = start(succeed);
    insert(...range(25));

    await mapping.idle(5_000);

    expect(calls.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(calls.flat()).toEqual(range(25));
  });

  it('hands the function AWS-shaped stream records', async () => {
    const seen: LedgerStreamRecord[] = [];
    const { mapping, insert } = start(async (records) => {
      seen.push(...records);
      return undefined;
    });
    insert('a');

    await mapping.idle(5_000);

    expect(seen).toEqual([
      {
        eventID: expect.stringMatching(/^[0-9a-f]{32}$/),
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          ApproximateCreationDateTime: expect.any(Number),
          Keys: { pk: { S: 'a' } },
          NewImage: { pk: { S: 'a' }, n: { N: '1' } },
          SequenceNumber: '000000000000000000001',
          SizeBytes: 3 + 6,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN: expect.stringMatching(
          /^arn:aws:dynamodb:us-east-1:000000000000:table\/image-provisioner-local-requests\/stream\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/,
        ),
      },
    ]);
  });

  it('retries from the lowest reported failure: that record and those after it, not those before', async () => {
    let sequence: string[] = [];
    const { mapping, calls, insert } = start(async (_, call) =>
      call === 1
        ? {
            batchItemFailures: [
              { itemIdentifier: sequence[6] as string },
              { itemIdentifier: sequence[4] as string },
            ],
          }
        : { batchItemFailures: [] },
    );
    sequence = insert(...range(10));

    await mapping.idle(5_000);

    expect(calls).toEqual([range(10), range(10).slice(4)]);
  });

  it('retries the whole batch when an identifier is empty or not in the batch', async () => {
    const { mapping, calls, insert } = start(async (_, call) =>
      call === 1
        ? { batchItemFailures: [{ itemIdentifier: '' }] }
        : call === 2
          ? { batchItemFailures: [{ itemIdentifier: '999999999999999999999' }] }
          : undefined,
    );
    insert('a', 'b');

    await mapping.idle(5_000);

    expect(calls).toEqual([
      ['a', 'b'],
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('splits a batch whose invocation fails in two, and each half again, first half first', async () => {
    const { mapping, calls, insert } = start(async (records) => {
      if (records.length > 1 && records.some((record) => pkOf(record) === 'r5')) {
        throw new Error('function error');
      }
      return undefined;
    });
    insert(...range(8));

    await mapping.idle(5_000);

    expect(calls).toEqual([
      range(8),
      ['r0', 'r1', 'r2', 'r3'],
      ['r4', 'r5', 'r6', 'r7'],
      ['r4', 'r5'],
      ['r4'],
      ['r5'],
      ['r6', 'r7'],
    ]);
  });

  it('gives a record up after MaximumRetryAttempts, sends one on-failure record in AWS format, and moves on', async () => {
    const { mapping, calls, failures, insert } = start(
      async (records) => {
        if (records.some((record) => pkOf(record) === 'poison')) throw new Error('function error');
        return undefined;
      },
      { maximumRetryAttempts: 2 },
    );
    const [, poison] = insert('a', 'poison');

    await mapping.idle(5_000);
    insert('after');
    await mapping.idle(5_000);

    expect(calls).toEqual([['a', 'poison'], ['a'], ['poison'], ['poison'], ['poison'], ['after']]);
    expect(failures).toEqual([
      {
        requestContext: {
          requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
          functionArn: FUNCTION_ARN,
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 3,
        },
        responseContext: {
          statusCode: 200,
          executedVersion: '$LATEST',
          functionError: 'Unhandled',
        },
        version: '1.0',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        DDBStreamBatchInfo: {
          shardId: expect.stringMatching(/^shardId-\d{20}-[0-9a-f]{8}$/),
          startSequenceNumber: poison,
          endSequenceNumber: poison,
          approximateArrivalOfFirstRecord: expect.stringMatching(
            /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
          ),
          approximateArrivalOfLastRecord: expect.stringMatching(
            /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
          ),
          batchSize: 1,
          streamArn: expect.stringContaining(':table/image-provisioner-local-requests/stream/'),
        },
      },
    ]);
  });

  it('gives up the reported rest of a batch once its retries are exhausted', async () => {
    let sequence: string[] = [];
    const { mapping, calls, failures, insert } = start(
      async (records) => ({
        batchItemFailures: records
          .filter((record) => record.dynamodb.SequenceNumber >= (sequence[1] as string))
          .map((record) => ({ itemIdentifier: record.dynamodb.SequenceNumber })),
      }),
      { maximumRetryAttempts: 1 },
    );
    sequence = insert('a', 'b', 'c');

    await mapping.idle(5_000);

    expect(calls).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 2,
    });
    // The function answered: no function error.
    expect(failures[0]?.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
    expect(failures[0]?.DDBStreamBatchInfo).toMatchObject({
      startSequenceNumber: sequence[1],
      endSequenceNumber: sequence[2],
      batchSize: 2,
    });
  });

  it('gives records up once they are older than MaximumRecordAgeInSeconds', async () => {
    let clock = Date.UTC(2026, 10, 29, 12, 0, 0);
    const { mapping, calls, failures, insert } = start(
      async (records) => {
        clock += 61_000;
        return {
          batchItemFailures: [{ itemIdentifier: records[0]?.dynamodb.SequenceNumber ?? '' }],
        };
      },
      { maximumRecordAgeSeconds: 60, maximumRetryAttempts: 100 },
      () => clock,
    );
    insert('a', 'b');

    await mapping.idle(5_000);

    expect(calls).toEqual([['a', 'b']]);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.requestContext).toMatchObject({
      condition: 'RecordAgeExceeded',
      approximateInvokeCount: 1,
    });
    expect(failures[0]?.DDBStreamBatchInfo).toMatchObject({
      batchSize: 2,
      approximateArrivalOfFirstRecord: '2026-11-29T12:00:00Z',
    });
  });

  it('counts an invocation that does not answer in time as failed', async () => {
    const { mapping, calls, failures, insert } = start(
      (_, call) => (call === 1 ? new Promise(() => {}) : Promise.resolve(undefined)),
      { invocationTimeoutMs: 50 },
    );
    insert('slow');

    await mapping.idle(5_000);

    expect(calls).toEqual([['slow'], ['slow']]);
    expect(failures).toEqual([]);
  });

  it('bounds idle() and stops at once while an invocation hangs', async () => {
    const { mapping, insert } = start(() => new Promise(() => {}), { invocationTimeoutMs: 60_000 });
    insert('stuck');

    await expect(mapping.idle(100)).rejects.toThrow(/still in flight after 100 ms: 1/);
    const started = performance.now();
    await mapping.stop();

    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('backs off between retries, doubling up to the maximum', async () => {
    const at: number[] = [];
    const { mapping, insert } = start(
      async (records) => {
        at.push(performance.now());
        return at.length < 5
          ? { batchItemFailures: [{ itemIdentifier: records[0]?.dynamodb.SequenceNumber ?? '' }] }
          : undefined;
      },
      { initialBackoffMs: 20, maximumBackoffMs: 50 },
    );
    insert('a');

    await mapping.idle(5_000);

    const pauses = at.slice(1).map((time, index) => time - (at[index] as number));
    expect(pauses.map((pause) => pause >= 15)).toEqual([true, true, true, true]);
    expect(pauses[1]).toBeGreaterThanOrEqual(35);
    expect(Math.max(...pauses)).toBeLessThan(500);
  });

  it('refuses settings that would let a failing batch block the stream for ever', () => {
    expect(() => start(succeed, { maximumRetryAttempts: -1, maximumRecordAgeSeconds: -1 })).toThrow(
      /cannot both be -1/,
    );
  });
});
