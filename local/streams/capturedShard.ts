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
    this.unread.push({ shardId: this.shardId, record, arrivedAtMs });
    this.wake();
    return record;
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
