import { setTimeout as delay } from 'node:timers/promises';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  type FailureCondition,
  type InvocationResponse,
  type StreamFailureRecord,
  streamFailureRecord,
} from './failureRecord.js';
import { type ArrivedRecord, compareSequenceNumbers, type RecordSource } from './streamRecord.js';

/** The event source mapping's settings, named as in Lambda's CreateEventSourceMapping. */
export interface MappingSettings {
  /** Records per invocation, from one shard (Lambda: up to 10,000). */
  batchSize: number;
  /** Retries of a failed batch before it is given up; -1: until its records are too old. */
  maximumRetryAttempts: number;
  /** Records older than this are given up, tried or not; -1: no limit. */
  maximumRecordAgeSeconds: number;
  /** A failed invocation splits its batch in two, each half tried on its own. */
  bisectBatchOnFunctionError: boolean;
  /** Pause before the first retry of a batch; it doubles with each retry, up to the maximum. */
  initialBackoffMs: number;
  maximumBackoffMs: number;
  /** How often a stream with nothing new is looked at again. */
  pollIntervalMs: number;
  /** An invocation that has not answered by then counts as failed (as a function timeout). */
  invocationTimeoutMs: number;
}

export const DEFAULT_MAPPING_SETTINGS: MappingSettings = {
  batchSize: 10,
  maximumRetryAttempts: 5,
  maximumRecordAgeSeconds: 3600,
  bisectBatchOnFunctionError: true,
  initialBackoffMs: 250,
  maximumBackoffMs: 5_000,
  pollIntervalMs: 200,
  invocationTimeoutMs: 60_000,
};

export interface EventSourceMappingOptions {
  source: RecordSource;
  /** The invoked function, as the on-failure records name it. */
  functionArn: string;
  /**
   * Invokes the function with a DynamoDB stream event: resolves to its answer (partial batch
   * failures), throws when the invocation failed. `statusCode` and `functionError` of what it
   * throws, if present, go into on-failure records.
   */
  deliver(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | undefined>;
  /** Sends a given-up batch's record to the on-failure destination. */
  onFailure(record: StreamFailureRecord): Promise<void>;
  /** Trouble of the mapping itself (reading the stream, the destination); it carries on. */
  onError(error: unknown): void;
  settings?: Partial<MappingSettings>;
  now?: () => number;
}

export interface EventSourceMapping {
  /**
   * Resolves once every record in the stream when it was called has been delivered or given up;
   * rejects after `timeoutMs` (default 30 s) or when the mapping stops first.
   */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

type Outcome =
  | { kind: 'success' }
  /** The records from `from` on failed (reported, or the answer was not a valid report). */
  | { kind: 'partialFailure'; from: number; response: InvocationResponse }
  | { kind: 'functionError'; response: InvocationResponse };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

const checkSettings = (settings: MappingSettings): MappingSettings => {
  const { batchSize, maximumRetryAttempts, maximumRecordAgeSeconds } = settings;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new Error(`batchSize must be 1 to 10000, got ${batchSize}`);
  }
  if (!Number.isInteger(maximumRetryAttempts) || maximumRetryAttempts < -1) {
    throw new Error(`maximumRetryAttempts must be -1 or more, got ${maximumRetryAttempts}`);
  }
  if (!(maximumRecordAgeSeconds === -1 || maximumRecordAgeSeconds > 0)) {
    throw new Error(
      `maximumRecordAgeSeconds must be -1 or positive, got ${maximumRecordAgeSeconds}`,
    );
  }
  if (maximumRetryAttempts === -1 && maximumRecordAgeSeconds === -1) {
    // AWS's streams drop records after 24 hours; a local stream keeps them, so nothing would.
    throw new Error('maximumRetryAttempts and maximumRecordAgeSeconds cannot both be -1 here');
  }
  return settings;
};

/**
 * Lambda's event source mapping for a DynamoDB stream, locally: batches in stream order (one
 * shard at a time), partial batch responses (ReportBatchItemFailures: a batch is retried from
 * its lowest reported record), BisectBatchOnFunctionError, MaximumRetryAttempts,
 * MaximumRecordAgeInSeconds, and an on-failure destination for what it gives up.
 */
class StreamEventSourceMapping implements EventSourceMapping {
  private readonly settings: MappingSettings;
  private readonly now: () => number;
  private readonly abort = new AbortController();
  /** Read and not yet done (delivered or given up), in stream order. */
  private pending: ArrivedRecord[] = [];
  private readCount = 0;
  private doneCount = 0;
  private reading: Promise<void> | undefined;
  private readonly progress = new Set<() => void>();
  private wakeLoop: (() => void) | undefined;
  private readonly loop: Promise<void>;

