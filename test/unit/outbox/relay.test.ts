import { describe, expect, it } from 'vitest';
import type { LedgerOutcome, LedgerRecord } from '../../../src/ledger/record.js';
import { committedOutcomes, createOutboxRelay, outcomeEventOf } from '../../../src/outbox/relay.js';
import { OUTCOME_EVENT_TYPE, type ServiceEvent } from '../../../src/outcomes/outcome.js';
import type { OutcomePublisher } from '../../../src/outcomes/publisher.js';

/** The changes here begin no watch: a check scheduled is a failure. */
const NO_WATCH = {
  schedule: async () => {
    throw new Error('no change here schedules a check');
  },
};

const SOURCE = 'image-provisioner.dev';

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
    const relay = createOutboxRelay({ publisher, checks: NO_WATCH, source: SOURCE });
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
    const relay = createOutboxRelay({ publisher, checks: NO_WATCH, source: SOURCE });

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

  it('publishes again, with the same ids, a change delivered again', async () => {
    // Prepare
    const { publisher, attempts } = recordingPublisher(() => undefined);
    const relay = createOutboxRelay({ publisher, checks: NO_WATCH, source: SOURCE });
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
    const relay = createOutboxRelay({ publisher, checks: NO_WATCH, source: SOURCE });

    // Act
    await relay.relay(change);

    // Assess
    expect(attempts).toEqual([]);
  });
});
