import type { LedgerOutcome, LedgerRecord } from '../ledger/record.js';
import { type Outcome, type OutcomeEvent, toOutcomeEvent } from '../outcomes/outcome.js';
import type { OutcomePublisher } from '../outcomes/publisher.js';

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

/** The outcome event of one committed outcome, from the record as it was committed. */
export const outcomeEventOf = (
  record: LedgerRecord,
  outcome: LedgerOutcome,
  source: string,
): OutcomeEvent => {
  // Who asked comes with the outcome: a refused request may differ from the record's own.
  const asker = outcome.channel ? outcome : record;
  const data: Outcome = {
    operation: record.operation,
    clientToken: record.clientToken,
    ...(asker.correlationId ? { correlationId: asker.correlationId } : {}),
    channel: asker.channel ?? record.channel,
    ...(asker.requestedBy ? { requestedBy: asker.requestedBy } : {}),
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

export interface OutboxRelay {
  /** Publishes what the change committed, in order. */
  relay(change: LedgerChange): Promise<void>;
}

export interface OutboxRelayDependencies {
  publisher: OutcomePublisher;
  /** CloudEvents `source` of published outcomes. */
  source: string;
}

/**
 * The outbox: outcomes leave only once committed, and leave again (with the same id) if the
 * stream delivers the change again, so subscribers can drop the copy.
 */
export const createOutboxRelay = ({ publisher, source }: OutboxRelayDependencies): OutboxRelay => ({
  async relay(change) {
    const { after } = change;
    const outcomes = committedOutcomes(change);
    if (!after || outcomes.length === 0) return;
    for (const outcome of outcomes) await publisher.publish(outcomeEventOf(after, outcome, source));
  },
});
