import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as SdkStreamRecord,
  type Shard,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { LOCAL_CREDENTIALS } from '../engines/credentials.js';
import { localDynamoDbClient } from '../engines/dynamodb.js';
import { toWireItem } from './attributeValues.js';
import {
  type ArrivedRecord,
  type LedgerStreamRecord,
  type RecordSource,
  streamArn,
  streamLabelOf,
} from './streamRecord.js';

/**
 * A record as GetRecords answers it (the SDK's shape) as Lambda hands it to a function: images in
 * the wire format, the creation time in epoch seconds, the stream's ARN as `eventSourceARN`.
 */
export const toLedgerStreamRecord = (
  record: SdkStreamRecord,
  { region, streamArn, createdAtMs }: { region: string; streamArn: string; createdAtMs: number },
): LedgerStreamRecord => {
  const change = record.dynamodb ?? {};
  return {
    eventID: record.eventID ?? '',
    eventName: record.eventName ?? 'MODIFY',
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(createdAtMs / 1000),
      Keys: toWireItem(change.Keys ?? {}),
      ...(change.NewImage ? { NewImage: toWireItem(change.NewImage) } : {}),
      ...(change.OldImage ? { OldImage: toWireItem(change.OldImage) } : {}),
      SequenceNumber: change.SequenceNumber ?? '',
      SizeBytes: change.SizeBytes ?? 0,
      StreamViewType: change.StreamViewType ?? 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: streamArn,
  };
};

export interface StreamsApiReaderOptions {
  /** A DynamoDB endpoint that implements DynamoDB Streams (DynamoDB Local does). */
  endpoint: string;
  region: string;
  accountId: string;
  tableName: string;
  /** How often the shard list is looked at again for new shards. */
  describeIntervalMs?: number;
  now?: () => number;
}

interface ShardState {
  parentId: string | undefined;
  iterator: string | undefined;
  lastSequenceNumber: string | undefined;
  /** Closed and read to its end. */
  finished: boolean;
}

/** Pages read from one shard in one `read()`, so one busy shard cannot hold the others back. */
const PAGES_PER_READ = 10;
/** DynamoDB Local writes ApproximateCreationDateTime to the minute. */
const CREATION_TIME_GRANULARITY_MS = 60_000;

/**
 * The table's stream read through the DynamoDB Streams API, as Lambda's event source mapping
 * reads it: DescribeTable for the latest stream, DescribeStream for its shards, TRIM_HORIZON
 * iterators, GetRecords until a shard closes; a child shard only once its parent is read.
 */
export const openStreamsApiReader = async ({
  endpoint,
  region,
  accountId,
  tableName,
  describeIntervalMs = 5_000,
  now = Date.now,
}: StreamsApiReaderOptions): Promise<RecordSource> => {
  const dynamodb = localDynamoDbClient(endpoint, region);
  const streams = new DynamoDBStreamsClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  const close = async () => {
    dynamodb.destroy();
    streams.destroy();
  };
  let engineStreamArn: string;
  let arn: string;
  try {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn || !Table.StreamSpecification?.StreamEnabled) {
      throw new Error(
        `Table ${tableName} at ${endpoint} has no stream: create it with StreamSpecification ` +
          '{ StreamEnabled: true, StreamViewType: NEW_AND_OLD_IMAGES }',
      );
    }
    engineStreamArn = Table.LatestStreamArn;
    const label = Table.LatestStreamLabel ?? streamLabelOf(engineStreamArn) ?? '';
    arn = streamArn(region, accountId, tableName, label);
  } catch (error) {
    await close();
    throw error;
  }

  const shards = new Map<string, ShardState>();
  let describedAt = Number.NEGATIVE_INFINITY;
  /** A shard closed since the last look: its children are to be found. */
  let shardClosed = false;

  const describe = async () => {
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({
          StreamArn: engineStreamArn,
          ExclusiveStartShardId: exclusiveStartShardId,
        }),
      );
      for (const shard of StreamDescription?.Shards ?? ([] as Shard[])) {
        if (!shard.ShardId || shards.has(shard.ShardId)) continue;
        shards.set(shard.ShardId, {
          parentId: shard.ParentShardId,
          iterator: undefined,
          lastSequenceNumber: undefined,
          finished: false,
        });
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    describedAt = now();
    shardClosed = false;
  };

  const iteratorOf = async (shardId: string, state: ShardState): Promise<string | undefined> => {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: engineStreamArn,
        ShardId: shardId,
        ...(state.lastSequenceNumber
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: state.lastSequenceNumber }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return ShardIterator;
  };

  const toArrived = (shardId: string, record: SdkStreamRecord, readAt: number): ArrivedRecord => {
    const createdAtMs = record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? readAt;
    const streamed = toLedgerStreamRecord(record, { region, streamArn: arn, createdAtMs });
    // The record arrived at its creation time (truncated) or later, and no later than it was read.
    const arrivedAtMs = Math.min(readAt, createdAtMs + CREATION_TIME_GRANULARITY_MS - 1);
    return { shardId, record: streamed, arrivedAtMs };
  };

  const readShard = async (shardId: string, state: ShardState): Promise<ArrivedRecord[]> => {
    const arrived: ArrivedRecord[] = [];
    for (let page = 0; page < PAGES_PER_READ; page += 1) {
      state.iterator ??= await iteratorOf(shardId, state);
      if (!state.iterator) {
        state.finished = true;
        shardClosed = true;
        break;
      }
      let response: GetRecordsCommandOutput;
      try {
        response = await streams.send(new GetRecordsCommand({ ShardIterator: state.iterator }));
      } catch (error) {
        // An iterator lives 15 minutes; a trimmed position moves to the oldest record kept.
        if (error instanceof ExpiredIteratorException) state.iterator = undefined;
        else if (error instanceof TrimmedDataAccessException) {
          state.iterator = undefined;
          state.lastSequenceNumber = undefined;
        } else throw error;
        break;
      }
      const readAt = now();
      const records = response.Records ?? [];
      for (const record of records) arrived.push(toArrived(shardId, record, readAt));
      state.lastSequenceNumber =
        records.at(-1)?.dynamodb?.SequenceNumber ?? state.lastSequenceNumber;
      state.iterator = response.NextShardIterator;
      if (!state.iterator) {
        state.finished = true;
        shardClosed = true;
        break;
      }
      if (records.length === 0) break;
    }
    return arrived;
  };

  return {
    async read() {
      if (shards.size === 0 || shardClosed || now() - describedAt >= describeIntervalMs) {
        await describe();
      }
      const arrived: ArrivedRecord[] = [];
      for (const [shardId, state] of shards) {
        const parent = state.parentId ? shards.get(state.parentId) : undefined;
        if (state.finished || (parent && !parent.finished)) continue;
        arrived.push(...(await readShard(shardId, state)));
      }
      return arrived;
    },
    changed: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    close,
  };
};
