import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { LedgerOutcome, LedgerRecord } from '../../../src/ledger/record.js';
import {
  continueWatch,
  DEFAULT_WATCH_TIMING,
  endWatch,
  type LedgerWatch,
  startWatch,
} from '../../../src/ledger/watch.js';
import type { CheckScheduler, ScheduledCheck } from '../../../src/outbox/checks.js';
import {
  committedOutcomes,
  createOutboxRelay,
  type OutboxRelayDependencies,
  outcomeEventOf,
  scheduledCheck,
} from '../../../src/outbox/relay.js';
import { createSqsCheckScheduler } from '../../../src/outbox/sqsCheckScheduler.js';
import {
  isReadinessEvent,
  OUTCOME_EVENT_TYPE,
  type ReadinessEvent,
  readinessEventId,
  readinessEventType,
  type ServiceEvent,
} from '../../../src/outcomes/outcome.js';
import type { OutcomePublisher } from '../../../src/outcomes/publisher.js';
import { recordingMetrics } from '../../support/metrics.js';

/** The changes here begin no watch: a check scheduled is a failure. */
const NO_WATCH = {
  schedule: async () => {
    throw new Error('no change here schedules a check');
  },
};

const SOURCE = 'image-provisioner.dev';

/** The relay under test, publishing from SOURCE, its metrics kept in memory unless given. */
const relayOf = ({
  publisher,
  checks = NO_WATCH,
  metrics = recordingMetrics(),
  now,
}: Pick<OutboxRelayDependencies, 'publisher'> & Partial<OutboxRelayDependencies>) =>
  createOutboxRelay({ publisher, checks, source: SOURCE, metrics, ...(now ? { now } : {}) });

const failed: LedgerOutcome = {
  id: 'aaaaaaaa-0000-4000-8000-000000000001',
  status: 'FAILED',
  time: '2026-11-21T10:00:01.000Z',
  subject: 'design-team-builder',
  error: { code: 'RequestLimitExceededException', message: 'slow down', retryable: true },
};

const succeeded: LedgerOutcome = {
  id: 'aaaaaaaa-0000-4000-8000-000000000002',
  status: 'SUCCEEDED',
  time: '2026-11-21T10:05:00.000Z',
  subject: 'arn:aws:appstream:us-east-1:123456789012:image-builder/design-team-builder',
};

const RESPONSE = { ImageBuilder: { Name: 'design-team-builder', State: 'PENDING' } };

const recordWith = (
  outcomes: LedgerOutcome[],
  overrides: Partial<LedgerRecord> = {},
): LedgerRecord => ({
  operation: 'CreateImageBuilder',
  clientToken: 'portal-req-0002',
  channel: 'sqs',
  correlationId: 'portal-ticket-4712',
  requestedBy: 'AIDAEXAMPLE',
  status: 'SUCCEEDED',
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T10:05:00.000Z',
  response: RESPONSE,
  outcomes,
  expiresAt: 1_795_000_000,
  ...overrides,
});

describe('committedOutcomes', () => {
  it('answers the outcomes in the record after the change and not before it, in their order', () => {
    // Prepare
    const third: LedgerOutcome = { ...succeeded, id: 'aaaaaaaa-0000-4000-8000-000000000003' };
    const before = recordWith([failed]);
    const after = recordWith([failed, succeeded, third]);

    // Act
    const outcomes = committedOutcomes({ before, after });

    // Assess
    expect(outcomes).toStrictEqual([succeeded, third]);
  });

  it('answers every outcome of a record the change created', () => {
    // Act
    const outcomes = committedOutcomes({
      before: undefined,
      after: recordWith([failed, succeeded]),
    });

    // Assess
    expect(outcomes).toStrictEqual([failed, succeeded]);
  });

  it.each([
    ['a record removed (TTL)', { before: recordWith([failed]), after: undefined }],
    ['a change with no image at all', { before: undefined, after: undefined }],
    [
      'a change that commits no outcome (a begin)',
      {
        before: recordWith([failed], { status: 'FAILED' }),
        after: recordWith([failed], { status: 'IN_PROGRESS' }),
      },
    ],
    ['a record created without an outcome', { before: undefined, after: recordWith([]) }],
  ])('answers none for %s', (_, change) => {
    // Act
    const outcomes = committedOutcomes(change);

    // Assess
    expect(outcomes).toEqual([]);
  });

  it('tells outcomes apart by id, not by position or content', () => {
    // Prepare
    const retimed = { ...failed, time: '2026-11-21T11:00:00.000Z' };

    // Act
    const outcomes = committedOutcomes({
      before: recordWith([succeeded, failed]),
      after: recordWith([retimed]),
    });

    // Assess
    expect(outcomes).toEqual([]);
  });
});

