import type { ServiceMetrics } from '../basics/metrics.js';
import type { LedgerOutcome, LedgerRecord } from '../ledger/record.js';
import { secondsUntilNextCheck } from '../ledger/watch.js';
import {
  type Outcome,
  type ReadinessEvent,
  type ServiceEvent,
  toOutcomeEvent,
  toReadinessEvent,
} from '../outcomes/outcome.js';
import type { OutcomePublisher } from '../outcomes/publisher.js';
import type { CheckScheduler, ScheduledCheck } from './checks.js';

/** One change of a ledger record, as its stream tells it. */
export interface LedgerChange {
  before: LedgerRecord | undefined;
  after: LedgerRecord | undefined;
}

/** The outcomes a change commits: in the record after it, not before it, in their order. */
export const committedOutcomes = ({ before, after }: LedgerChange): LedgerOutcome[] => {
  if (!after) return [];
  const known = new Set(before?.outcomes.map(({ id }) => id));
  return after.outcomes.filter(({ id }) => !known.has(id));
};

/** Who asked: the operation, the token and the asker, as an event's data names them. */
const askerOf = (record: LedgerRecord, outcome: LedgerOutcome) => {
  // Who asked comes with the outcome: a refused request may differ from the record's own.
  const asker = outcome.channel ? outcome : record;
  return {
    operation: record.operation,
    clientToken: record.clientToken,
    ...(asker.correlationId ? { correlationId: asker.correlationId } : {}),
    channel: asker.channel ?? record.channel,
    ...(asker.requestedBy ? { requestedBy: asker.requestedBy } : {}),
  };
};

/** A follow-through event: what became of the resource the request created. */
const readinessEventOf = (
  record: LedgerRecord,
  outcome: LedgerOutcome & { event: string },
  source: string,
): ReadinessEvent =>
  toReadinessEvent(
    { ...askerOf(record, outcome), event: outcome.event, resource: outcome.resource ?? null },
    { id: outcome.id, source, subject: outcome.subject, time: outcome.time },
  );

/** The event of one committed outcome, from the record as it was committed. */
export const outcomeEventOf = (
  record: LedgerRecord,
  outcome: LedgerOutcome,
  source: string,
): ServiceEvent => {
  if (outcome.event !== undefined) {
    return readinessEventOf(record, { ...outcome, event: outcome.event }, source);
  }
  const data: Outcome = {
    ...askerOf(record, outcome),
    status: outcome.status,
    ...(outcome.status === 'SUCCEEDED' ? { response: record.response } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
  };
  return toOutcomeEvent(data, {
    source,
    subject: outcome.subject,
    now: new Date(outcome.time),
    id: outcome.id,
  });
};

/**
 * The check a change schedules: the next of a watch that the change began or moved on. A watch
 * that ended, or a change that left the watch as it was, schedules nothing.
 */
export const scheduledCheck = (
  { before, after }: LedgerChange,
  now: Date,
): { check: ScheduledCheck; delaySeconds: number } | undefined => {
  const watch = after?.watch;
  if (!after || watch?.state !== 'WATCHING') return undefined;
  if (before?.watch?.state === 'WATCHING' && before.watch.checks === watch.checks) return undefined;
  return {
    check: { operation: after.operation, clientToken: after.clientToken, checks: watch.checks },
    delaySeconds: secondsUntilNextCheck(watch, now),
  };
};

export interface OutboxRelay {
  /** Publishes what the change committed, in order, then schedules the check it calls for. */
  relay(change: LedgerChange): Promise<void>;
}

export interface OutboxRelayDependencies {
  publisher: OutcomePublisher;
  /** Where the checks of watched resources are scheduled. */
  checks: CheckScheduler;
  /** CloudEvents `source` of published outcomes. */
  source: string;
  /** How long after its commit each outcome left (`OutcomePublishLag`). */
  metrics: ServiceMetrics;
  now?: () => Date;
}

/**
 * Milliseconds from the outcome's commit (its `time`, written with it) to its publication; none
 * for a time that does not read as one. Clocks of two functions may disagree by a little: never
 * below zero.
 */
const publishLagMs = (outcome: LedgerOutcome, publishedAt: Date): number | undefined => {
  const committedAt = Date.parse(outcome.time);
  return Number.isNaN(committedAt) ? undefined : Math.max(0, publishedAt.getTime() - committedAt);
};

/**
 * The outbox: outcomes leave only once committed, and leave again (with the same id) if the
 * stream delivers the change again, so subscribers can drop the copy. Checks of a watch are
 * scheduled the same way: a copy finds the watch moved on and does nothing.
 */
export const createOutboxRelay = ({
  publisher,
  checks,
  source,
  metrics,
  now = () => new Date(),
}: OutboxRelayDependencies): OutboxRelay => ({
  async relay(change) {
    const { after } = change;
    if (!after) return;
    for (const outcome of committedOutcomes(change)) {
      await publisher.publish(outcomeEventOf(after, outcome, source));
      const lagMs = publishLagMs(outcome, now());
      if (lagMs !== undefined) metrics.add('OutcomePublishLag', lagMs, {});
    }
    const next = scheduledCheck(change, now());
    if (next) await checks.schedule(next.check, next.delaySeconds);
  },
});
