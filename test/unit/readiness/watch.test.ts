import {
  DescribeImageBuildersCommand,
  type ImageBuilder,
  type ImageBuilderState,
} from '@aws-sdk/client-appstream';
import { describe, expect, it, vi } from 'vitest';
import type { LedgerEntry } from '../../../src/ledger/record.js';
import { DEFAULT_WATCH_TIMING, startWatch } from '../../../src/ledger/watch.js';
import { readinessEventId } from '../../../src/outcomes/outcome.js';
import { createReadinessWatch } from '../../../src/readiness/watch.js';
import { awsServiceError } from '../../support/awsErrors.js';
import { imageBuilderArn } from '../../support/awsMocks.js';
import { fakeLedger, mockedAwsClients, silentLogger } from '../../support/provisioningFakes.js';

const T0 = new Date('2026-11-21T10:00:00.000Z');
const NAME = 'finance-apps-builder';
const ARN = imageBuilderArn(NAME);
const TOKEN = 'portal-req-0002';
const KEY = `CreateImageBuilder#${TOKEN}`;

const entry: LedgerEntry = {
  operation: 'CreateImageBuilder',
  clientToken: TOKEN,
  channel: 'sqs',
  correlationId: 'portal-ticket-4712',
  requestedBy: 'AIDAEXAMPLE',
};

/** The check the outbox schedules for the watch at `checks`. */
const checkAt = (checks: number) => ({
  operation: 'CreateImageBuilder',
  clientToken: TOKEN,
  checks,
});

const iso = (seconds: number) => new Date(T0.getTime() + seconds * 1000).toISOString();

const builder = (State: ImageBuilderState, more: Partial<ImageBuilder> = {}): ImageBuilder => ({
  Name: NAME,
  Arn: ARN,
  State,
  ...more,
});

/**
 * A CreateImageBuilder request that succeeded at T0 with its watch begun, the readiness watch on
 * the same ledger, AppStream mocked, and a clock the test moves.
 */
const setup = async ({ watched = true }: { watched?: boolean } = {}) => {
  let clock = T0;
  const ledger = fakeLedger({ now: () => clock });
  const { clients, aws } = mockedAwsClients();
  const logger = silentLogger();
  const warn = vi.spyOn(logger, 'warn');
  await ledger.begin(entry);
  await ledger.settle(entry, {
    status: 'SUCCEEDED',
    response: { ImageBuilder: builder('PENDING') },
    ...(watched ? { watch: startWatch({ name: NAME, arn: ARN }, DEFAULT_WATCH_TIMING, T0) } : {}),
  });
  const watch = createReadinessWatch({
    clients,
    ledger,
    timing: DEFAULT_WATCH_TIMING,
    logger,
    now: () => clock,
  });
  const describeAnswers = (...answers: (ImageBuilder | Error)[]) => {
    let behaviour = aws.appstream.on(DescribeImageBuildersCommand);
    for (const answer of answers) {
      behaviour =
        answer instanceof Error
          ? behaviour.rejectsOnce(answer)
          : behaviour.resolvesOnce({ ImageBuilders: [answer] });
    }
  };
  const describeCalls = () => aws.appstream.commandCalls(DescribeImageBuildersCommand).length;
  const at = (seconds: number) => {
    clock = new Date(T0.getTime() + seconds * 1000);
  };
  const record = () => ledger.records.get(KEY);
  return { ledger, watch, warn, describeAnswers, describeCalls, at, record };
};

