import { describe, expect, it } from 'vitest';
import {
  idempotencyInProgressError,
  ProvisioningError,
  validationError,
} from '../../../src/basics/errors.js';
import { DEFAULT_WATCH_TIMING } from '../../../src/ledger/watch.js';
import { type Outcome, outcomeId } from '../../../src/outcomes/outcome.js';
import {
  type Asker,
  announcesNow,
  createAnnouncer,
  type FailureOrigin,
} from '../../../src/provisioning/announcement.js';
import { fakeLedger } from '../../support/provisioningFakes.js';

const failure = (retryable: boolean): ProvisioningError =>
  new ProvisioningError({
    code: retryable ? 'CallRateLimitExceededException' : 'InvalidParameterValueException',
    status: retryable ? 429 : 400,
    title: 'AWS said no',
    detail: 'AWS said no.',
    retryable,
  });

interface RuleCase {
  retryable: boolean;
  finalAttempt: boolean;
  origin: FailureOrigin;
  announcesRejections: boolean;
  expected: boolean;
}

/**
 * Written out by hand from the rule: a retryable failure waits for the final attempt; an AWS
 * failure is always announced then; a rejection only where the channel announces rejections.
 * Columns: retryable, final attempt, origin, channel announces rejections, announced now.
 */
const RULE: RuleCase[] = (
  [
    // A retryable failure the channel will redeliver: never now, whatever else holds.
    [true, false, 'aws', true, false],
    [true, false, 'aws', false, false],
    [true, false, 'rejection', true, false],
    [true, false, 'rejection', false, false],
    // A retryable failure on the final attempt.
    [true, true, 'aws', true, true],
    [true, true, 'aws', false, true],
    [true, true, 'rejection', true, true],
    [true, true, 'rejection', false, false],
    // A permanent failure: the attempt does not matter.
    [false, false, 'aws', true, true],
    [false, false, 'aws', false, true],
    [false, false, 'rejection', true, true],
    [false, false, 'rejection', false, false],
    [false, true, 'aws', true, true],
    [false, true, 'aws', false, true],
    [false, true, 'rejection', true, true],
    [false, true, 'rejection', false, false],
  ] as const
).map(([retryable, finalAttempt, origin, announcesRejections, expected]) => ({
  retryable,
  finalAttempt,
  origin,
  announcesRejections,
  expected,
}));

const describeCase = ({
  retryable,
  finalAttempt,
  origin,
  announcesRejections,
  expected,
}: RuleCase) =>
  [
    expected ? 'announces' : 'does not announce',
    retryable ? 'a retryable' : 'a permanent',
    origin === 'aws' ? 'AWS failure' : 'rejection',
    `on a channel that ${announcesRejections ? 'announces' : 'does not announce'} rejections,`,
    finalAttempt ? 'on its final attempt' : 'on an attempt the channel will redeliver',
  ].join(' ');

describe('announcesNow', () => {
  it.each(RULE.map((rule) => [describeCase(rule), rule] as const))('%s', (_, rule) => {
    // Prepare
    const error = failure(rule.retryable);
    const request = {
      finalAttempt: rule.finalAttempt,
      announcesRejections: rule.announcesRejections,
    };

    // Act
    const announced = announcesNow(error, request, rule.origin);

    // Assess
    expect(announced).toBe(rule.expected);
  });

  it('does not announce a rejection when the channel leaves announcesRejections out', () => {
    // Prepare
    const error = validationError([{ path: '/name', message: 'is required' }]);

    // Act
    const rejection = announcesNow(error, { finalAttempt: true }, 'rejection');
    const awsFailure = announcesNow(error, { finalAttempt: true }, 'aws');

    // Assess
    expect(rejection).toBe(false);
    expect(awsFailure).toBe(true);
  });

  it.each([
    ['an AWS failure', 'aws'],
    ['a rejection', 'rejection'],
  ] as const)(
    'never announces the token in use elsewhere as %s, even on the final attempt of a channel that announces rejections',
    (_, origin) => {
      // Prepare
      const inProgress = idempotencyInProgressError();

      // Act
      const announced = announcesNow(
        inProgress,
        { finalAttempt: true, announcesRejections: true },
        origin,
      );

      // Assess
      expect(inProgress.retryable).toBe(true);
      expect(announced).toBe(false);
    },
  );

  it('tells the token in use elsewhere by its code, not by being retryable', () => {
    // Prepare
    const permanentInProgress = new ProvisioningError({
      ...idempotencyInProgressError().toDetails(),
      retryable: false,
    });

    // Act
    const announced = announcesNow(
      permanentInProgress,
      { finalAttempt: true, announcesRejections: true },
      'aws',
    );

    // Assess
    expect(announced).toBe(false);
  });
});

