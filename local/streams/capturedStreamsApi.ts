import { isRecord } from '../../src/basics/records.js';
import type { CapturedShard } from './capturedShard.js';
import { type ArrivedRecord, compareSequenceNumbers, streamLabelOf } from './streamRecord.js';

/*
 * The DynamoDB Streams API (API version 2012-08-10: DescribeStream, GetShardIterator, GetRecords,
 * ListStreams) over the captured shard, so that a tool reads the embedded engine's stream as it
 * reads DynamoDB's: the records of the last 24 hours, by sequence number.
 */

export const STREAMS_TARGET_PREFIX = 'DynamoDBStreams_20120810.';

export interface StreamsAnswer {
  status: number;
  body: Record<string, unknown>;
}

const ITERATOR_TYPES = [
  'TRIM_HORIZON',
  'LATEST',
  'AT_SEQUENCE_NUMBER',
  'AFTER_SEQUENCE_NUMBER',
] as const;

/** Records one GetRecords returns at most (DynamoDB's limit). */
const MAX_LIMIT = 1000;

class StreamsError extends Error {
  public constructor(
    public readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Iterator {
  streamArn: string;
  shardId: string;
  /** Records with a greater sequence number are next; `''` is before the first. */
  after: string;
}

const encodeIterator = (iterator: Iterator): string =>
  Buffer.from(JSON.stringify(iterator), 'utf8').toString('base64');

const decodeIterator = (text: unknown): Iterator => {
  try {
    const value: unknown = JSON.parse(Buffer.from(String(text), 'base64').toString('utf8'));
    if (
      isRecord(value) &&
      typeof value.streamArn === 'string' &&
      typeof value.shardId === 'string' &&
      typeof value.after === 'string'
    ) {
      return { streamArn: value.streamArn, shardId: value.shardId, after: value.after };
    }
  } catch {
    // Answered below.
  }
  throw new StreamsError('ValidationException', 'Invalid ShardIterator');
};

/** The sequence number just before `sequenceNumber` (AT_SEQUENCE_NUMBER starts there). */
const before = (sequenceNumber: string): string => {
  const previous = BigInt(sequenceNumber) - 1n;
  return previous < 0n ? '' : previous.toString().padStart(sequenceNumber.length, '0');
};

/** Answers one Streams API call (`operation` without its target prefix) from `shard`. */
export const answerStreamsApi = (
  shard: CapturedShard,
  tableName: string,
  operation: string,
  input: unknown,
): StreamsAnswer => {
  const body = isRecord(input) ? input : {};
  try {
    return { status: 200, body: answer(shard, tableName, operation, body) };
  } catch (error) {
    if (!(error instanceof StreamsError)) throw error;
    return {
      status: 400,
      body: { __type: `com.amazonaws.dynamodb.v20120810#${error.type}`, message: error.message },
    };
  }
};

const checkStream = (shard: CapturedShard, streamArn: unknown): void => {
  if (streamArn !== shard.streamArn) {
    throw new StreamsError(
      'ResourceNotFoundException',
      `Requested resource not found: Stream: ${String(streamArn)} not found`,
    );
  }
};

/** A record as GetRecords answers it: as Lambda's event carries it, without `eventSourceARN`. */
const toWireRecord = ({ record }: ArrivedRecord) => {
  const { eventSourceARN: _arn, ...rest } = record;
  return rest;
};

const answer = (
  shard: CapturedShard,
  tableName: string,
  operation: string,
  body: Record<string, unknown>,
): Record<string, unknown> => {
  const records = shard.retained();
  switch (operation) {
    case 'ListStreams':
      return body.TableName === undefined || body.TableName === tableName
        ? {
            Streams: [
              {
                StreamArn: shard.streamArn,
                TableName: tableName,
                StreamLabel: streamLabelOf(shard.streamArn),
              },
            ],
          }
        : { Streams: [] };
    case 'DescribeStream': {
      checkStream(shard, body.StreamArn);
      const first = records[0]?.record.dynamodb.SequenceNumber;
      return {
        StreamDescription: {
          StreamArn: shard.streamArn,
          StreamLabel: streamLabelOf(shard.streamArn),
          StreamStatus: 'ENABLED',
          StreamViewType: 'NEW_AND_OLD_IMAGES',
          TableName: tableName,
          Shards: [
            {
              ShardId: shard.shardId,
              SequenceNumberRange: first ? { StartingSequenceNumber: first } : {},
            },
          ],
        },
      };
    }
    case 'GetShardIterator': {
      checkStream(shard, body.StreamArn);
      if (body.ShardId !== shard.shardId) {
        throw new StreamsError(
          'ResourceNotFoundException',
          `Requested resource not found: Shard: ${String(body.ShardId)} not found`,
        );
      }
      const type = String(body.ShardIteratorType);
      if (!(ITERATOR_TYPES as readonly string[]).includes(type)) {
        throw new StreamsError('ValidationException', `Invalid ShardIteratorType: ${type}`);
      }
      const at = (iteratorAfter: string): Record<string, unknown> => ({
        ShardIterator: encodeIterator({
          streamArn: shard.streamArn,
          shardId: shard.shardId,
          after: iteratorAfter,
        }),
      });
      if (type === 'TRIM_HORIZON')
        return at(before(records[0]?.record.dynamodb.SequenceNumber ?? '1'));
      if (type === 'LATEST') return at(records.at(-1)?.record.dynamodb.SequenceNumber ?? '');
      const sequenceNumber = String(body.SequenceNumber ?? '');
      if (!/^\d{1,40}$/.test(sequenceNumber)) {
        throw new StreamsError('ValidationException', `Invalid SequenceNumber: ${sequenceNumber}`);
      }
      const oldest = records[0]?.record.dynamodb.SequenceNumber;
      if (oldest === undefined || compareSequenceNumbers(sequenceNumber, oldest) < 0) {
        // Trimmed (past the 24 hours), or never in the stream.
        throw new StreamsError(
          'TrimmedDataAccessException',
          `The sequence number ${sequenceNumber} is beyond the trim horizon of the shard.`,
        );
      }
      return at(type === 'AT_SEQUENCE_NUMBER' ? before(sequenceNumber) : sequenceNumber);
    }
    case 'GetRecords': {
      const iterator = decodeIterator(body.ShardIterator);
      checkStream(shard, iterator.streamArn);
      const limit =
        typeof body.Limit === 'number' ? Math.min(Math.max(body.Limit, 1), MAX_LIMIT) : MAX_LIMIT;
      const next = records
        .filter(
          ({ record }) =>
            iterator.after === '' ||
            compareSequenceNumbers(record.dynamodb.SequenceNumber, iterator.after) > 0,
        )
        .slice(0, limit);
      const last = next.at(-1)?.record.dynamodb.SequenceNumber ?? iterator.after;
      return {
        Records: next.map(toWireRecord),
        // The shard never closes while the stack runs.
        NextShardIterator: encodeIterator({ ...iterator, after: last }),
      };
    }
    default:
      throw new StreamsError('UnknownOperationException', `Unknown operation ${operation}`);
  }
};
