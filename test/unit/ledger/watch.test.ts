import { describe, expect, it } from 'vitest';
import {
  continueWatch,
  DEFAULT_WATCH_TIMING,
  endWatch,
  type LedgerWatch,
  MAX_CHECK_DELAY_SECONDS,
  pastDeadline,
  secondsUntilNextCheck,
  startWatch,
  type WatchTiming,
} from '../../../src/ledger/watch.js';

const T0 = new Date('2026-11-21T10:00:00.000Z');
const TARGET = {
  name: 'finance-apps-builder',
  arn: 'arn:aws:appstream:us-east-1:123456789012:image-builder/finance-apps-builder',
};

/** `seconds` after T0. */
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const iso = (seconds: number) => at(seconds).toISOString();

/** The watch after `count` checks that found the builder pending, each made when it was due. */
const afterChecks = (timing: WatchTiming, count: number): LedgerWatch => {
  let watch = startWatch(TARGET, timing, T0);
  for (let check = 0; check < count; check++) {
    const due = new Date(watch.nextCheckAt ?? T0.toISOString());
    watch = continueWatch(watch, timing, { state: 'PENDING', at: due }, due);
  }
  return watch;
};

/** Seconds from one check to the next it schedules. */
const waitAfter = (watch: LedgerWatch, now: Date) =>
  (Date.parse(watch.nextCheckAt ?? '') - now.getTime()) / 1000;

describe('startWatch', () => {
  it('begins WATCHING the target, no check made, the deadline and the first check counted from now', () => {
    // Act
    const watch = startWatch(TARGET, DEFAULT_WATCH_TIMING, T0);

    // Assess
    expect(watch).toStrictEqual({
      name: TARGET.name,
      arn: TARGET.arn,
      state: 'WATCHING',
      startedAt: T0.toISOString(),
      deadline: iso(3_600),
      checks: 0,
      nextCheckAt: iso(60),
    });
  });

  it('follows a target known by name only', () => {
    // Act
    const watch = startWatch({ name: 'b1' }, DEFAULT_WATCH_TIMING, T0);

    // Assess
    expect(watch.name).toBe('b1');
    expect(watch).not.toHaveProperty('arn');
  });

  it('schedules the first check no later than the deadline', () => {
    // Act
    const watch = startWatch(
      TARGET,
      { timeoutSeconds: 30, firstCheckSeconds: 60, maxCheckSeconds: 300 },
      T0,
    );

    // Assess
    expect(watch.deadline).toBe(iso(30));
    expect(watch.nextCheckAt).toBe(iso(30));
  });

  it('caps the first check at maxCheckSeconds', () => {
    // Act
    const watch = startWatch(
      TARGET,
      { timeoutSeconds: 3_600, firstCheckSeconds: 600, maxCheckSeconds: 120 },
      T0,
    );

    // Assess
    expect(watch.nextCheckAt).toBe(iso(120));
  });
});

describe('continueWatch', () => {
  it('counts the check, keeps what the builder was seen as, and waits twice as long as before', () => {
    // Prepare
    const watch = startWatch(TARGET, DEFAULT_WATCH_TIMING, T0);

    // Act
    const next = continueWatch(
      watch,
      DEFAULT_WATCH_TIMING,
      { state: 'PENDING', at: at(61) },
      at(62),
    );

    // Assess
    expect(next).toStrictEqual({
      ...watch,
      checks: 1,
      nextCheckAt: iso(62 + 120),
      lastSeenState: 'PENDING',
      lastSeenAt: iso(61),
    });
  });

  it('doubles the wait after each check up to maxCheckSeconds, then stays there', () => {
    // Prepare
    const waits: number[] = [];
    let watch = startWatch(TARGET, DEFAULT_WATCH_TIMING, T0);
    let now = T0;

    // Act
    for (let check = 0; check < 7; check++) {
      waits.push(waitAfter(watch, now));
      now = new Date(watch.nextCheckAt ?? '');
      watch = continueWatch(watch, DEFAULT_WATCH_TIMING, undefined, now);
    }

    // Assess
    expect(waits).toEqual([60, 120, 240, 300, 300, 300, 300]);
    expect(watch.checks).toBe(7);
  });

  it('never waits longer than SQS can delay a message, whatever maxCheckSeconds says', () => {
    // Prepare
    const timing = { timeoutSeconds: 86_400, firstCheckSeconds: 600, maxCheckSeconds: 5_000 };
    const watch = startWatch(TARGET, timing, T0);

    // Act
    const next = continueWatch(watch, timing, undefined, at(600));

    // Assess
    expect(waitAfter(next, at(600))).toBe(MAX_CHECK_DELAY_SECONDS);
  });

  it('stays at the cap after so many checks that the doubled wait overflows', () => {
    // Prepare
    const timing = { ...DEFAULT_WATCH_TIMING, timeoutSeconds: 10_000_000 };
    const watch = afterChecks(timing, 1_100);
    const now = new Date(watch.nextCheckAt ?? '');

    // Act
    const next = continueWatch(watch, timing, undefined, now);

    // Assess
    expect(next.checks).toBe(1_101);
    expect(waitAfter(next, now)).toBe(300);
  });

  it('schedules the next check at the deadline when the doubled wait would pass it', () => {
    // Prepare: 3 500 s in, the next wait (300 s) would end 200 s past the deadline.
    const watch = afterChecks(DEFAULT_WATCH_TIMING, 4);

    // Act
    const next = continueWatch(watch, DEFAULT_WATCH_TIMING, undefined, at(3_500));

    // Assess
    expect(next.nextCheckAt).toBe(iso(3_600));
    expect(next.deadline).toBe(iso(3_600));
  });

  it('keeps the last sighting when this check could not read the builder', () => {
    // Prepare
    const seen = continueWatch(
      startWatch(TARGET, DEFAULT_WATCH_TIMING, T0),
      DEFAULT_WATCH_TIMING,
      { state: 'PENDING', at: at(60) },
      at(60),
    );

    // Act
    const next = continueWatch(seen, DEFAULT_WATCH_TIMING, undefined, at(180));

    // Assess
    expect(next).toMatchObject({
      checks: 2,
      lastSeenState: 'PENDING',
      lastSeenAt: iso(60),
      nextCheckAt: iso(180 + 240),
    });
  });

  it('leaves the watch it was given as it was', () => {
    // Prepare
    const watch = startWatch(TARGET, DEFAULT_WATCH_TIMING, T0);
    const copy = structuredClone(watch);

    // Act
    continueWatch(watch, DEFAULT_WATCH_TIMING, { state: 'PENDING', at: at(60) }, at(60));

    // Assess
    expect(watch).toStrictEqual(copy);
  });
});