const asker: Asker = {
  clientToken: 'portal-req-0002',
  channel: 'sqs',
  correlationId: 'portal-ticket-4712',
  requestedBy: 'AIDAEXAMPLE',
};

const NOW = new Date('2026-11-21T10:00:00.000Z');

/** An announcer on an in-memory ledger, with a clock the test sets. */
const setup = () => {
  let clock = NOW;
  const ledger = fakeLedger({ now: () => clock });
  const announcer = createAnnouncer(ledger, DEFAULT_WATCH_TIMING, () => clock);
  const later = (ms: number) => {
    clock = new Date(clock.getTime() + ms);
  };
  return { ledger, announcer, later };
};

/** The deterministic id the outcome event of `outcome` has always carried. */
const idOf = (outcome: Outcome) => outcomeId(outcome);

describe('createAnnouncer', () => {
  it('begins a request: IN_PROGRESS with who asked, how, under which token, and no outcome', async () => {
    // Prepare
    const { ledger, announcer } = setup();

    // Act
    await announcer.begin(asker, 'CreateImageBuilder');

    // Assess
    expect(ledger.records.get('CreateImageBuilder#portal-req-0002')).toStrictEqual({
      operation: 'CreateImageBuilder',
      clientToken: 'portal-req-0002',
      channel: 'sqs',
      correlationId: 'portal-ticket-4712',
      requestedBy: 'AIDAEXAMPLE',
      status: 'IN_PROGRESS',
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      outcomes: [],
      expiresAt: expect.any(Number),
    });
    expect(ledger.committed).toEqual([]);
  });

  it('commits a success with who asked, how, under which token, the response, the subject and its deterministic id', async () => {
    // Prepare
    const { ledger, announcer } = setup();
    const response = { requestId: 'r-1', infrastructureConfigurationArn: 'arn:infra/1' };

    // Act
    await announcer.succeeded(asker, 'CreateInfrastructureConfiguration', response, 'arn:infra/1');

    // Assess
    const outcome: Outcome = {
      operation: 'CreateInfrastructureConfiguration',
      clientToken: 'portal-req-0002',
      correlationId: 'portal-ticket-4712',
      channel: 'sqs',
      requestedBy: 'AIDAEXAMPLE',
      status: 'SUCCEEDED',
      response,
    };
    expect(ledger.committed).toStrictEqual([
      { ...outcome, id: idOf(outcome), subject: 'arn:infra/1', time: NOW.toISOString() },
    ]);
    const record = ledger.records.get('CreateInfrastructureConfiguration#portal-req-0002');
    expect(record).toMatchObject({ status: 'SUCCEEDED', response });
    expect(record).not.toHaveProperty('error');
    expect(record?.outcomes).toStrictEqual([
      {
        id: idOf(outcome),
        status: 'SUCCEEDED',
        // Who asked travels with each outcome: a refusal under the token may come from another.
        channel: 'sqs',
        correlationId: 'portal-ticket-4712',
        requestedBy: 'AIDAEXAMPLE',
        time: NOW.toISOString(),
        subject: 'arn:infra/1',
      },
    ]);
  });

  it('leaves correlationId, requestedBy and subject out when the asker and the call have none', async () => {
    // Prepare
    const { ledger, announcer } = setup();
    const anonymous: Asker = {
      clientToken: 't-1',
      channel: 'http',
      correlationId: undefined,
      requestedBy: undefined,
    };

    // Act
    await announcer.succeeded(anonymous, 'CreateImageBuilder', { ImageBuilder: {} });

    // Assess
    const outcome: Outcome = {
      operation: 'CreateImageBuilder',
      clientToken: 't-1',
      channel: 'http',
      status: 'SUCCEEDED',
      response: { ImageBuilder: {} },
    };
    expect(ledger.committed).toStrictEqual([
      { ...outcome, id: idOf(outcome), time: NOW.toISOString() },
    ]);
    const record = ledger.records.get('CreateImageBuilder#t-1');
    expect(record).not.toHaveProperty('correlationId');
    expect(record).not.toHaveProperty('requestedBy');
    expect(record?.outcomes[0]).not.toHaveProperty('subject');
  });

  it('commits a failure: the outcome carries the error as {code, message, retryable, errors} and nothing else of it, the record what the caller was answered', async () => {
    // Prepare
    const { ledger, announcer } = setup();
    const error = validationError([{ path: '/request/name', message: 'is required' }]);

    // Act
    await announcer.failed(asker, 'CreateInfrastructureConfiguration', error, 'my-infra');

    // Assess
    const outcome: Outcome = {
      operation: 'CreateInfrastructureConfiguration',
      clientToken: 'portal-req-0002',
      correlationId: 'portal-ticket-4712',
      channel: 'sqs',
      requestedBy: 'AIDAEXAMPLE',
      status: 'FAILED',
      error: {
        code: 'ValidationException',
        message: 'The request has 1 invalid field.',
        retryable: false,
        errors: [{ path: '/request/name', message: 'is required' }],
      },
    };
    expect(ledger.committed).toStrictEqual([
      { ...outcome, id: idOf(outcome), subject: 'my-infra', time: NOW.toISOString() },
    ]);
    const record = ledger.records.get('CreateInfrastructureConfiguration#portal-req-0002');
    expect(record?.status).toBe('FAILED');
    expect(record?.error).toStrictEqual(error.toDetails());
    expect(record).not.toHaveProperty('response');
  });

  it('leaves errors out of a failure that has no field errors, and keeps retryable as the error says', async () => {
    // Prepare
    const { ledger, announcer } = setup();

    // Act
    await announcer.failed(asker, 'CreateImageBuilder', idempotencyInProgressError());

    // Assess
    expect(ledger.committed[0]?.error).toStrictEqual({
      code: 'IdempotencyInProgressException',
      message: 'A request with this clientToken is still in progress; retry later.',
      retryable: true,
    });
  });

  it('gives a success and a failure of one token ids of their own, and each the id its outcome event had', async () => {
    // Prepare
    const { ledger, announcer } = setup();

    // Act
    await announcer.failed(asker, 'CreateImageBuilder', failure(true));
    await announcer.succeeded(asker, 'CreateImageBuilder', { ImageBuilder: {} });

    // Assess
    const [failed, succeeded] = ledger.committed;
    expect(ledger.committed.map(({ status }) => status)).toEqual(['FAILED', 'SUCCEEDED']);
    expect(failed?.id).toBe(
      outcomeId({
        operation: 'CreateImageBuilder',
        clientToken: 'portal-req-0002',
        channel: 'sqs',
        status: 'FAILED',
        error: { code: 'CallRateLimitExceededException', message: 'AWS said no.', retryable: true },
      }),
    );
    expect(succeeded?.id).toBe(
      outcomeId({
        operation: 'CreateImageBuilder',
        clientToken: 'portal-req-0002',
        channel: 'sqs',
        status: 'SUCCEEDED',
      }),
    );
    expect(succeeded?.id).not.toBe(failed?.id);
  });

  it.each([
    ['a success', 'succeeded'],
    ['a failure', 'failed'],
  ] as const)(
    'commits %s announced again later once: same id, the first commit time kept',
    async (_, kind) => {
      // Prepare
      const { ledger, announcer, later } = setup();
      const announce = () =>
        kind === 'succeeded'
          ? announcer.succeeded(asker, 'CreateImageBuilder', { ImageBuilder: {} }, 'b')
          : announcer.failed(asker, 'CreateImageBuilder', failure(false), 'b');
      await announce();

      // Act
      later(60_000);
      await announce();

      // Assess
      expect(ledger.attempts('settle')).toBe(2);
      expect(ledger.committed).toHaveLength(1);
      expect(ledger.committed[0]?.time).toBe(NOW.toISOString());
      expect(ledger.records.get('CreateImageBuilder#portal-req-0002')?.outcomes).toHaveLength(1);
    },
  );

  it.each([
    ['a begin', 'begin', 'begin'],
    ['a success', 'settle', 'succeeded'],
    ['a failure', 'settle', 'failed'],
  ] as const)(
    'turns a ledger failure of %s into a retryable 503 ServiceUnavailableException caused by it',
    async (_, write, kind) => {
      // Prepare
      const { ledger, announcer } = setup();
      const tableDown = Object.assign(new Error('connect ECONNREFUSED'), {
        name: 'TableDown',
      });
      ledger.failWith(write, tableDown);

      // Act
      const announcing =
        kind === 'begin'
          ? announcer.begin(asker, 'CreateImageBuilder')
          : kind === 'succeeded'
            ? announcer.succeeded(asker, 'CreateImageBuilder', {})
            : announcer.failed(asker, 'CreateImageBuilder', failure(false));
      const thrown = await announcing.then(
        () => undefined,
        (error: unknown) => error,
      );

      // Assess
      expect(thrown).toBeInstanceOf(ProvisioningError);
      expect(thrown).toMatchObject({
        code: 'ServiceUnavailableException',
        status: 503,
        message: 'The request ledger is unavailable; retry later.',
        retryable: true,
        cause: tableDown,
      });
      expect((thrown as ProvisioningError).retryAfterSeconds).toBeGreaterThan(0);
      expect(ledger.attempts(write)).toBe(1);
      expect(ledger.committed).toEqual([]);
      expect(ledger.records.size).toBe(0);
    },
  );
});