describe('outcomeEventOf', () => {
  it('makes a success the CloudEvents event of its commit: its id, its time, the subject and the response', () => {
    // Prepare
    const record = recordWith([failed, succeeded]);

    // Act
    const event = outcomeEventOf(record, succeeded, SOURCE);

    // Assess
    expect(event).toStrictEqual({
      specversion: '1.0',
      id: succeeded.id,
      source: SOURCE,
      type: OUTCOME_EVENT_TYPE,
      subject: succeeded.subject,
      time: succeeded.time,
      datacontenttype: 'application/json',
      data: {
        operation: 'CreateImageBuilder',
        clientToken: 'portal-req-0002',
        correlationId: 'portal-ticket-4712',
        channel: 'sqs',
        requestedBy: 'AIDAEXAMPLE',
        status: 'SUCCEEDED',
        response: RESPONSE,
      },
    });
  });

  it('makes a failure an event with its error and no response, even once the record holds one', () => {
    // Prepare
    const record = recordWith([failed, succeeded]);

    // Act
    const event = outcomeEventOf(record, failed, SOURCE);

    // Assess
    expect(event).toMatchObject({ id: failed.id, time: failed.time, subject: failed.subject });
    expect(event.data).toStrictEqual({
      operation: 'CreateImageBuilder',
      clientToken: 'portal-req-0002',
      correlationId: 'portal-ticket-4712',
      channel: 'sqs',
      requestedBy: 'AIDAEXAMPLE',
      status: 'FAILED',
      error: failed.error,
    });
  });

  it('leaves out the subject, correlationId and requestedBy the request does not have', () => {
    // Prepare
    const { subject: _subject, ...bare } = failed;
    const record = recordWith([bare], {
      channel: 'http',
      correlationId: undefined,
      requestedBy: undefined,
      status: 'FAILED',
      response: undefined,
    });

    // Act
    const event = outcomeEventOf(record, bare, SOURCE);

    // Assess
    expect(event).not.toHaveProperty('subject');
    expect(event.data).toStrictEqual({
      operation: 'CreateImageBuilder',
      clientToken: 'portal-req-0002',
      channel: 'http',
      status: 'FAILED',
      error: failed.error,
    });
  });
});

/** A publisher that keeps the events it was given, and rejects the publishes the test says. */
const recordingPublisher = (failing: (event: ServiceEvent, call: number) => Error | undefined) => {
  const attempts: ServiceEvent[] = [];
  const publisher: OutcomePublisher = {
    async publish(event) {
      attempts.push(event);
      const error = failing(event, attempts.length);
      if (error) throw error;
    },
  };
  return { publisher, attempts };
};

