import type { Channel } from '../basics/channel.js';
import type { ProvisioningErrorDetails } from '../basics/errors.js';
import type { Outcome } from '../outcomes/outcome.js';
import type { LedgerWatch } from './watch.js';

/** Where a request stands: being carried out, or ended one way or the other. */
export type RequestStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';

/** Who asked for what, and how: the part of a record every write repeats. */
export interface LedgerEntry {
  operation: string;
  clientToken: string;
  channel: Channel;
  correlationId?: string | undefined;
  requestedBy?: string | undefined;
}

/**
 * An outcome the request announces. It is committed with the request's state, and the outbox
 * publishes it from there: `id` is the CloudEvents id, the same for every copy.
 */
export interface LedgerOutcome {
  id: string;
  status: Outcome['status'];
  /** Who asked, and how, for this outcome: a refused request may differ from the record's own. */
  channel?: Channel;
  correlationId?: string;
  requestedBy?: string;
  /** When the outcome was committed (the event's `time`). */
  time: string;
  subject?: string | undefined;
  error?: Outcome['error'];
  /**
   * A follow-through event (e.g. `ImageBuilderReady`) rather than the request's own outcome, with
   * the resource as the check saw it.
   */
  event?: string;
  resource?: unknown;
}

/** One request in the ledger, as the status lookup and the outbox read it. */
export interface LedgerRecord extends LedgerEntry {
  status: RequestStatus;
  createdAt: string;
  updatedAt: string;
  /** The AWS response of a request that succeeded. */
  response?: unknown;
  /** What the caller was answered for a request that failed. */
  error?: ProvisioningErrorDetails;
  /** Every outcome announced, in order: the outbox publishes each once it is committed. */
  outcomes: LedgerOutcome[];
  /** The follow-through of the created resource, for an operation that has one. */
  watch?: LedgerWatch;
  /** Epoch seconds after which the record is gone (DynamoDB TTL). */
  expiresAt: number;
}

/** How a request ended, and the outcome it announces (none while the channel will retry). */
export type Settlement =
  | { status: 'SUCCEEDED'; response: unknown; outcome?: LedgerOutcome; watch?: LedgerWatch }
  | { status: 'FAILED'; error: ProvisioningErrorDetails; outcome?: LedgerOutcome };

/** The request ledger: the committed state of every request, and the outbox of its outcomes. */
export interface RequestLedger {
  /** Records that the request is being carried out (a settled success stays settled). */
  begin(entry: LedgerEntry): Promise<void>;
  /** Commits how the request ended; an outcome already committed is not added again. */
  settle(entry: LedgerEntry, settlement: Settlement): Promise<void>;
  /**
   * Commits the outcome of a request that was refused (invalid, or in conflict with its token):
   * a request under the same token that is under way or settled keeps its state.
   */
  refuse(
    entry: LedgerEntry,
    refusal: { error: ProvisioningErrorDetails; outcome: LedgerOutcome },
  ): Promise<void>;
  /**
   * Moves the request's watch on from the check numbered `checks`, with the event it ends with,
   * if any; false when that check was already made (the watch moved on or ended).
   */
  advanceWatch(
    entry: Pick<LedgerEntry, 'operation' | 'clientToken'>,
    checks: number,
    watch: LedgerWatch,
    outcome?: LedgerOutcome,
  ): Promise<boolean>;
  /** The request's record, unless unknown or past its retention. */
  find(operation: string, clientToken: string): Promise<LedgerRecord | undefined>;
}
