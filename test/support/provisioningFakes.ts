import { isDeepStrictEqual } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { AppStreamClient } from '@aws-sdk/client-appstream';
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import type { AwsClients } from '../../src/operations/index.js';
import type { Outcome } from '../../src/outcomes/outcome.js';
import type { OutcomePublisher } from '../../src/outcomes/publisher.js';
import type { IdempotencyStore, IdempotentJob } from '../../src/provisioning/idempotency.js';
import { mockAws } from './awsMocks.js';

/**
 * What the fakes did, in order, when they share one: `published <status>` for an outcome,
 * `stored <keySpace>#<clientToken>` for an idempotency record.
 */
export type Journal = string[];

export interface PublishedOutcome {
  outcome: Outcome;
  subject: string | undefined;
}

/** An OutcomePublisher that keeps what it was given, or rejects on demand. */
export interface RecordingPublisher extends OutcomePublisher {
  readonly published: PublishedOutcome[];
  /** Publishes tried, the failed ones included. */
  attempts(): number;
  /** Every publish from now on rejects with `error`, and keeps nothing. */
  failWith(error: Error): void;
  /** Publishes succeed again. */
  recover(): void;
}

export const recordingPublisher = (journal: Journal = []): RecordingPublisher => {
  const published: PublishedOutcome[] = [];
  let failure: Error | undefined;
  let attempts = 0;
  return {
    published,
    attempts: () => attempts,
    failWith: (error) => {
      failure = error;
    },
    recover: () => {
      failure = undefined;
    },
    async publish(outcome, subject) {
      attempts++;
      if (failure) throw failure;
      published.push({ outcome, subject });
      journal.push(`published ${outcome.status}`);
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
          if (!isDeepStrictEqual(stored.request, job.request)) {
            throw powertoolsError('IdempotencyValidationError');
          }
          return { ...(structuredClone(stored.result) as R), replayed: true as const };
        }
        runs++;
        const result = await fn(job);
        records.set(key, {
          request: structuredClone(job.request),
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