describe('createOutboxRelay', () => {
  it('publishes each outcome the change committed, in order, as its event', async () => {
    // Prepare
    const { publisher, attempts } = recordingPublisher(() => undefined);
    const relay = relayOf({ publisher });
    const after = recordWith([failed, succeeded]);

    // Act
    await relay.relay({
      before: recordWith([], { status: 'IN_PROGRESS', response: undefined }),
      after,
    });

    // Assess
    expect(attempts).toStrictEqual([
      outcomeEventOf(after, failed, SOURCE),
      outcomeEventOf(after, succeeded, SOURCE),
    ]);
    expect(attempts.map(({ id }) => id)).toEqual([failed.id, succeeded.id]);
    expect(attempts.map(({ source }) => source)).toEqual([SOURCE, SOURCE]);
  });

  it('stops at a publish that fails and rejects with its error: nothing after it is published', async () => {
    // Prepare
    const snsDown = new Error('SNS unavailable');
    const { publisher, attempts } = recordingPublisher((_, call) =>
      call === 1 ? snsDown : undefined,
    );
    const relay = relayOf({ publisher });

    // Act
    const thrown = await relay
      .relay({ before: undefined, after: recordWith([failed, succeeded]) })
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    // Assess
    expect(thrown).toBe(snsDown);
    expect(attempts.map(({ id }) => id)).toEqual([failed.id]);
  });

  it('records how long after its commit each published outcome left, never below zero, and none for an outcome not published', async () => {
    // Prepare
    const snsDown = new Error('SNS unavailable');
    const { publisher } = recordingPublisher((_, call) => (call === 4 ? snsDown : undefined));
    const metrics = recordingMetrics();
    // Committed by a function whose clock runs a little ahead of the outbox's.
    const early: LedgerOutcome = {
      ...succeeded,
      id: 'aaaaaaaa-0000-4000-8000-000000000003',
      time: '2026-11-21T10:05:00.500Z',
    };
    const unpublished: LedgerOutcome = { ...succeeded, id: 'aaaaaaaa-0000-4000-8000-000000000004' };
    const relay = relayOf({ publisher, metrics, now: () => new Date('2026-11-21T10:05:00.250Z') });

    // Act
    await relay
      .relay({ before: undefined, after: recordWith([failed, succeeded, early, unpublished]) })
      .catch(() => undefined);

    // Assess
    expect(metrics.recorded).toEqual([
      { name: 'OutcomePublishLag', value: 299_250, dimensions: {} },
      { name: 'OutcomePublishLag', value: 250, dimensions: {} },
      { name: 'OutcomePublishLag', value: 0, dimensions: {} },
    ]);
  });

  it('publishes again, with the same ids, a change delivered again', async () => {
    // Prepare
    const { publisher, attempts } = recordingPublisher(() => undefined);
    const relay = relayOf({ publisher });
    const change = { before: recordWith([failed]), after: recordWith([failed, succeeded]) };

    // Act
    await relay.relay(change);
    await relay.relay(change);

    // Assess
    expect(attempts.map(({ id }) => id)).toEqual([succeeded.id, succeeded.id]);
  });

  it.each([
    [
      'a change that commits no outcome',
      { before: recordWith([failed]), after: recordWith([failed]) },
    ],
    ['a removed record', { before: recordWith([failed]), after: undefined }],
  ])('publishes nothing for %s', async (_, change) => {
    // Prepare
    const { publisher, attempts } = recordingPublisher(() => undefined);
    const relay = relayOf({ publisher });

    // Act
    await relay.relay(change);

    // Assess
    expect(attempts).toEqual([]);
  });
});

/** A watch on the builder of `recordWith`, begun at 10:05 with the default timing. */
const watching = (checks = 0, more: Partial<LedgerWatch> = {}): LedgerWatch => ({
  ...startWatch(
    { name: 'design-team-builder', arn: succeeded.subject ?? '' },
    DEFAULT_WATCH_TIMING,
    new Date('2026-11-21T10:05:00.000Z'),
  ),
  checks,
  ...more,
});

const ended = (state: 'READY' | 'FAILED' | 'TIMED_OUT', checks: number): LedgerWatch =>
  endWatch(watching(checks), state, undefined, new Date('2026-11-21T10:09:00.000Z'));

const ready: LedgerOutcome = {
  id: readinessEventId('CreateImageBuilder', 'portal-req-0002', 'ImageBuilderReady'),
  status: 'SUCCEEDED',
  time: '2026-11-21T10:09:00.000Z',
  subject: succeeded.subject,
  event: 'ImageBuilderReady',
  resource: { Name: 'design-team-builder', Arn: succeeded.subject, State: 'RUNNING' },
};

/** Where the relay scheduled its checks, failing when the test says. */
const recordingScheduler = (failure?: Error) => {
  const scheduled: Array<{ check: ScheduledCheck; delaySeconds: number }> = [];
  const checks: CheckScheduler = {
    async schedule(check, delaySeconds) {
      scheduled.push({ check, delaySeconds });
      if (failure) throw failure;
    },
  };
  return { checks, scheduled };
};

const AT_SETTLE = new Date('2026-11-21T10:05:00.000Z');

