import { describe, expect, it } from 'vitest';
import { CapturedShard, STREAM_RETENTION_MS } from '../../../../local/streams/capturedShard.js';
import { answerStreamsApi } from '../../../../local/streams/capturedStreamsApi.js';

/* The captured shard read through the DynamoDB Streams API, as a tool reads DynamoDB's stream. */

const TABLE = 'requests';

const shardWith = (count: number, clock: { now: number }) => {
  const shard = new CapturedShard({
    region: 'us-east-1',
    accountId: '000000000000',
    tableName: TABLE,
    now: () => clock.now,
  });
  for (let index = 1; index <= count; index += 1) {
    shard.append({ pk: { S: `item-${index}` } }, undefined, {
      pk: { S: `item-${index}` },
      n: { N: String(index) },
    });
  }
  return shard;
};

const ok = (shard: CapturedShard, operation: string, input: unknown) => {
  const answer = answerStreamsApi(shard, TABLE, operation, input);
  if (answer.status !== 200) throw new Error(JSON.stringify(answer.body));
  return answer.body;
};

const errorType = (shard: CapturedShard, operation: string, input: unknown) =>
  String(answerStreamsApi(shard, TABLE, operation, input).body.__type).split('#')[1];

const sequenceNumbers = (body: Record<string, unknown>) =>
  (body.Records as { dynamodb: { SequenceNumber: string } }[]).map(
    ({ dynamodb }) => dynamodb.SequenceNumber,
  );

describe('answerStreamsApi', () => {
  it('lists and describes the one stream and its shard', () => {
    const shard = shardWith(2, { now: 1_790_000_000_000 });
    expect(ok(shard, 'ListStreams', { TableName: TABLE }).Streams).toEqual([
      expect.objectContaining({ StreamArn: shard.streamArn, TableName: TABLE }),
    ]);
    expect(ok(shard, 'ListStreams', { TableName: 'other' }).Streams).toEqual([]);
    expect(
      ok(shard, 'DescribeStream', { StreamArn: shard.streamArn }).StreamDescription,
    ).toMatchObject({
      StreamArn: shard.streamArn,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      Shards: [
        {
          ShardId: shard.shardId,
          SequenceNumberRange: { StartingSequenceNumber: '000000000000000000001' },
        },
      ],
    });
  });

  it('reads from a sequence number on (AT / AFTER), page by page, as GetRecords answers', () => {
    const shard = shardWith(5, { now: 1_790_000_000_000 });
    const at = ok(shard, 'GetShardIterator', {
      StreamArn: shard.streamArn,
      ShardId: shard.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: '000000000000000000002',
    }).ShardIterator;
    const first = ok(shard, 'GetRecords', { ShardIterator: at, Limit: 2 });
    expect(sequenceNumbers(first)).toEqual(['000000000000000000002', '000000000000000000003']);
    const second = ok(shard, 'GetRecords', { ShardIterator: first.NextShardIterator });
    expect(sequenceNumbers(second)).toEqual(['000000000000000000004', '000000000000000000005']);
    // The shard stays open: a next iterator, and nothing new behind it yet.
    expect(
      sequenceNumbers(ok(shard, 'GetRecords', { ShardIterator: second.NextShardIterator })),
    ).toEqual([]);
    const [record] = (first.Records as Record<string, unknown>[]) ?? [];
    expect(record).toMatchObject({
      eventName: 'INSERT',
      dynamodb: { NewImage: { pk: { S: 'item-2' }, n: { N: '2' } } },
    });
    expect(record).not.toHaveProperty('eventSourceARN');
    const after = ok(shard, 'GetShardIterator', {
      StreamArn: shard.streamArn,
      ShardId: shard.shardId,
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      SequenceNumber: '000000000000000000004',
    }).ShardIterator;
    expect(sequenceNumbers(ok(shard, 'GetRecords', { ShardIterator: after }))).toEqual([
      '000000000000000000005',
    ]);
    const horizon = ok(shard, 'GetShardIterator', {
      StreamArn: shard.streamArn,
      ShardId: shard.shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }).ShardIterator;
    expect(sequenceNumbers(ok(shard, 'GetRecords', { ShardIterator: horizon }))).toHaveLength(5);
  });

  it('keeps 24 hours: an older sequence number is past the trim horizon', () => {
    const clock = { now: 1_790_000_000_000 };
    const shard = shardWith(2, clock);
    clock.now += STREAM_RETENTION_MS + 1;
    shard.append({ pk: { S: 'late' } }, undefined, { pk: { S: 'late' } });
    expect(
      errorType(shard, 'GetShardIterator', {
        StreamArn: shard.streamArn,
        ShardId: shard.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: '000000000000000000001',
      }),
    ).toBe('TrimmedDataAccessException');
    const horizon = ok(shard, 'GetShardIterator', {
      StreamArn: shard.streamArn,
      ShardId: shard.shardId,
      ShardIteratorType: 'TRIM_HORIZON',
    }).ShardIterator;
    expect(sequenceNumbers(ok(shard, 'GetRecords', { ShardIterator: horizon }))).toEqual([
      '000000000000000000003',
    ]);
  });

  it('answers an unknown stream or shard, a bad iterator and an unknown operation as errors', () => {
    const shard = shardWith(1, { now: 1_790_000_000_000 });
    const other = `${shard.streamArn}x`;
    expect(errorType(shard, 'DescribeStream', { StreamArn: other })).toBe(
      'ResourceNotFoundException',
    );
    expect(
      errorType(shard, 'GetShardIterator', {
        StreamArn: shard.streamArn,
        ShardId: 'shardId-none',
        ShardIteratorType: 'LATEST',
      }),
    ).toBe('ResourceNotFoundException');
    expect(
      errorType(shard, 'GetShardIterator', {
        StreamArn: shard.streamArn,
        ShardId: shard.shardId,
        ShardIteratorType: 'SOMEWHERE',
      }),
    ).toBe('ValidationException');
    expect(errorType(shard, 'GetRecords', { ShardIterator: 'garbage' })).toBe(
      'ValidationException',
    );
    expect(errorType(shard, 'UpdateStream', {})).toBe('UnknownOperationException');
  });
});
