import type { Logger } from '@aws-lambda-powertools/logger';
import type { LedgerOutcome, LedgerRecord, RequestLedger } from '../ledger/record.js';
import {
  continueWatch,
  endWatch,
  type LedgerWatch,
  pastDeadline,
  type Sighting,
  type WatchTiming,
} from '../ledger/watch.js';
import {
  type AwsClients,
  findOperation,
  type Readiness,
  type ReadinessCheck,
} from '../operations/index.js';
import { readinessEventId } from '../outcomes/outcome.js';

/** One scheduled check of a watched resource: the request, and the check count it expects. */
export interface WatchCheck {
  operation: string;
  clientToken: string;
  checks: number;
}

/** What one check did. */
export type CheckResult =
  /** The watch moved on (`WATCHING`) or ended (`READY`, `FAILED`, `TIMED_OUT`). */
  | { status: 'advanced'; state: LedgerWatch['state'] }
  /** Nothing to do: unknown request, no watch, or this check was made already. */
  | { status: 'stale' };

export interface ReadinessWatch {
  /** Checks on the resource once and commits what follows; rejects when the ledger is down. */
  check(check: WatchCheck, signal?: AbortSignal): Promise<CheckResult>;
}

export interface ReadinessWatchDependencies {
  clients: AwsClients;
  ledger: RequestLedger;
  timing: WatchTiming;
  logger: Logger;
  now?: () => Date;
}

type Ending = 'READY' | 'FAILED' | 'TIMED_OUT';

/** How the watch ends after this sighting, if it does. */
const endingOf = (seen: ReadinessCheck | undefined, watch: LedgerWatch, now: Date) => {
  if (seen?.verdict === 'ready') return 'READY';
  if (seen?.verdict === 'failed') return 'FAILED';
  return pastDeadline(watch, now) ? 'TIMED_OUT' : undefined;
};

const eventOf = (readiness: Readiness, ending: Ending): string =>
  ending === 'READY'
    ? readiness.events.ready
    : ending === 'FAILED'
      ? readiness.events.failed
      : readiness.events.timedOut;

/** The event the watch ends with, committed with the watch's end. */
const endingOutcome = (
  record: LedgerRecord,
  event: string,
  ending: Ending,
  resource: unknown,
  now: Date,
): LedgerOutcome => ({
  id: readinessEventId(record.operation, record.clientToken, event),
  status: ending === 'READY' ? 'SUCCEEDED' : 'FAILED',
  time: now.toISOString(),
  subject: record.watch?.arn ?? record.watch?.name,
  event,
  resource,
});

/** The resource as last seen, for a wait that ended without a reading of its own. */
const lastKnown = (watch: LedgerWatch) => ({
  Name: watch.name,
  ...(watch.arn ? { Arn: watch.arn } : {}),
  ...(watch.lastSeenState ? { State: watch.lastSeenState } : {}),
});

/**
 * The follow-through: one check per scheduled message. A resource usable, or never going to be,
 * ends the watch with its event; past the deadline the wait ends; otherwise the watch moves on
 * and the outbox schedules the next check. Every step is one conditional write of the ledger
 * (on the check count), so a copy of a message, or a check run twice after a crash, changes
 * nothing and announces nothing twice. AWS not answering (a throttle, say) is a check without a
 * sighting, never a failure.
 */
export const createReadinessWatch = ({
  clients,
  ledger,
  timing,
  logger,
  now = () => new Date(),
}: ReadinessWatchDependencies): ReadinessWatch => {
  const look = async (readiness: Readiness, watch: LedgerWatch, signal?: AbortSignal) => {
    try {
      return await readiness.check(clients, watch, signal);
    } catch (error) {
      logger.warn('could not check on the resource; the next check will', { error });
      return undefined;
    }
  };

  return {
    async check({ operation, clientToken, checks }, signal) {
      const record = await ledger.find(operation, clientToken);
      const watch = record?.watch;
      const readiness = findOperation(operation)?.readiness;
      if (!record || !watch || !readiness) return { status: 'stale' };
      if (watch.state !== 'WATCHING' || watch.checks !== checks) return { status: 'stale' };
      const seen = await look(readiness, watch, signal);
      const at = now();
      const sighting: Sighting | undefined = seen && { state: seen.state, at };
      const ending = endingOf(seen, watch, at);
      const next = ending
        ? endWatch(watch, ending, sighting, at)
        : continueWatch(watch, timing, sighting, at);
      const outcome =
        ending &&
        endingOutcome(
          record,
          eventOf(readiness, ending),
          ending,
          seen?.resource ?? lastKnown(next),
          at,
        );
      const advanced = await ledger.advanceWatch(record, checks, next, outcome);
      return advanced ? { status: 'advanced', state: next.state } : { status: 'stale' };
    },
  };
};
