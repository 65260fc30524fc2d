import { isDeepStrictEqual } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { AppStreamClient } from '@aws-sdk/client-appstream';
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import type { Channel } from '../../src/basics/channel.js';
import { createGuardrails } from '../../src/guardrails/evaluate.js';
import type { GuardrailPolicy } from '../../src/guardrails/policy.js';
import type {
  LedgerEntry,
  LedgerOutcome,
  LedgerRecord,
  RequestLedger,
} from '../../src/ledger/record.js';
import type { AwsClients } from '../../src/operations/index.js';
import { outcomeEventOf } from '../../src/outbox/relay.js';
import type { IdempotencyStore, IdempotentJob } from '../../src/provisioning/idempotency.js';
import { createPipeline } from '../../src/provisioning/pipeline.js';
import type { ProvisioningRequest } from '../../src/provisioning/request.js';
import type { RetryPolicy } from '../../src/provisioning/retry.js';
import { validRequests } from '../fixtures/requests.js';
import { mockAws } from './awsMocks.js';
import { type RecordingMetrics, recordingMetrics } from './metrics.js';

/**
 * What the fakes did, in order, when they share one: `begin <operation>#<clientToken>` and
 * `settle <status> <operation>#<clientToken>` for a ledger write (`... rejected` when it threw),
 * `find ...` for a ledger read, `stored <keySpace>#<clientToken>` for an idempotency record.
 */
export type Journal = string[];

/**
 * One outcome as the ledger committed it, read the way the outbox reads it: the request it
 * belongs to as the record stood after the commit, the response only with a success.
 */
export interface CommittedOutcome {
  id: string;
  operation: string;
  clientToken: string;
  correlationId?: string;
  channel: Channel;
  requestedBy?: string;
  status: LedgerOutcome['status'];
  response?: unknown;
  error?: LedgerOutcome['error'];
  /** A follow-through event's name, and the resource it carries. */
  event?: string;
  resource?: unknown;
  subject?: string;
  time: string;
}

/** The ledger writes a test can make fail. */
export type LedgerWrite = 'begin' | 'settle' | 'refuse' | 'advanceWatch';

export interface LedgerFailure {
  /** The write lands before the error: the answer is lost, not the write (a timeout, say). */
  written?: boolean;
}

/**
 * A RequestLedger in memory with the semantics of the DynamoDB one: one record per
 * `<operation>#<clientToken>`; `begin` sets IN_PROGRESS but leaves a SUCCEEDED record as it is;
 * `settle` sets status and response or error, and appends the outcome only if its id is not
 * committed yet; `find` answers nothing past `expiresAt`.
 */
export interface FakeLedger extends RequestLedger {
  /** Records by `<operation>#<clientToken>`, as they stand (not copies: read, do not change). */
  readonly records: ReadonlyMap<string, LedgerRecord>;
  /** Every outcome committed, in commit order, across records. */
  readonly committed: readonly CommittedOutcome[];
  /** Calls made to `method`, the rejected ones included. */
  attempts(method: LedgerWrite | 'find'): number;
  /** Every `method` call from now on rejects with `error` (and writes nothing, unless `written`). */
  failWith(method: LedgerWrite, error: Error, failure?: LedgerFailure): void;
  /** `method` (both writes when left out) succeeds again. */
  recover(method?: LedgerWrite): void;
}

export interface FakeLedgerOptions {
  journal?: Journal;
  now?: () => Date;
  retentionSeconds?: number;
}

const ledgerKeyOf = (operation: string, clientToken: string) => `${operation}#${clientToken}`;