describe('endWatch', () => {
  it('ends READY: counts the check, records the sighting, when it became ready and ended, and schedules nothing', () => {
    // Prepare
    const watch = afterChecks(DEFAULT_WATCH_TIMING, 2);

    // Act
    const ended = endWatch(watch, 'READY', { state: 'RUNNING', at: at(420) }, at(421));

    // Assess
    const { nextCheckAt: _next, ...rest } = watch;
    expect(ended).toStrictEqual({
      ...rest,
      state: 'READY',
      checks: 3,
      lastSeenState: 'RUNNING',
      lastSeenAt: iso(420),
      readyAt: iso(421),
      endedAt: iso(421),
    });
  });

  it('ends FAILED with the sighting and without readyAt', () => {
    // Prepare
    const watch = startWatch(TARGET, DEFAULT_WATCH_TIMING, T0);

    // Act
    const ended = endWatch(watch, 'FAILED', { state: 'FAILED', at: at(60) }, at(60));

    // Assess
    expect(ended).toMatchObject({
      state: 'FAILED',
      checks: 1,
      lastSeenState: 'FAILED',
      endedAt: iso(60),
    });
    expect(ended).not.toHaveProperty('readyAt');
    expect(ended).not.toHaveProperty('nextCheckAt');
  });

  it('ends TIMED_OUT without a sighting, keeping the last one', () => {
    // Prepare
    const watch = afterChecks(DEFAULT_WATCH_TIMING, 3);

    // Act
    const ended = endWatch(watch, 'TIMED_OUT', undefined, at(3_600));

    // Assess
    expect(ended).toMatchObject({
      state: 'TIMED_OUT',
      checks: 4,
      lastSeenState: 'PENDING',
      lastSeenAt: watch.lastSeenAt,
      endedAt: iso(3_600),
    });
    expect(ended).not.toHaveProperty('readyAt');
    expect(ended).not.toHaveProperty('nextCheckAt');
  });
});

describe('pastDeadline', () => {
  const watch = startWatch(TARGET, DEFAULT_WATCH_TIMING, T0);

  it.each([
    ['a second before the deadline', 3_599, false],
    ['a millisecond before the deadline', 3_599.999, false],
    ['at the deadline', 3_600, true],
    ['after the deadline', 7_200, true],
    ['at the start', 0, false],
  ])('answers %s: %s', (_, seconds, expected) => {
    // Act
    const past = pastDeadline(watch, at(seconds));

    // Assess
    expect(past).toBe(expected);
  });
});

describe('secondsUntilNextCheck', () => {
  const due = (nextCheckAt: string | undefined): LedgerWatch => {
    const { nextCheckAt: _next, ...watch } = startWatch(TARGET, DEFAULT_WATCH_TIMING, T0);
    return nextCheckAt === undefined ? watch : { ...watch, nextCheckAt };
  };

  it.each([
    ['the whole seconds until it is due', iso(60), 0, 60],
    ['a part of a second as a whole one, never early', iso(60), 0.25, 60],
    ['due now', iso(60), 60, 0],
    ['due in the past', iso(60), 120, 0],
    ['more than SQS can delay', iso(3_600), 0, MAX_CHECK_DELAY_SECONDS],
    ['no check due', undefined, 0, 0],
  ])('answers %s', (_, nextCheckAt, nowSeconds, expected) => {
    // Act
    const seconds = secondsUntilNextCheck(due(nextCheckAt), at(nowSeconds));

    // Assess
    expect(seconds).toBe(expected);
  });
});
