import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { ProvisioningErrorDetails } from '../basics/errors.js';
import { isRecord } from '../basics/records.js';
import type {
  LedgerEntry,
  LedgerOutcome,
  LedgerRecord,
  RequestLedger,
  Settlement,
} from './record.js';
import type { LedgerWatch } from './watch.js';

export interface DynamoLedgerOptions {
  dynamodb: DynamoDBClient;
  tableName: string;
  /** How long a record is kept after it was created (DynamoDB TTL on `expiresAt`). */
  retentionSeconds: number;
  now?: () => Date;
}

/** The record's key: tokens are scoped per operation. */
export const ledgerKey = (operation: string, clientToken: string) => ({
  pk: { S: `${operation}#${clientToken}` },
});

const STATUSES = new Set(['IN_PROGRESS', 'SUCCEEDED', 'FAILED']);
const CHANNELS = new Set(['http', 'sqs']);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

const WATCH_STATES = new Set(['WATCHING', 'READY', 'FAILED', 'TIMED_OUT']);

/** A time the watch reckons with: an ISO string that reads as one. */
const isTime = (value: unknown): value is string =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** The watch's optional members: absent, or of their type (times that read as times). */
const WATCH_TEXTS = ['arn', 'lastSeenState'] as const;
const WATCH_TIMES = ['nextCheckAt', 'lastSeenAt', 'readyAt', 'endedAt'] as const;

/**
 * A watch the readiness watch and the outbox can reckon with: its deadline and next check read as
 * times, its check count is what a scheduled check can carry. Anything else is no watch.
 */
const isWatch = (value: unknown): value is LedgerWatch =>
  isRecord(value) &&
  typeof value.name === 'string' &&
  typeof value.state === 'string' &&
  WATCH_STATES.has(value.state) &&
  isTime(value.startedAt) &&
  isTime(value.deadline) &&
  typeof value.checks === 'number' &&
  Number.isSafeInteger(value.checks) &&
  value.checks >= 0 &&
  WATCH_TEXTS.every((member) => value[member] === undefined || typeof value[member] === 'string') &&
  WATCH_TIMES.every((member) => value[member] === undefined || isTime(value[member]));

const isErrorDetails = (value: unknown): value is ProvisioningErrorDetails =>
  isRecord(value) &&
  typeof value.code === 'string' &&
  typeof value.status === 'number' &&
  typeof value.title === 'string' &&
  typeof value.detail === 'string' &&
  typeof value.retryable === 'boolean';

/** A ledger record from its DynamoDB item (a table read or a stream image); undefined if not one. */
export const decodeLedgerRecord = (
  item: Record<string, AttributeValue> | undefined,
): LedgerRecord | undefined => {
  if (!item) return undefined;
  const raw = unmarshall(item);
  const { operation, clientToken, channel, status, createdAt, updatedAt, expiresAt } = raw;
  if (
    typeof operation !== 'string' ||
    typeof clientToken !== 'string' ||
    !CHANNELS.has(channel) ||
    !STATUSES.has(status) ||
    typeof createdAt !== 'string' ||
    typeof updatedAt !== 'string' ||
    typeof expiresAt !== 'number'
  ) {
    return undefined;
  }
  return {
    operation,
    clientToken,
    channel,
    status,
    createdAt,
    updatedAt,
    expiresAt,
    ...(text(raw.correlationId) ? { correlationId: raw.correlationId } : {}),
    ...(text(raw.requestedBy) ? { requestedBy: raw.requestedBy } : {}),
    ...(raw.response === undefined ? {} : { response: raw.response }),
    ...(isErrorDetails(raw.error) ? { error: raw.error } : {}),
    ...(isWatch(raw.watch) ? { watch: raw.watch } : {}),
    outcomes: Array.isArray(raw.outcomes)
      ? raw.outcomes.filter(
          (outcome): outcome is LedgerOutcome =>
            isRecord(outcome) && text(outcome.id) !== undefined,
        )
      : [],
  };
};