describe('createReadinessWatch: a check that ends the watch', () => {
  it('ends READY on a RUNNING builder: ImageBuilderReady committed with the builder, readyAt recorded', async () => {
    // Prepare
    const { ledger, watch, describeAnswers, at, record } = await setup();
    describeAnswers(builder('RUNNING'));
    at(61);

    // Act
    const result = await watch.check(checkAt(0));

    // Assess
    expect(result).toStrictEqual({ status: 'advanced', state: 'READY' });
    expect(record()?.watch).toStrictEqual({
      name: NAME,
      arn: ARN,
      state: 'READY',
      startedAt: T0.toISOString(),
      deadline: iso(3_600),
      checks: 1,
      lastSeenState: 'RUNNING',
      lastSeenAt: iso(61),
      readyAt: iso(61),
      endedAt: iso(61),
    });
    expect(record()?.outcomes).toStrictEqual([
      {
        id: readinessEventId('CreateImageBuilder', TOKEN, 'ImageBuilderReady'),
        status: 'SUCCEEDED',
        time: iso(61),
        subject: ARN,
        event: 'ImageBuilderReady',
        resource: { Name: NAME, Arn: ARN, State: 'RUNNING' },
      },
    ]);
    expect(ledger.committed).toStrictEqual([
      {
        id: readinessEventId('CreateImageBuilder', TOKEN, 'ImageBuilderReady'),
        operation: 'CreateImageBuilder',
        clientToken: TOKEN,
        correlationId: 'portal-ticket-4712',
        channel: 'sqs',
        requestedBy: 'AIDAEXAMPLE',
        event: 'ImageBuilderReady',
        resource: { Name: NAME, Arn: ARN, State: 'RUNNING' },
        status: 'SUCCEEDED',
        subject: ARN,
        time: iso(61),
      },
    ]);
  });

  it('ends FAILED on a FAILED builder: ImageBuilderFailed committed with its errors and reason', async () => {
    // Prepare
    const { ledger, watch, describeAnswers, at, record } = await setup();
    describeAnswers(
      builder('FAILED', {
        StateChangeReason: { Code: 'INTERNAL_ERROR', Message: 'The builder could not start' },
        ImageBuilderErrors: [
          {
            ErrorCode: 'IAM_SERVICE_ROLE_MISSING_ENI_DESCRIBE_ACTION',
            ErrorMessage: 'The role cannot describe network interfaces',
            ErrorTimestamp: new Date('2026-11-21T10:00:50.000Z'),
          },
        ],
      }),
    );
    at(60);

    // Act
    const result = await watch.check(checkAt(0));

    // Assess
    expect(result).toStrictEqual({ status: 'advanced', state: 'FAILED' });
    expect(record()?.watch).toMatchObject({
      state: 'FAILED',
      checks: 1,
      lastSeenState: 'FAILED',
      endedAt: iso(60),
    });
    expect(record()?.watch).not.toHaveProperty('readyAt');
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]).toMatchObject({
      id: readinessEventId('CreateImageBuilder', TOKEN, 'ImageBuilderFailed'),
      event: 'ImageBuilderFailed',
      status: 'FAILED',
      subject: ARN,
      resource: {
        Name: NAME,
        Arn: ARN,
        State: 'FAILED',
        StateChangeReason: { Code: 'INTERNAL_ERROR', Message: 'The builder could not start' },
        ImageBuilderErrors: [
          {
            ErrorCode: 'IAM_SERVICE_ROLE_MISSING_ENI_DESCRIBE_ACTION',
            ErrorMessage: 'The role cannot describe network interfaces',
            ErrorTimestamp: '2026-11-21T10:00:50.000Z',
          },
        ],
      },
    });
  });

  it('ends FAILED on a builder AWS no longer knows', async () => {
    // Prepare
    const { ledger, watch, describeAnswers, at } = await setup();
    describeAnswers(awsServiceError('ResourceNotFoundException', 400));
    at(60);

    // Act
    const result = await watch.check(checkAt(0));

    // Assess
    expect(result).toStrictEqual({ status: 'advanced', state: 'FAILED' });
    expect(ledger.committed[0]).toMatchObject({
      event: 'ImageBuilderFailed',
      resource: { Name: NAME, Arn: ARN, State: 'NOT_FOUND' },
    });
  });

  it('ends TIMED_OUT on a builder still pending at the deadline: ImageBuilderWaitTimedOut with the builder as seen', async () => {
    // Prepare
    const { ledger, watch, describeAnswers, at, record } = await setup();
    describeAnswers(builder('PENDING'));
    at(3_600);

    // Act
    const result = await watch.check(checkAt(0));

    // Assess
    expect(result).toStrictEqual({ status: 'advanced', state: 'TIMED_OUT' });
    expect(record()?.watch).toMatchObject({
      state: 'TIMED_OUT',
      checks: 1,
      lastSeenState: 'PENDING',
      lastSeenAt: iso(3_600),
      endedAt: iso(3_600),
    });
    expect(record()?.watch).not.toHaveProperty('nextCheckAt');
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]).toMatchObject({
      id: readinessEventId('CreateImageBuilder', TOKEN, 'ImageBuilderWaitTimedOut'),
      event: 'ImageBuilderWaitTimedOut',
      status: 'FAILED',
      resource: { Name: NAME, Arn: ARN, State: 'PENDING' },
    });
  });

  it('ends TIMED_OUT past the deadline when AWS does not answer: the builder as last seen', async () => {
    // Prepare
    const { ledger, watch, describeAnswers, at } = await setup();
    describeAnswers(builder('PENDING'), awsServiceError('ThrottlingException', 400));
    at(60);
    await watch.check(checkAt(0));
    at(3_700);

    // Act
    const result = await watch.check(checkAt(1));

    // Assess
    expect(result).toStrictEqual({ status: 'advanced', state: 'TIMED_OUT' });
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]).toMatchObject({
      event: 'ImageBuilderWaitTimedOut',
      resource: { Name: NAME, Arn: ARN, State: 'PENDING' },
    });
  });

  it('ends READY past the deadline on a RUNNING builder: a reading beats the clock', async () => {
    // Prepare
    const { ledger, watch, describeAnswers, at } = await setup();
    describeAnswers(builder('RUNNING'));
    at(4_000);

    // Act
    const result = await watch.check(checkAt(0));

    // Assess
    expect(result).toStrictEqual({ status: 'advanced', state: 'READY' });
    expect(ledger.committed.map(({ event }) => event)).toEqual(['ImageBuilderReady']);
  });

  it('names the builder by name in the subject when its ARN is not known', async () => {
    // Prepare
    let clock = T0;
    const ledger = fakeLedger({ now: () => clock });
    const { clients, aws } = mockedAwsClients();
    aws.appstream.on(DescribeImageBuildersCommand).resolves({
      ImageBuilders: [builder('RUNNING')],
    });
    await ledger.settle(entry, {
      status: 'SUCCEEDED',
      response: {},
      watch: startWatch({ name: NAME }, DEFAULT_WATCH_TIMING, T0),
    });
    const watch = createReadinessWatch({
      clients,
      ledger,
      timing: DEFAULT_WATCH_TIMING,
      logger: silentLogger(),
      now: () => clock,
    });
    clock = new Date(T0.getTime() + 60_000);

    // Act
    await watch.check(checkAt(0));

    // Assess
    expect(ledger.committed[0]?.subject).toBe(NAME);
  });
});