export const fakeLedger = ({
  journal = [],
  now = () => new Date(),
  retentionSeconds = 604_800,
}: FakeLedgerOptions = {}): FakeLedger => {
  const records = new Map<string, LedgerRecord>();
  const committed: CommittedOutcome[] = [];
  const attempts = new Map<string, number>();
  const failures = new Map<LedgerWrite, { error: Error } & LedgerFailure>();

  /** Counts and journals the call, then writes and/or rejects as the test asked. */
  const call = async (method: LedgerWrite, label: string, write: () => void): Promise<void> => {
    attempts.set(method, (attempts.get(method) ?? 0) + 1);
    const failure = failures.get(method);
    if (!failure || failure.written) write();
    journal.push(failure ? `${label} rejected` : label);
    if (failure) throw failure.error;
  };

  /** The record with who asked and when, created if absent (creation time and expiry once). */
  const touch = (entry: LedgerEntry): LedgerRecord => {
    const key = ledgerKeyOf(entry.operation, entry.clientToken);
    const at = now();
    const record: LedgerRecord = records.get(key) ?? {
      operation: entry.operation,
      clientToken: entry.clientToken,
      channel: entry.channel,
      status: 'IN_PROGRESS',
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
      outcomes: [],
      expiresAt: Math.floor(at.getTime() / 1000) + retentionSeconds,
    };
    record.channel = entry.channel;
    if (entry.correlationId !== undefined) record.correlationId = entry.correlationId;
    if (entry.requestedBy !== undefined) record.requestedBy = entry.requestedBy;
    record.updatedAt = at.toISOString();
    records.set(key, record);
    return record;
  };

  /** The outcome as the outbox reads it from the record just committed (its real code). */
  const committedOf = (record: LedgerRecord, outcome: LedgerOutcome): CommittedOutcome => {
    const { id, subject, time, data } = outcomeEventOf(structuredClone(record), outcome, 'fake');
    const fields = 'event' in data ? { ...data, status: outcome.status } : data;
    return {
      id,
      ...fields,
      clientToken: record.clientToken,
      ...(subject ? { subject } : {}),
      time,
    };
  };

  return {
    records,
    committed,
    attempts: (method) => attempts.get(method) ?? 0,
    failWith: (method, error, failure = {}) => {
      failures.set(method, { error, ...failure });
    },
    recover: (method) => {
      if (method) failures.delete(method);
      else failures.clear();
    },

    begin: (entry) =>
      call('begin', `begin ${ledgerKeyOf(entry.operation, entry.clientToken)}`, () => {
        const existing = records.get(ledgerKeyOf(entry.operation, entry.clientToken));
        // A success already committed stays committed.
        if (existing?.status === 'SUCCEEDED') return;
        touch(entry).status = 'IN_PROGRESS';
      }),

    settle: (entry, settlement) =>
      call(
        'settle',
        `settle ${settlement.status} ${ledgerKeyOf(entry.operation, entry.clientToken)}`,
        () => {
          const record = touch(entry);
          record.status = settlement.status;
          if (settlement.status === 'SUCCEEDED') {
            record.response = structuredClone(settlement.response);
            // A watch begins once.
            if (settlement.watch && !record.watch) record.watch = structuredClone(settlement.watch);
            delete record.error;
          } else {
            record.error = structuredClone(settlement.error);
            delete record.response;
          }
          const { outcome } = settlement;
          if (!outcome || record.outcomes.some(({ id }) => id === outcome.id)) return;
          record.outcomes.push(structuredClone(outcome));
          committed.push(committedOf(record, outcome));
        },
      ),

    refuse: (entry, { error, outcome }) =>
      call('refuse', `refuse ${ledgerKeyOf(entry.operation, entry.clientToken)}`, () => {
        const key = ledgerKeyOf(entry.operation, entry.clientToken);
        const existing = records.get(key);
        // A request under way or settled under the token keeps its state.
        const record = existing ?? touch(entry);
        if (!existing) {
          record.status = 'FAILED';
          record.error = structuredClone(error);
        }
        record.updatedAt = now().toISOString();
        if (record.outcomes.some(({ id }) => id === outcome.id)) return;
        record.outcomes.push(structuredClone(outcome));
        committed.push(committedOf(record, outcome));
      }),

    async advanceWatch(entry, checks, watch, outcome) {
      const key = ledgerKeyOf(entry.operation, entry.clientToken);
      let advanced = false;
      await call('advanceWatch', `advanceWatch ${key} ${checks}`, () => {
        const record = records.get(key);
        if (record?.watch?.state !== 'WATCHING' || record.watch.checks !== checks) return;
        if (outcome && record.outcomes.some(({ id }) => id === outcome.id)) return;
        record.watch = structuredClone(watch);
        record.updatedAt = now().toISOString();
        advanced = true;
        if (!outcome) return;
        record.outcomes.push(structuredClone(outcome));
        committed.push(committedOf(record, outcome));
      });
      return advanced;
    },

    async find(operation, clientToken) {
      attempts.set('find', (attempts.get('find') ?? 0) + 1);
      journal.push(`find ${ledgerKeyOf(operation, clientToken)}`);
      const record = records.get(ledgerKeyOf(operation, clientToken));
      if (!record || record.expiresAt <= now().getTime() / 1000) return undefined;
      return structuredClone(record);
    },
  };
};

/** An error named like the ones Powertools idempotency throws (matched by name, not class). */
export const powertoolsError = (name: string): Error =>
  Object.assign(new Error(`${name} from the idempotency layer`), { name });

export interface StoredRecord {
  request: unknown;
  result: object;
}