  public constructor(private readonly options: EventSourceMappingOptions) {
    this.settings = checkSettings({ ...DEFAULT_MAPPING_SETTINGS, ...options.settings });
    this.now = options.now ?? Date.now;
    this.loop = this.run();
  }

  public async idle(timeoutMs = 30_000): Promise<void> {
    await this.fill();
    const target = this.readCount;
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        this.progress.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (this.doneCount >= target) settle();
        else if (this.stopped) settle(new Error('the event source mapping stopped'));
      };
      const timer = setTimeout(
        () =>
          settle(
            new Error(
              `stream records still in flight after ${timeoutMs} ms: ${target - this.doneCount}`,
            ),
          ),
        timeoutMs,
      );
      this.progress.add(check);
      check();
    });
  }

  public async stop(): Promise<void> {
    this.abort.abort();
    this.wakeLoop?.();
    for (const check of [...this.progress]) check();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (this.pending.length === 0) await this.fill();
        if (this.pending.length === 0) {
          await this.waitForRecords(this.settings.pollIntervalMs);
          continue;
        }
        await this.process(this.nextBatch());
      } catch (error) {
        if (this.stopped) break;
        this.options.onError(error);
        await this.sleep(1_000).catch(() => undefined);
      }
    }
  }

  /**
   * Reads what the source has beyond what was read before. Reads run one after another, each
   * after the call that asked for it: what was in the stream then is read when it resolves.
   */
  private fill(): Promise<void> {
    const read = (this.reading ?? Promise.resolve()).then(async () => {
      const records = await this.options.source.read();
      this.pending.push(...records);
      this.readCount += records.length;
      if (records.length > 0) this.wakeLoop?.();
    });
    this.reading = read.catch(() => undefined);
    return read;
  }

  /** The oldest pending records of one shard, at most a batch. */
  private nextBatch(): ArrivedRecord[] {
    const shard = this.pending[0]?.shardId;
    const batch: ArrivedRecord[] = [];
    for (const arrived of this.pending) {
      if (arrived.shardId !== shard || batch.length === this.settings.batchSize) break;
      batch.push(arrived);
    }
    return batch;
  }

  /** Delivers `batch` until it succeeds or is given up; a failed invocation may split it. */
  private async process(batch: ArrivedRecord[]): Promise<void> {
    let remaining = batch;
    let invocations = 0;
    let retries = 0;
    let lastResponse: InvocationResponse | undefined;
    while (remaining.length > 0 && !this.stopped) {
      const expired = this.expiredPrefix(remaining);
      if (expired > 0) {
        const discarded = remaining.slice(0, expired);
        await this.discard(discarded, 'RecordAgeExceeded', invocations, lastResponse);
        remaining = remaining.slice(expired);
        continue;
      }
      invocations += 1;
      const outcome = await this.invoke(remaining);
      if (outcome.kind === 'success') {
        this.finish(remaining);
        return;
      }
      lastResponse = outcome.response;
      if (
        outcome.kind === 'functionError' &&
        this.settings.bisectBatchOnFunctionError &&
        remaining.length > 1
      ) {
        // Splitting does not count as a retry: each half starts afresh, the first half first.
        const half = Math.ceil(remaining.length / 2);
        await this.process(remaining.slice(0, half));
        await this.process(remaining.slice(half));
        return;
      }
      if (outcome.kind === 'partialFailure') {
        this.finish(remaining.slice(0, outcome.from));
        remaining = remaining.slice(outcome.from);
      }
      retries += 1;
      const { maximumRetryAttempts, initialBackoffMs, maximumBackoffMs } = this.settings;
      if (maximumRetryAttempts !== -1 && retries > maximumRetryAttempts) {
        await this.discard(remaining, 'RetryAttemptsExhausted', invocations, lastResponse);
        return;
      }
      await this.sleep(Math.min(maximumBackoffMs, initialBackoffMs * 2 ** (retries - 1)));
    }
  }

  /** How many records at the head of `records` are past MaximumRecordAgeInSeconds. */
  private expiredPrefix(records: readonly ArrivedRecord[]): number {
    const { maximumRecordAgeSeconds } = this.settings;
    if (maximumRecordAgeSeconds === -1) return 0;
    const oldest = this.now() - maximumRecordAgeSeconds * 1000;
    const index = records.findIndex((arrived) => arrived.arrivedAtMs >= oldest);
    return index === -1 ? records.length : index;
  }

  private async invoke(records: readonly ArrivedRecord[]): Promise<Outcome> {
    let answer: unknown;
    try {
      answer = await this.bounded(
        this.options.deliver({ Records: records.map((arrived) => arrived.record) }),
        this.settings.invocationTimeoutMs,
      );
    } catch (error) {
      if (this.stopped) throw error;
      const details = isObject(error) ? error : {};
      return {
        kind: 'functionError',
        response: {
          statusCode: typeof details.statusCode === 'number' ? details.statusCode : 200,
          functionError:
            typeof details.functionError === 'string' ? details.functionError : 'Unhandled',
        },
      };
    }
    const failures = isObject(answer) ? answer.batchItemFailures : undefined;
    if (failures === undefined || failures === null) return { kind: 'success' };
    const response = { statusCode: 200 };
    const positions = records.map((arrived) => arrived.record.dynamodb.SequenceNumber);
    if (!Array.isArray(failures)) return { kind: 'partialFailure', from: 0, response };
    if (failures.length === 0) return { kind: 'success' };
    const reported = failures.map((failure: unknown) =>
      isObject(failure) ? failure.itemIdentifier : undefined,
    );
    // An empty, missing or unknown identifier fails the whole batch, as in AWS.
    if (reported.some((id) => typeof id !== 'string' || !positions.includes(id))) {
      return { kind: 'partialFailure', from: 0, response };
    }
    const lowest = (reported as string[]).sort(compareSequenceNumbers)[0] as string;
    return { kind: 'partialFailure', from: positions.indexOf(lowest), response };
  }

  private async discard(
    records: readonly ArrivedRecord[],
    condition: FailureCondition,
    approximateInvokeCount: number,
    lastResponse: InvocationResponse | undefined,
  ): Promise<void> {
    const record = streamFailureRecord({
      records,
      functionArn: this.options.functionArn,
      condition,
      approximateInvokeCount,
      lastResponse,
      now: this.now(),
    });
    try {
      await this.options.onFailure(record);
    } catch (error) {
      // As in AWS: the records are discarded even when the destination cannot take the record.
      this.options.onError(
        new Error('the on-failure destination refused a record', { cause: error }),
      );
    }
    this.finish(records);
  }

  /** Marks the first `records.length` pending records done. */
  private finish(records: readonly ArrivedRecord[]): void {
    if (records.length === 0) return;
    if (this.pending[0] !== records[0]) throw new Error('stream records finished out of order');
    this.pending.splice(0, records.length);
    this.doneCount += records.length;
    for (const check of [...this.progress]) check();
  }

  /** Waits for `promise` at most `timeoutMs`; rejects at once when the mapping stops. */
  private bounded<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
    const { signal } = this.abort;
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => finish(() => reject(signal.reason));
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no answer in ${timeoutMs} ms`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => finish(() => resolve(value)),
        (error: unknown) => finish(() => reject(error)),
      );
    });
  }

  /** Until the source may have new records (or a read found some), at most `ms`. */
  private async waitForRecords(ms: number): Promise<void> {
    const woken = new Promise<void>((resolve) => {
      this.wakeLoop = resolve;
    });
    await Promise.race([this.options.source.changed(ms), woken]);
    this.wakeLoop = undefined;
  }

  /** Rejects when the mapping stops meanwhile. */
  private sleep(ms: number): Promise<void> {
    return delay(ms, undefined, { signal: this.abort.signal });
  }
}

export const startEventSourceMapping = (options: EventSourceMappingOptions): EventSourceMapping =>
  new StreamEventSourceMapping(options);