describe('createReadinessWatch: a check that moves the watch on', () => {
  it('moves on from a pending builder before the deadline: counted, seen, the next check twice as far, nothing announced', async () => {
    // Prepare
    const { ledger, watch, describeAnswers, at, record } = await setup();
    describeAnswers(builder('PENDING'));
    at(60);

    // Act
    const result = await watch.check(checkAt(0));

    // Assess
    expect(result).toStrictEqual({ status: 'advanced', state: 'WATCHING' });
    expect(record()?.watch).toStrictEqual({
      name: NAME,
      arn: ARN,
      state: 'WATCHING',
      startedAt: T0.toISOString(),
      deadline: iso(3_600),
      checks: 1,
      nextCheckAt: iso(60 + 120),
      lastSeenState: 'PENDING',
      lastSeenAt: iso(60),
    });
    expect(record()?.outcomes).toEqual([]);
    expect(ledger.committed).toEqual([]);
  });

  it('follows a builder through several checks to READY, announcing once', async () => {
    // Prepare
    const { ledger, watch, describeAnswers, at, record } = await setup();
    describeAnswers(builder('PENDING'), builder('PENDING'), builder('RUNNING'));

    // Act
    at(60);
    const first = await watch.check(checkAt(0));
    at(180);
    const second = await watch.check(checkAt(1));
    at(420);
    const third = await watch.check(checkAt(2));

    // Assess
    expect([first, second, third].map((result) => result.status)).toEqual([
      'advanced',
      'advanced',
      'advanced',
    ]);
    expect(record()?.watch).toMatchObject({ state: 'READY', checks: 3, readyAt: iso(420) });
    expect(ledger.committed.map(({ event }) => event)).toEqual(['ImageBuilderReady']);
  });

  it.each([
    ['a throttle', awsServiceError('ThrottlingException', 400)],
    ['a quota error', awsServiceError('LimitExceededException', 400)],
    ['a server error', awsServiceError('InternalServiceError', 500)],
    ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('moves on without a sighting on %s, never a failure', async (_, error) => {
    // Prepare
    const { ledger, watch, warn, describeAnswers, at, record } = await setup();
    describeAnswers(error);
    at(60);

    // Act
    const result = await watch.check(checkAt(0));

    // Assess
    expect(result).toStrictEqual({ status: 'advanced', state: 'WATCHING' });
    expect(record()?.watch).toMatchObject({ state: 'WATCHING', checks: 1, nextCheckAt: iso(180) });
    expect(record()?.watch).not.toHaveProperty('lastSeenState');
    expect(record()?.watch).not.toHaveProperty('lastSeenAt');
    expect(ledger.committed).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('keeps the last sighting through a check AWS did not answer', async () => {
    // Prepare
    const { watch, describeAnswers, at, record } = await setup();
    describeAnswers(builder('PENDING'), awsServiceError('ThrottlingException', 400));
    at(60);
    await watch.check(checkAt(0));
    at(180);

    // Act
    await watch.check(checkAt(1));

    // Assess
    expect(record()?.watch).toMatchObject({
      state: 'WATCHING',
      checks: 2,
      lastSeenState: 'PENDING',
      lastSeenAt: iso(60),
      nextCheckAt: iso(180 + 240),
    });
  });
});

describe('createReadinessWatch: a check with nothing to do', () => {
  it('answers stale for a check the watch has moved past: AWS not asked, the ledger not written', async () => {
    // Prepare
    const { ledger, watch, describeAnswers, describeCalls, at, record } = await setup();
    describeAnswers(builder('PENDING'));
    at(60);
    await watch.check(checkAt(0));
    const moved = structuredClone(record());

    // Act
    const result = await watch.check(checkAt(0));

    // Assess
    expect(result).toStrictEqual({ status: 'stale' });
    expect(describeCalls()).toBe(1);
    expect(ledger.attempts('advanceWatch')).toBe(1);
    expect(record()).toStrictEqual(moved);
  });

  it('answers stale for a check ahead of the watch', async () => {
    // Prepare
    const { ledger, watch, describeCalls, at } = await setup();
    at(60);

    // Act
    const result = await watch.check(checkAt(3));

    // Assess
    expect(result).toStrictEqual({ status: 'stale' });
    expect(describeCalls()).toBe(0);
    expect(ledger.attempts('advanceWatch')).toBe(0);
  });

  it('answers stale for a request the ledger does not know', async () => {
    // Prepare
    const { ledger, watch, describeCalls } = await setup();

    // Act
    const result = await watch.check({
      operation: 'CreateImageBuilder',
      clientToken: 'unknown',
      checks: 0,
    });

    // Assess
    expect(result).toStrictEqual({ status: 'stale' });
    expect(describeCalls()).toBe(0);
    expect(ledger.attempts('advanceWatch')).toBe(0);
  });

  it('answers stale for a request without a watch', async () => {
    // Prepare
    const { ledger, watch, describeCalls } = await setup({ watched: false });

    // Act
    const result = await watch.check(checkAt(0));

    // Assess
    expect(result).toStrictEqual({ status: 'stale' });
    expect(describeCalls()).toBe(0);
    expect(ledger.attempts('advanceWatch')).toBe(0);
  });

  it('answers stale for an operation that follows nothing through, even with a watch', async () => {
    // Prepare
    const { ledger, watch, describeCalls } = await setup();
    const other = { ...entry, operation: 'CreateInfrastructureConfiguration' };
    await ledger.settle(other, {
      status: 'SUCCEEDED',
      response: {},
      watch: startWatch({ name: 'golden' }, DEFAULT_WATCH_TIMING, T0),
    });

    // Act
    const result = await watch.check({ ...checkAt(0), operation: other.operation });

    // Assess
    expect(result).toStrictEqual({ status: 'stale' });
    expect(describeCalls()).toBe(0);
    expect(ledger.attempts('advanceWatch')).toBe(0);
  });

  it('announces nothing for a message repeated after the watch ended', async () => {
    // Prepare
    const { ledger, watch, describeAnswers, describeCalls, at, record } = await setup();
    describeAnswers(builder('RUNNING'), builder('FAILED'));
    at(60);
    await watch.check(checkAt(0));
    const ended = structuredClone(record());
    at(4_000);

    // Act
    const repeated = await watch.check(checkAt(0));
    const following = await watch.check(checkAt(1));

    // Assess
    expect(repeated).toStrictEqual({ status: 'stale' });
    expect(following).toStrictEqual({ status: 'stale' });
    expect(describeCalls()).toBe(1);
    expect(ledger.attempts('advanceWatch')).toBe(1);
    expect(ledger.committed.map(({ event }) => event)).toEqual(['ImageBuilderReady']);
    expect(record()).toStrictEqual(ended);
  });

  it('answers stale when another copy of the check committed first: one event, one move', async () => {
    // Prepare: this copy read the record before the other copy committed.
    const { ledger, watch, describeAnswers, at, record } = await setup();
    describeAnswers(builder('RUNNING'), builder('RUNNING'));
    const before = await ledger.find(entry.operation, entry.clientToken);
    at(60);
    await watch.check(checkAt(0));
    const committed = structuredClone(record());
    const find = ledger.find;
    ledger.find = async (operation, clientToken) =>
      operation === entry.operation && clientToken === TOKEN
        ? structuredClone(before)
        : find(operation, clientToken);
    at(61);

    // Act
    const result = await watch.check(checkAt(0));

    // Assess
    expect(result).toStrictEqual({ status: 'stale' });
    expect(ledger.attempts('advanceWatch')).toBe(2);
    expect(ledger.committed.map(({ event }) => event)).toEqual(['ImageBuilderReady']);
    expect(record()).toStrictEqual(committed);
  });
});

describe('createReadinessWatch: a ledger that fails', () => {
  it('rejects when the check cannot be committed, leaving the watch where it was', async () => {
    // Prepare
    const { ledger, watch, describeAnswers, at, record } = await setup();
    describeAnswers(builder('RUNNING'));
    const down = new Error('DynamoDB unavailable');
    ledger.failWith('advanceWatch', down);
    at(60);

    // Act
    const thrown = await watch.check(checkAt(0)).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(thrown).toBe(down);
    expect(record()?.watch).toMatchObject({ state: 'WATCHING', checks: 0 });
    expect(ledger.committed).toEqual([]);
  });

  it('rejects when the record cannot be read, without asking AWS', async () => {
    // Prepare
    const { ledger, watch, describeCalls } = await setup();
    const down = new Error('DynamoDB unavailable');
    ledger.find = async () => {
      throw down;
    };

    // Act
    const thrown = await watch.check(checkAt(0)).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(thrown).toBe(down);
    expect(describeCalls()).toBe(0);
  });

  it('commits the check again once the ledger is back: one event', async () => {
    // Prepare
    const { ledger, watch, describeAnswers, at } = await setup();
    describeAnswers(builder('RUNNING'), builder('RUNNING'));
    ledger.failWith('advanceWatch', new Error('DynamoDB unavailable'));
    at(60);
    await watch.check(checkAt(0)).catch(() => undefined);
    ledger.recover();
    at(90);

    // Act
    const result = await watch.check(checkAt(0));

    // Assess
    expect(result).toStrictEqual({ status: 'advanced', state: 'READY' });
    expect(ledger.committed.map(({ event, time }) => [event, time])).toEqual([
      ['ImageBuilderReady', iso(90)],
    ]);
  });
});
