import { randomBytes } from 'node:crypto';
import type { AttributeValue } from 'aws-lambda';

/** An item (or key) as DynamoDB's JSON protocol and Lambda's stream events carry it. */
export type WireItem = Record<string, AttributeValue>;

export type StreamEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

/**
 * One record of a DynamoDB stream as Lambda hands it to a function (an element of
 * `DynamoDBStreamEvent.Records`), with the fields AWS always sets made required.
 */
export interface LedgerStreamRecord {
  eventID: string;
  eventName: StreamEventName;
  eventVersion: string;
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    /** Epoch seconds. */
    ApproximateCreationDateTime: number;
    Keys: WireItem;
    NewImage?: WireItem;
    OldImage?: WireItem;
    /** A numeric string; later records of a shard have greater numbers. */
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
  };
  eventSourceARN: string;
}

/** A stream record as a source read it: the shard it is in, and when it reached the stream. */
export interface ArrivedRecord {
  shardId: string;
  record: LedgerStreamRecord;
  /** When the record reached the stream (ms since the epoch), for MaximumRecordAgeInSeconds. */
  arrivedAtMs: number;
}

/** Where the event source mapping reads from: one stream, its shards in order. */
export interface RecordSource {
  /** Records beyond those read before, oldest first (a parent shard's before its children's). */
  read(): Promise<ArrivedRecord[]>;
  /** Resolves once new records may be readable, or after `ms` at the latest. */
  changed(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** `arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>`, as AWS names a stream. */
export const streamArn = (
  region: string,
  accountId: string,
  tableName: string,
  label: string,
): string => `arn:aws:dynamodb:${region}:${accountId}:table/${tableName}/stream/${label}`;

/** The label a stream's ARN ends with (what follows `/stream/`); undefined when it names none. */
export const streamLabelOf = (streamArn: string): string | undefined =>
  streamArn.split('/stream/')[1];

/** A stream label as AWS writes it: the creation time, ISO 8601 without the zone. */
export const streamLabel = (at: Date): string => at.toISOString().slice(0, -1);

/** A shard id of AWS's form: `shardId-<20 digits>-<8 hex>`. */
export const shardId = (createdAtMs: number): string =>
  `shardId-${String(createdAtMs).padStart(20, '0')}-${randomBytes(4).toString('hex')}`;

/** Sequence numbers as DynamoDB writes them: 21 digits, zero-padded. */
export const sequenceNumber = (position: bigint): string => position.toString().padStart(21, '0');

/** Orders two sequence numbers of one shard (numerically: their lengths may differ). */
export const compareSequenceNumbers = (a: string, b: string): number => {
  const difference = BigInt(a) - BigInt(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
};