/**
 * An IdempotencyStore in memory, with the Powertools semantics the service relies on: `fn` runs
 * once per clientToken within a key space; what it returns is stored and replayed with
 * `replayed: true`; what it throws is not stored; a replay with another `request` is rejected
 * with an `IdempotencyValidationError`.
 */
export interface FakeIdempotencyStore extends IdempotencyStore {
  /** Stored results by `<keySpace>#<clientToken>`. */
  readonly records: ReadonlyMap<string, StoredRecord>;
  /** How many times a wrapped function ran (replays and refused calls excluded). */
  runs(): number;
  /** The next wrapped call throws `error` instead of running or replaying anything. */
  failNextWith(error: unknown): void;
}

/** A request as Powertools compares it: by its JSON, whatever its objects' prototypes. */
const asJson = (request: unknown): unknown =>
  request === undefined ? undefined : JSON.parse(JSON.stringify(request));

export const fakeIdempotencyStore = (journal: Journal = []): FakeIdempotencyStore => {
  const records = new Map<string, StoredRecord>();
  let runs = 0;
  let nextFailure: { error: unknown } | undefined;
  return {
    records,
    runs: () => runs,
    failNextWith: (error) => {
      nextFailure = { error };
    },
    wrap<J extends IdempotentJob, R extends object>(
      keySpace: string,
      fn: (job: J) => Promise<R>,
    ): (job: J) => Promise<R & { replayed?: true }> {
      return async (job) => {
        if (nextFailure) {
          const { error } = nextFailure;
          nextFailure = undefined;
          throw error;
        }
        const key = `${keySpace}#${job.clientToken}`;
        const stored = records.get(key);
        if (stored) {
          if (!isDeepStrictEqual(stored.request, asJson(job.request))) {
            throw powertoolsError('IdempotencyValidationError');
          }
          return { ...(structuredClone(stored.result) as R), replayed: true as const };
        }
        runs++;
        const result = await fn(job);
        records.set(key, {
          request: asJson(job.request),
          result: structuredClone(result),
        });
        journal.push(`stored ${key}`);
        return result;
      };
    },
    registerLambdaContext: () => undefined,
  };
};

/** Image Builder and AppStream clients of their own, answering as AWS would (see mockAws). */
export const mockedAwsClients = () => {
  const clients: AwsClients = {
    imagebuilder: new ImagebuilderClient({ region: 'us-east-1' }),
    appstream: new AppStreamClient({ region: 'us-east-1' }),
  };
  return { clients, aws: mockAws(clients) };
};

/** A Powertools Logger that writes nothing: tests spy on the calls made to it. */
export const silentLogger = (): Logger => new Logger({ logLevel: 'SILENT' });

/** What a test sets of the pipeline it runs; what it leaves out is a fake of its own. */
export interface FakePipelineOptions {
  /** Shared by the ledger and the idempotency store the pipeline makes of its own. */
  journal?: Journal;
  ledger?: FakeLedger;
  idempotency?: FakeIdempotencyStore;
  metrics?: RecordingMetrics;
  logger?: Logger;
  retryPolicy: RetryPolicy;
  /** The stage's guardrail policy: none unless given. */
  guardrails?: GuardrailPolicy;
}

/** The real pipeline over the fakes and AWS mocked (see mockedAwsClients), with what it runs on. */
export const fakePipeline = ({
  journal = [],
  ledger = fakeLedger({ journal }),
  idempotency = fakeIdempotencyStore(journal),
  metrics = recordingMetrics(),
  logger = silentLogger(),
  retryPolicy,
  guardrails = {},
}: FakePipelineOptions) => {
  const { clients, aws } = mockedAwsClients();
  const pipeline = createPipeline({
    clients,
    ledger,
    idempotency,
    metrics,
    logger,
    retryPolicy,
    guardrails: createGuardrails(guardrails, { accountId: '123456789012' }),
  });
  return { journal, ledger, idempotency, metrics, logger, aws, pipeline };
};

/**
 * A queue message's request on its final receive, as its reader hands it over (the request under
 * `/request`, no clientToken: the message id stands in), with `overrides`.
 */
export const queueRequest = (
  overrides: Partial<ProvisioningRequest> = {},
): ProvisioningRequest => ({
  channel: 'sqs',
  operation: 'CreateInfrastructureConfiguration',
  input: validRequests.CreateInfrastructureConfiguration,
  inputPointer: '/request',
  fallbackToken: () => 'message-id-1',
  finalAttempt: true,
  announcesRejections: true,
  idempotentReads: true,
  remainingTimeMs: 30_000,
  ...overrides,
});
