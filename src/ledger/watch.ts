/**
 * The follow-through of a request whose resource is not usable when AWS answers (an AppStream
 * image builder starts `PENDING`): the service checks on it until it is usable, cannot become
 * so, or the wait's deadline passes. The watch lives in the request's ledger record; each check
 * is a delayed message the outbox schedules from what the ledger committed.
 */

/** Where a watch stands: checking still, or ended one of three ways. */
export type WatchState = 'WATCHING' | 'READY' | 'FAILED' | 'TIMED_OUT';

/** What is followed: the name AWS describes the resource by, and its ARN when known. */
export interface WatchTarget {
  name: string;
  arn?: string;
}

export interface LedgerWatch extends WatchTarget {
  state: WatchState;
  startedAt: string;
  /** When the wait ends without the resource usable (`TIMED_OUT`). */
  deadline: string;
  /** Checks made so far: a scheduled check carries the count it expects, so copies fall away. */
  checks: number;
  /** When the next check is due (while `WATCHING`). */
  nextCheckAt?: string;
  /** The resource's state at the last check that could read it, and when that was. */
  lastSeenState?: string;
  lastSeenAt?: string;
  /** When the resource was first seen usable. */
  readyAt?: string;
  /** When the watch ended. */
  endedAt?: string;
}

/** How long a watch lasts and how often it checks (stage settings). */
export interface WatchTiming {
  /** The wait's deadline, from the moment AWS accepted the request. */
  timeoutSeconds: number;
  /** The first check comes this long after the request; each later one waits twice as long… */
  firstCheckSeconds: number;
  /** …up to this. SQS delays a message 900 s at most. */
  maxCheckSeconds: number;
}

export const DEFAULT_WATCH_TIMING: WatchTiming = {
  timeoutSeconds: 3_600,
  firstCheckSeconds: 60,
  maxCheckSeconds: 300,
};

/** SQS's largest `DelaySeconds`. */
export const MAX_CHECK_DELAY_SECONDS = 900;

const at = (epochMs: number) => new Date(epochMs).toISOString();

/** The next check: twice the last wait, within the bound, never past the deadline. */
const nextCheckAt = (timing: WatchTiming, checks: number, deadline: number, now: number) => {
  const seconds = Math.min(
    timing.maxCheckSeconds,
    MAX_CHECK_DELAY_SECONDS,
    timing.firstCheckSeconds * 2 ** checks,
  );
  return at(Math.min(now + seconds * 1000, deadline));
};

/** A watch that begins now. */
export const startWatch = (target: WatchTarget, timing: WatchTiming, now: Date): LedgerWatch => {
  const started = now.getTime();
  const deadline = started + timing.timeoutSeconds * 1000;
  return {
    ...target,
    state: 'WATCHING',
    startedAt: at(started),
    deadline: at(deadline),
    checks: 0,
    nextCheckAt: nextCheckAt(timing, 0, deadline, started),
  };
};

/** What one check saw: the resource's state, or nothing when it could not be read. */
export interface Sighting {
  state: string;
  at: Date;
}

/** The watch after one more check that found the resource not usable yet. */
export const continueWatch = (
  watch: LedgerWatch,
  timing: WatchTiming,
  sighting: Sighting | undefined,
  now: Date,
): LedgerWatch => ({
  ...watch,
  checks: watch.checks + 1,
  nextCheckAt: nextCheckAt(timing, watch.checks + 1, Date.parse(watch.deadline), now.getTime()),
  ...(sighting ? { lastSeenState: sighting.state, lastSeenAt: sighting.at.toISOString() } : {}),
});

/** The watch ended as `state`. */
export const endWatch = (
  watch: LedgerWatch,
  state: Exclude<WatchState, 'WATCHING'>,
  sighting: Sighting | undefined,
  now: Date,
): LedgerWatch => {
  const { nextCheckAt: _next, ...rest } = watch;
  return {
    ...rest,
    state,
    checks: watch.checks + 1,
    endedAt: now.toISOString(),
    ...(sighting ? { lastSeenState: sighting.state, lastSeenAt: sighting.at.toISOString() } : {}),
    ...(state === 'READY' ? { readyAt: now.toISOString() } : {}),
  };
};

/** Whether the wait is over. */
export const pastDeadline = (watch: LedgerWatch, now: Date): boolean =>
  now.getTime() >= Date.parse(watch.deadline);

/** Seconds until the watch's next check is due: a scheduled message's delay. */
export const secondsUntilNextCheck = (watch: LedgerWatch, now: Date): number => {
  const due = watch.nextCheckAt ? Date.parse(watch.nextCheckAt) : now.getTime();
  return Math.min(MAX_CHECK_DELAY_SECONDS, Math.max(0, Math.ceil((due - now.getTime()) / 1000)));
};