describe('scheduledCheck', () => {
  it('schedules check 0 of a watch the change began, when its first check is due', () => {
    // Prepare
    const change = {
      before: recordWith([], { status: 'IN_PROGRESS', response: undefined }),
      after: recordWith([succeeded], { watch: watching() }),
    };

    // Act
    const next = scheduledCheck(change, new Date('2026-11-21T10:05:02.000Z'));

    // Assess
    expect(next).toStrictEqual({
      check: { operation: 'CreateImageBuilder', clientToken: 'portal-req-0002', checks: 0 },
      delaySeconds: 58,
    });
  });

  it('schedules check 0 of a watch on a record the change created', () => {
    // Act
    const next = scheduledCheck(
      { before: undefined, after: recordWith([succeeded], { watch: watching() }) },
      AT_SETTLE,
    );

    // Assess
    expect(next).toStrictEqual({
      check: { operation: 'CreateImageBuilder', clientToken: 'portal-req-0002', checks: 0 },
      delaySeconds: 60,
    });
  });

  it('schedules the next check of a watch the change moved on, with the delay until it is due', () => {
    // Prepare
    const movedAt = new Date('2026-11-21T10:06:00.000Z');
    const moved = continueWatch(watching(0), DEFAULT_WATCH_TIMING, undefined, movedAt);
    const change = {
      before: recordWith([succeeded], { watch: watching(0) }),
      after: recordWith([succeeded], { watch: moved }),
    };

    // Act
    const next = scheduledCheck(change, new Date('2026-11-21T10:06:01.000Z'));

    // Assess
    expect(next).toStrictEqual({
      check: { operation: 'CreateImageBuilder', clientToken: 'portal-req-0002', checks: 1 },
      delaySeconds: 119,
    });
  });

  it('schedules the next check at once when it is due already', () => {
    // Prepare
    const change = {
      before: recordWith([succeeded], { watch: watching(2) }),
      after: recordWith([succeeded], {
        watch: watching(3, { nextCheckAt: '2026-11-21T10:10:00.000Z' }),
      }),
    };

    // Act
    const next = scheduledCheck(change, new Date('2026-11-21T10:30:00.000Z'));

    // Assess
    expect(next).toMatchObject({ check: { checks: 3 }, delaySeconds: 0 });
  });

  it.each([
    [
      'a change that leaves the watch where it was (a success written again)',
      {
        before: recordWith([succeeded], { watch: watching(2) }),
        after: recordWith([succeeded], { watch: watching(2), updatedAt: '2026-11-21T10:07:00Z' }),
      },
    ],
    [
      'a change that ends the watch READY',
      {
        before: recordWith([succeeded], { watch: watching(2) }),
        after: recordWith([succeeded, ready], { watch: ended('READY', 2) }),
      },
    ],
    [
      'a change that ends the watch FAILED',
      {
        before: recordWith([succeeded], { watch: watching(0) }),
        after: recordWith([succeeded], { watch: ended('FAILED', 0) }),
      },
    ],
    [
      'a change that ends the watch TIMED_OUT',
      {
        before: recordWith([succeeded], { watch: watching(7) }),
        after: recordWith([succeeded], { watch: ended('TIMED_OUT', 7) }),
      },
    ],
    [
      'a change to a record whose watch ended before',
      {
        before: recordWith([succeeded, ready], { watch: ended('READY', 2) }),
        after: recordWith([succeeded, ready], {
          watch: ended('READY', 2),
          updatedAt: '2026-11-21T11:00:00Z',
        }),
      },
    ],
    ['a change without a watch', { before: undefined, after: recordWith([succeeded]) }],
    [
      'a record removed (TTL)',
      { before: recordWith([succeeded], { watch: watching(1) }), after: undefined },
    ],
  ])('schedules nothing for %s', (_, change) => {
    // Act
    const next = scheduledCheck(change, AT_SETTLE);

    // Assess
    expect(next).toBeUndefined();
  });
});