/** An update expression with only the names and values it uses (DynamoDB refuses others). */
class Update {
  readonly sets: string[] = [];
  readonly removes: string[] = [];
  readonly adds: string[] = [];
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};

  set(
    member: string,
    value: unknown,
    how: (path: string, placeholder: string) => string = (p, v) => `${p} = ${v}`,
  ): this {
    if (value === undefined) return this;
    const path = this.name(member);
    this.values[`:${member}`] = value;
    this.sets.push(how(path, `:${member}`));
    return this;
  }

  remove(member: string): this {
    this.removes.push(this.name(member));
    return this;
  }

  add(member: string, value: unknown): this {
    this.values[`:${member}`] = value;
    this.adds.push(`${this.name(member)} :${member}`);
    return this;
  }

  name(member: string): string {
    this.names[`#${member}`] = member;
    return `#${member}`;
  }

  expression(): string {
    return [
      this.sets.length > 0 ? `SET ${this.sets.join(', ')}` : '',
      this.removes.length > 0 ? `REMOVE ${this.removes.join(', ')}` : '',
      this.adds.length > 0 ? `ADD ${this.adds.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
  }
}

const ifAbsent = (path: string, value: string) => `${path} = if_not_exists(${path}, ${value})`;

interface Table {
  dynamodb: DynamoDBClient;
  tableName: string;
  retentionSeconds: number;
  now: () => Date;
}

/** Who asked, how, when; the creation time and expiry only once. `how`: set or set if absent. */
const entryUpdate = (
  { now, retentionSeconds }: Table,
  entry: LedgerEntry,
  how?: typeof ifAbsent,
): Update => {
  const at = now();
  return new Update()
    .set('operation', entry.operation, how)
    .set('clientToken', entry.clientToken, how)
    .set('channel', entry.channel, how)
    .set('correlationId', entry.correlationId, how)
    .set('requestedBy', entry.requestedBy, how)
    .set('updatedAt', at.toISOString())
    .set('createdAt', at.toISOString(), ifAbsent)
    .set('expiresAt', Math.floor(at.getTime() / 1000) + retentionSeconds, ifAbsent);
};

/** Runs the update; false when its condition stopped it (what it guards against is there). */
const send = async (
  { dynamodb, tableName }: Table,
  entry: Pick<LedgerEntry, 'operation' | 'clientToken'>,
  update: Update,
  condition?: string,
): Promise<boolean> => {
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: ledgerKey(entry.operation, entry.clientToken),
        UpdateExpression: update.expression(),
        ExpressionAttributeNames: update.names,
        ExpressionAttributeValues: marshall(update.values, { removeUndefinedValues: true }),
        ...(condition ? { ConditionExpression: condition } : {}),
      }),
    );
    return true;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return false;
  }
};

/** Appends the outcome; the condition that keeps an outcome from being committed twice. */
const withOutcome = (update: Update, outcome: LedgerOutcome): string => {
  update
    .set(
      'outcomes',
      [outcome],
      (path, value) => `${path} = list_append(if_not_exists(${path}, :none), ${value})`,
    )
    .add('outcomeIds', new Set([outcome.id]));
  update.values[':none'] = [];
  update.values[':outcomeId'] = outcome.id;
  return 'attribute_not_exists(#outcomeIds) OR NOT contains(#outcomeIds, :outcomeId)';
};

const begin = async (table: Table, entry: LedgerEntry): Promise<void> => {
  const update = entryUpdate(table, entry)
    .set('status', 'IN_PROGRESS')
    .set('outcomes', [], ifAbsent);
  update.values[':succeeded'] = 'SUCCEEDED';
  // A success already committed stays committed (a retry after a lost acknowledgement).
  await send(table, entry, update, 'attribute_not_exists(#status) OR #status <> :succeeded');
};

const settle = async (table: Table, entry: LedgerEntry, settlement: Settlement): Promise<void> => {
  /** How the request ended: status and response or error, whatever was there before. */
  const ended = () => {
    const update = entryUpdate(table, entry).set('status', settlement.status);
    if (settlement.status === 'SUCCEEDED') {
      // A watch begins once: a success written again leaves the one under way alone.
      return update
        .set('response', settlement.response)
        .set('watch', settlement.watch, ifAbsent)
        .remove('error');
    }
    return update.set('error', settlement.error).remove('response');
  };
  const { outcome } = settlement;
  if (!outcome) return void (await send(table, entry, ended().set('outcomes', [], ifAbsent)));
  const update = ended();
  // An outcome is committed once, however often the request's end is written: when it is there
  // already, the request's end is still written, without it.
  if (!(await send(table, entry, update, withOutcome(update, outcome)))) {
    await send(table, entry, ended());
  }
};

const refuse = async (
  table: Table,
  entry: LedgerEntry,
  { error, outcome }: { error: ProvisioningErrorDetails; outcome: LedgerOutcome },
): Promise<void> => {
  // Everything only where absent: the record may belong to a request that went ahead.
  const update = entryUpdate(table, entry, ifAbsent)
    .set('status', 'FAILED', ifAbsent)
    .set('error', error, ifAbsent);
  await send(table, entry, update, withOutcome(update, outcome));
};

const advanceWatch = async (
  table: Table,
  entry: Pick<LedgerEntry, 'operation' | 'clientToken'>,
  checks: number,
  watch: LedgerWatch,
  outcome: LedgerOutcome | undefined,
): Promise<boolean> => {
  const update = new Update().set('watch', watch).set('updatedAt', table.now().toISOString());
  update.values[':watching'] = 'WATCHING';
  update.values[':checks'] = checks;
  const current = `${update.name('watch')}.${update.name('state')} = :watching AND #watch.${update.name('checks')} = :checks`;
  const condition = outcome ? `(${current}) AND (${withOutcome(update, outcome)})` : current;
  return send(table, entry, update, condition);
};

const find = async (
  { dynamodb, tableName, now }: Table,
  operation: string,
  clientToken: string,
): Promise<LedgerRecord | undefined> => {
  const { Item } = await dynamodb.send(
    new GetItemCommand({
      TableName: tableName,
      Key: ledgerKey(operation, clientToken),
      ConsistentRead: true,
    }),
  );
  const record = decodeLedgerRecord(Item);
  // DynamoDB deletes expired items within days, not at once.
  return record && record.expiresAt > now().getTime() / 1000 ? record : undefined;
};

/** The request ledger on a DynamoDB table whose stream feeds the outbox. */
export const createDynamoLedger = ({
  dynamodb,
  tableName,
  retentionSeconds,
  now = () => new Date(),
}: DynamoLedgerOptions): RequestLedger => {
  const table: Table = { dynamodb, tableName, retentionSeconds, now };
  return {
    begin: (entry) => begin(table, entry),
    settle: (entry, settlement) => settle(table, entry, settlement),
    refuse: (entry, refusal) => refuse(table, entry, refusal),
    advanceWatch: (entry, checks, watch, outcome) =>
      advanceWatch(table, entry, checks, watch, outcome),
    find: (operation, clientToken) => find(table, operation, clientToken),
  };
};
