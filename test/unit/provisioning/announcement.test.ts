import { describe, expect, it } from 'vitest';
import {
  type Asker,
  announcesNow,
  createAnnouncer,
  type FailureOrigin,
} from '../../../src/provisioning/announcement.js';
import {
  idempotencyInProgressError,
  ProvisioningError,
  validationError,
} from '../../../src/shared/errors.js';
import { recordingPublisher } from '../../support/provisioningFakes.js';

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

describe('createAnnouncer', () => {
  it('announces a success with who asked, how, under which token, the response and the subject', async () => {
    // Prepare
    const publisher = recordingPublisher();
    const announcer = createAnnouncer(publisher);
    const response = { requestId: 'r-1', infrastructureConfigurationArn: 'arn:infra/1' };

    // Act
    await announcer.succeeded(asker, 'CreateInfrastructureConfiguration', response, 'arn:infra/1');

    // Assess
    expect(publisher.published).toStrictEqual([
      {
        outcome: {
          operation: 'CreateInfrastructureConfiguration',
          clientToken: 'portal-req-0002',
          correlationId: 'portal-ticket-4712',
          channel: 'sqs',
          requestedBy: 'AIDAEXAMPLE',
          status: 'SUCCEEDED',
          response,
        },
        subject: 'arn:infra/1',
      },
    ]);
  });

  it('leaves correlationId and requestedBy out of the outcome when the asker has none', async () => {
    // Prepare
    const publisher = recordingPublisher();
    const announcer = createAnnouncer(publisher);
    const anonymous: Asker = {
      clientToken: 't-1',
      channel: 'http',
      correlationId: undefined,
      requestedBy: undefined,
    };

    // Act
    await announcer.succeeded(anonymous, 'CreateImageBuilder', { ImageBuilder: {} });

    // Assess
    const [first] = publisher.published;
    expect(first?.outcome).toStrictEqual({
      operation: 'CreateImageBuilder',
      clientToken: 't-1',
      channel: 'http',
      status: 'SUCCEEDED',
      response: { ImageBuilder: {} },
    });
    expect(first?.outcome).not.toHaveProperty('correlationId');
    expect(first?.outcome).not.toHaveProperty('requestedBy');
    expect(first?.subject).toBeUndefined();
  });

  it('announces a failure with the error as {code, message, retryable, errors}, and nothing else of it', async () => {
    // Prepare
    const publisher = recordingPublisher();
    const announcer = createAnnouncer(publisher);
    const error = validationError([{ path: '/request/name', message: 'is required' }]);

    // Act
    await announcer.failed(asker, 'CreateInfrastructureConfiguration', error, 'my-infra');

    // Assess
    expect(publisher.published).toStrictEqual([
      {
        outcome: {
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
        },
        subject: 'my-infra',
      },
    ]);
  });

  it('leaves errors out of a failure that has no field errors, and keeps retryable as the error says', async () => {
    // Prepare
    const publisher = recordingPublisher();
    const announcer = createAnnouncer(publisher);

    // Act
    await announcer.failed(asker, 'CreateImageBuilder', idempotencyInProgressError());

    // Assess
    expect(publisher.published[0]?.outcome.error).toStrictEqual({
      code: 'IdempotencyInProgressException',
      message: 'A request with this clientToken is still in progress; retry later.',
      retryable: true,
    });
  });

  it.each([
    ['a success', 'succeeded'],
    ['a failure', 'failed'],
  ] as const)(
    'turns a publish failure of %s into a retryable 503 ServiceUnavailableException caused by it',
    async (_, kind) => {
      // Prepare
      const publisher = recordingPublisher();
      const snsDown = Object.assign(new Error('connect ECONNREFUSED'), { name: 'SNSDown' });
      publisher.failWith(snsDown);
      const announcer = createAnnouncer(publisher);

      // Act
      const announcing =
        kind === 'succeeded'
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
        retryable: true,
        cause: snsDown,
      });
      expect((thrown as ProvisioningError).retryAfterSeconds).toBeGreaterThan(0);
      expect(publisher.published).toEqual([]);
    },
  );
});