describe('outcomeEventOf: readiness events', () => {
  it('builds a ReadinessEvent: its type from the event, its id and time, the builder as the subject, who asked and the resource', () => {
    // Prepare
    const record = recordWith([succeeded, ready], { watch: ended('READY', 2) });

    // Act
    const event = outcomeEventOf(record, ready, SOURCE);

    // Assess
    const expected: ReadinessEvent = {
      specversion: '1.0',
      id: ready.id,
      source: SOURCE,
      type: 'image-provisioner.readiness.ImageBuilderReady.v1',
      subject: succeeded.subject,
      time: '2026-11-21T10:09:00.000Z',
      datacontenttype: 'application/json',
      data: {
        operation: 'CreateImageBuilder',
        clientToken: 'portal-req-0002',
        correlationId: 'portal-ticket-4712',
        channel: 'sqs',
        requestedBy: 'AIDAEXAMPLE',
        event: 'ImageBuilderReady',
        resource: { Name: 'design-team-builder', Arn: succeeded.subject, State: 'RUNNING' },
      },
    };
    expect(event).toStrictEqual(expected);
    expect(event.type).toBe(readinessEventType('ImageBuilderReady'));
    expect(isReadinessEvent(event)).toBe(true);
    expect(event.data).not.toHaveProperty('status');
    expect(event.data).not.toHaveProperty('response');
  });

  it.each(['ImageBuilderFailed', 'ImageBuilderWaitTimedOut'])(
    'builds %s as a ReadinessEvent of its own type',
    (name) => {
      // Prepare
      const outcome: LedgerOutcome = {
        ...ready,
        id: readinessEventId('CreateImageBuilder', 'portal-req-0002', name),
        status: 'FAILED',
        event: name,
        resource: { Name: 'design-team-builder', State: 'FAILED' },
      };

      // Act
      const event = outcomeEventOf(recordWith([succeeded, outcome]), outcome, SOURCE);

      // Assess
      expect(event).toMatchObject({
        id: outcome.id,
        type: `image-provisioner.readiness.${name}.v1`,
        data: { event: name, resource: { Name: 'design-team-builder', State: 'FAILED' } },
      });
      expect(isReadinessEvent(event)).toBe(true);
    },
  );

  it('carries a null resource and no subject when the outcome has neither', () => {
    // Prepare
    const { resource: _resource, subject: _subject, ...bare } = ready;

    // Act
    const event = outcomeEventOf(recordWith([succeeded, bare]), bare, SOURCE);

    // Assess
    expect(event).not.toHaveProperty('subject');
    expect(event.data).toMatchObject({ event: 'ImageBuilderReady', resource: null });
  });
});