describe('createAnnouncer: a success that begins a watch', () => {
  const target = {
    name: 'design-team-builder',
    arn: 'arn:aws:appstream:us-east-1:123456789012:image-builder/design-team-builder',
  };

  it('settles the success with a watch of the target, timed as the stage says, from now', async () => {
    // Prepare
    const ledger = fakeLedger({ now: () => NOW });
    const timing = { timeoutSeconds: 1_800, firstCheckSeconds: 30, maxCheckSeconds: 120 };
    const announcer = createAnnouncer(ledger, timing, () => NOW);

    // Act
    await announcer.succeeded(
      asker,
      'CreateImageBuilder',
      { ImageBuilder: { Name: target.name } },
      target.arn,
      target,
    );

    // Assess
    const record = ledger.records.get('CreateImageBuilder#portal-req-0002');
    expect(record?.status).toBe('SUCCEEDED');
    expect(record?.watch).toStrictEqual({
      ...target,
      state: 'WATCHING',
      startedAt: NOW.toISOString(),
      deadline: '2026-11-21T10:30:00.000Z',
      checks: 0,
      nextCheckAt: '2026-11-21T10:00:30.000Z',
    });
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]).toMatchObject({ status: 'SUCCEEDED', subject: target.arn });
  });

  it('settles a success without a target without a watch', async () => {
    // Prepare
    const { ledger, announcer } = setup();

    // Act
    await announcer.succeeded(asker, 'CreateImageBuilder', { ImageBuilder: {} }, target.arn);

    // Assess
    const record = ledger.records.get('CreateImageBuilder#portal-req-0002');
    expect(record?.status).toBe('SUCCEEDED');
    expect(record).not.toHaveProperty('watch');
  });

  it('keeps the watch begun by the first success when the success is settled again later', async () => {
    // Prepare
    const { ledger, announcer, later } = setup();
    await announcer.succeeded(asker, 'CreateImageBuilder', {}, target.arn, target);
    later(90_000);

    // Act
    await announcer.succeeded(asker, 'CreateImageBuilder', {}, target.arn, target);

    // Assess
    expect(ledger.records.get('CreateImageBuilder#portal-req-0002')?.watch).toMatchObject({
      startedAt: NOW.toISOString(),
      nextCheckAt: '2026-11-21T10:01:00.000Z',
    });
    expect(ledger.committed).toHaveLength(1);
  });
});
