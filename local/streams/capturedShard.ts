import { randomUUID } from 'node:crypto';
import { itemSize, sameItem } from './attributeValues.js';
import {
  type ArrivedRecord,
  type LedgerStreamRecord,
  type RecordSource,
  sequenceNumber,
  shardId,
  streamArn,
  streamLabel,
  type WireItem,
} from './streamRecord.js';

export interface CapturedShardOptions {
  region: string;
  accountId: string;
  tableName: string;
  now?: () => number;
}

/** How long DynamoDB Streams keeps a record. */
export const STREAM_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * The one shard of a stream that lives in memory: what change capture appends, in the order it
 * appends it, until the event source mapping reads it.
 */
export class CapturedShard implements RecordSource {
  public readonly streamArn: string;
  public readonly shardId: string;
  private readonly region: string;
  private readonly now: () => number;
  private position = 0n;
  private unread: ArrivedRecord[] = [];
  /** Every record of the last 24 hours, oldest first: what the Streams API reads. */
  private kept: ArrivedRecord[] = [];
  private readonly waiting = new Set<() => void>();

  public constructor({ region, accountId, tableName, now = Date.now }: CapturedShardOptions) {
    const createdAt = now();
    this.region = region;
    this.now = now;
    this.streamArn = streamArn(region, accountId, tableName, streamLabel(new Date(createdAt)));
    this.shardId = shardId(createdAt);
  }

  /**
   * Appends the record of a change from `before` to `after` (absent: no item), as DynamoDB
   * streams it with NEW_AND_OLD_IMAGES; a write that changed nothing leaves no record.
   */
  public append(
    keys: WireItem,
    before?: WireItem,
    after?: WireItem,
  ): LedgerStreamRecord | undefined {
    if (sameItem(before, after)) return undefined;
    const arrivedAtMs = this.now();
    this.position += 1n;
    const record: LedgerStreamRecord = {
      eventID: randomUUID().replaceAll('-', ''),
      eventName: before === undefined ? 'INSERT' : after === undefined ? 'REMOVE' : 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(arrivedAtMs / 1000),
        Keys: keys,
        ...(after === undefined ? {} : { NewImage: after }),
        ...(before === undefined ? {} : { OldImage: before }),
        SequenceNumber: sequenceNumber(this.position),
        SizeBytes: itemSize(keys) + itemSize(after) + itemSize(before),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: this.streamArn,
    };
    const arrived = { shardId: this.shardId, record, arrivedAtMs };
    this.unread.push(arrived);
    this.kept.push(arrived);
    this.wake();
    return record;
  }

  /** The records a stream still holds: those of the last 24 hours (DynamoDB's retention). */
  public retained(): readonly ArrivedRecord[] {
    const oldest = this.now() - STREAM_RETENTION_MS;
    const first = this.kept.findIndex(({ arrivedAtMs }) => arrivedAtMs >= oldest);
    this.kept = first === -1 ? [] : this.kept.slice(first);
    return this.kept;
  }

  public async read(): Promise<ArrivedRecord[]> {
    const records = this.unread;
    this.unread = [];
    return records;
  }

  public changed(ms: number): Promise<void> {
    if (this.unread.length > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
    });
  }

  public async close(): Promise<void> {
    this.wake();
  }

  private wake(): void {
    for (const done of [...this.waiting]) done();
  }
}