describe('createOutboxRelay: checks of a watch', () => {
  it('schedules check 0, with the delay until it is due, for a change that begins a watch, after publishing its outcome', async () => {
    // Prepare
    const { publisher, attempts } = recordingPublisher(() => undefined);
    const { checks, scheduled } = recordingScheduler();
    const relay = relayOf({ publisher, checks, now: () => new Date('2026-11-21T10:05:01.000Z') });

    // Act
    await relay.relay({
      before: recordWith([], { status: 'IN_PROGRESS', response: undefined }),
      after: recordWith([succeeded], { watch: watching() }),
    });

    // Assess
    expect(attempts.map(({ id }) => id)).toEqual([succeeded.id]);
    expect(scheduled).toStrictEqual([
      {
        check: { operation: 'CreateImageBuilder', clientToken: 'portal-req-0002', checks: 0 },
        delaySeconds: 59,
      },
    ]);
  });

  it('schedules the next check for a change that moves the watch on, publishing nothing', async () => {
    // Prepare
    const { publisher, attempts } = recordingPublisher(() => undefined);
    const { checks, scheduled } = recordingScheduler();
    const movedAt = new Date('2026-11-21T10:06:00.000Z');
    const relay = relayOf({ publisher, checks, now: () => movedAt });

    // Act
    await relay.relay({
      before: recordWith([succeeded], { watch: watching(0) }),
      after: recordWith([succeeded], {
        watch: continueWatch(watching(0), DEFAULT_WATCH_TIMING, undefined, movedAt),
      }),
    });

    // Assess
    expect(attempts).toEqual([]);
    expect(scheduled).toStrictEqual([
      {
        check: { operation: 'CreateImageBuilder', clientToken: 'portal-req-0002', checks: 1 },
        delaySeconds: 120,
      },
    ]);
  });

  it('publishes the event a change that ends the watch commits, and schedules nothing', async () => {
    // Prepare
    const { publisher, attempts } = recordingPublisher(() => undefined);
    const relay = relayOf({ publisher });
    const after = recordWith([succeeded, ready], { watch: ended('READY', 2) });

    // Act
    await relay.relay({ before: recordWith([succeeded], { watch: watching(2) }), after });

    // Assess
    expect(attempts).toStrictEqual([outcomeEventOf(after, ready, SOURCE)]);
    expect(attempts[0]?.type).toBe('image-provisioner.readiness.ImageBuilderReady.v1');
  });

  it('schedules nothing for a change that leaves the watch where it was', async () => {
    // Prepare
    const { publisher } = recordingPublisher(() => undefined);
    const { checks, scheduled } = recordingScheduler();
    const relay = relayOf({ publisher, checks });

    // Act
    await relay.relay({
      before: recordWith([succeeded], { watch: watching(1) }),
      after: recordWith([succeeded], { watch: watching(1), updatedAt: '2026-11-21T10:08:00Z' }),
    });

    // Assess
    expect(scheduled).toEqual([]);
  });

  it('rejects with the scheduling error, so the stream delivers the change again', async () => {
    // Prepare
    const sqsDown = new Error('SQS unavailable');
    const { publisher } = recordingPublisher(() => undefined);
    const { checks, scheduled } = recordingScheduler(sqsDown);
    const relay = relayOf({ publisher, checks });

    // Act
    const thrown = await relay
      .relay({ before: undefined, after: recordWith([succeeded], { watch: watching() }) })
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    // Assess
    expect(thrown).toBe(sqsDown);
    expect(scheduled).toHaveLength(1);
  });

  it('schedules nothing when a publish fails first: the change comes again whole', async () => {
    // Prepare
    const snsDown = new Error('SNS unavailable');
    const { publisher } = recordingPublisher(() => snsDown);
    const { checks, scheduled } = recordingScheduler();
    const relay = relayOf({ publisher, checks });

    // Act
    const thrown = await relay
      .relay({ before: undefined, after: recordWith([succeeded], { watch: watching() }) })
      .then(
        () => undefined,
        (error: unknown) => error,
      );

    // Assess
    expect(thrown).toBe(snsDown);
    expect(scheduled).toEqual([]);
  });
});

describe('createSqsCheckScheduler', () => {
  const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/image-provisioner-dev-watch';
  const CHECK: ScheduledCheck = {
    operation: 'CreateImageBuilder',
    clientToken: 'portal-req-0002',
    checks: 1,
  };

  const setup = () => {
    const sqs = new SQSClient({ region: 'us-east-1' });
    const mock = mockClient(sqs);
    mock.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const scheduler = createSqsCheckScheduler({ sqs, queueUrl: QUEUE_URL });
    const sent = () => mock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    return { mock, scheduler, sent };
  };

  it('sends the check to the watch queue as its body, delayed', async () => {
    // Prepare
    const { scheduler, sent } = setup();

    // Act
    await scheduler.schedule(CHECK, 120);

    // Assess
    expect(sent()).toStrictEqual([
      { QueueUrl: QUEUE_URL, MessageBody: JSON.stringify(CHECK), DelaySeconds: 120 },
    ]);
    expect(JSON.parse(sent()[0]?.MessageBody ?? '')).toStrictEqual(CHECK);
  });

  it.each([
    [-5, 0],
    [0.4, 0],
    [59.6, 60],
    [900, 900],
    [3_600, 900],
  ])('delays %s seconds as %s: SQS takes whole seconds from 0 to 900', async (given, expected) => {
    // Prepare
    const { scheduler, sent } = setup();

    // Act
    await scheduler.schedule(CHECK, given);

    // Assess
    expect(sent()[0]?.DelaySeconds).toBe(expected);
  });

  it('rejects with what SQS answered', async () => {
    // Prepare
    const { mock, scheduler } = setup();
    const denied = Object.assign(new Error('denied'), { name: 'AccessDenied' });
    mock.on(SendMessageCommand).rejects(denied);

    // Act
    const thrown = await scheduler.schedule(CHECK, 60).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(thrown).toMatchObject({ name: 'AccessDenied' });
  });
});
