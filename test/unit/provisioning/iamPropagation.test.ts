import { CreateImageBuilderCommand } from '@aws-sdk/client-appstream';
import {
  CreateInfrastructureConfigurationCommand,
  UpdateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  IAM_PROPAGATION_PENDING,
  isIamPropagationError,
  isRetryableAwsError,
  toProvisioningError,
} from '../../../src/provisioning/awsErrors.js';
import type {
  ProvisioningRequest,
  ProvisioningResult,
} from '../../../src/provisioning/pipeline.js';
import { type RetryPolicy, withRetries } from '../../../src/provisioning/retry.js';
import { validRequests } from '../../fixtures/requests.js';
import { awsServiceError } from '../../support/awsErrors.js';
import { infrastructureArn } from '../../support/awsMocks.js';
import { fakePipeline } from '../../support/provisioningFakes.js';

const PROFILE_MESSAGE =
  "The value supplied for parameter 'instanceProfileName' is not valid. The provided instance profile does not exist. Please specify a different instance profile and try again.";
const ROLE_MESSAGE =
  'AppStream 2.0 encountered an error because your IAM role arn:aws:iam::123456789012:role/Builder is not valid.';

const profileNotVisible = () =>
  awsServiceError('InvalidParameterValueException', 400, { message: PROFILE_MESSAGE });
const roleNotVisible = () =>
  awsServiceError('InvalidRoleException', 400, { message: ROLE_MESSAGE });

describe('isIamPropagationError', () => {
  it.each([
    ['imagebuilder', profileNotVisible()],
    [
      'imagebuilder',
      awsServiceError('InvalidParameterValueException', 400, {
        message: 'The provided INSTANCE PROFILE DOES NOT EXIST.',
      }),
    ],
    ['appstream', roleNotVisible()],
  ] as const)('%s: %s', (service, error) => {
    expect(isIamPropagationError(service, error)).toBe(true);
  });

  it.each([
    [
      'another invalid parameter',
      'imagebuilder',
      awsServiceError('InvalidParameterValueException', 400, {
        message: "The value supplied for parameter 'subnetId' is not valid.",
      }),
    ],
    [
      'another invalid role',
      'appstream',
      awsServiceError('InvalidRoleException', 400, {
        message: 'The role does not allow AppStream 2.0 to assume it.',
      }),
    ],
    ['the profile message under another name', 'imagebuilder', roleNotVisible()],
    [
      'the profile message from the other service',
      'appstream',
      awsServiceError('InvalidParameterValueException', 400, { message: PROFILE_MESSAGE }),
    ],
    ['the role message from the other service', 'imagebuilder', roleNotVisible()],
    ['a throttle', 'imagebuilder', awsServiceError('CallRateLimitExceededException', 429)],
    ['no error at all', 'appstream', 'InvalidRoleException'],
  ] as const)('not %s', (_, service, error) => {
    expect(isIamPropagationError(service, error)).toBe(false);
  });

  it('leaves the errors themselves permanent 400s, with AWS name and message', () => {
    expect(isRetryableAwsError('imagebuilder', profileNotVisible())).toBe(false);
    expect(toProvisioningError('appstream', roleNotVisible()).toDetails()).toEqual({
      code: 'InvalidRoleException',
      status: 400,
      title: 'AWS rejected the request',
      detail: ROLE_MESSAGE,
      retryable: false,
    });
  });
});

/** A clock that only moves when the code under test sleeps. */
const fakeTime = (start = 0) => {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
};

describe('withRetries: an error retried until a moment', () => {
  const policy: RetryPolicy = { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 400 };
  const propagating = new Error('not visible yet');

  it('is retried past maxAttempts, with jittered delays growing to 5 s, until that moment', async () => {
    const time = fakeTime();
    let calls = 0;

    const outcome = withRetries(
      async () => {
        calls++;
        throw propagating;
      },
      {
        policy,
        retryable: () => false,
        retryUntil: (error) => (error === propagating ? 20_000 : undefined),
        deadline: 60_000,
        random: () => 0.5,
        ...time,
      },
    );

    await expect(outcome).rejects.toBe(propagating);
    expect(calls).toBeGreaterThan(policy.maxAttempts);
    expect(time.sleeps.slice(0, 7)).toEqual([50, 100, 200, 400, 800, 1600, 2500]);
    expect(Math.max(...time.sleeps)).toBe(2_500);
    expect(time.now()).toBeLessThan(20_000);
  });

  it('stops at the deadline when that comes first', async () => {
    const time = fakeTime();

    const outcome = withRetries(
      async () => {
        throw propagating;
      },
      {
        policy,
        retryable: () => false,
        retryUntil: () => 120_000,
        deadline: 8_000,
        random: () => 1,
        ...time,
      },
    );

    await expect(outcome).rejects.toBe(propagating);
    expect(time.now()).toBeLessThan(8_000);
  });

  it('gives a success that comes within the time', async () => {
    const time = fakeTime();
    let calls = 0;

    const result = await withRetries(
      async () => {
        calls++;
        if (calls < 5) throw propagating;
        return 'visible';
      },
      { policy, retryable: () => false, retryUntil: () => 20_000, deadline: 60_000, ...time },
    );

    expect(result).toBe('visible');
    expect(calls).toBe(5);
  });
});

/*
 * Through the pipeline: time moves only while AWS answers (each call takes AWS_CALL_MS), and the
 * jitter is drawn as 0, so how many attempts fit is fixed.
 */
const AWS_CALL_MS = 1_000;
const WINDOW_MS = 120_000;
const T0 = Date.UTC(2026, 10, 30, 10, 0, 0);
const POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  iamPropagationWindowMs: WINDOW_MS,
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  vi.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** An AWS answer that takes AWS_CALL_MS; records when each call started. */
const slowly = (answer: () => unknown, started: number[]) => async () => {
  started.push(Date.now());
  vi.setSystemTime(Date.now() + AWS_CALL_MS);
  const value = answer();
  if (value instanceof Error) throw value;
  return value;
};

const setup = () => fakePipeline({ retryPolicy: POLICY });

/** Over HTTP: the caller waits, and hears every outcome in the answer. */
const httpRequest = (overrides: Partial<ProvisioningRequest> = {}): ProvisioningRequest => ({
  channel: 'http',
  operation: 'CreateInfrastructureConfiguration',
  input: validRequests.CreateInfrastructureConfiguration,
  inputPointer: '',
  clientToken: { value: 'portal-1', label: 'the Idempotency-Key header' },
  fallbackToken: () => 'fallback',
  finalAttempt: true,
  announcesRejections: false,
  idempotentReads: false,
  remainingTimeMs: 10_000,
  firstSentAt: T0,
  ...overrides,
});

/** On the queue, before its last receive. */
const queueRequest = (overrides: Partial<ProvisioningRequest> = {}): ProvisioningRequest =>
  httpRequest({
    channel: 'sqs',
    inputPointer: '/request',
    finalAttempt: false,
    announcesRejections: true,
    idempotentReads: true,
    remainingTimeMs: 30_000,
    ...overrides,
  });

const failureOf = (result: ProvisioningResult) => {
  if (result.status !== 'FAILED') throw new Error(`expected a FAILED result, got ${result.status}`);
  return result.error;
};

const KEY = 'CreateInfrastructureConfiguration#portal-1';

describe('an instance profile AWS does not see yet, over HTTP', () => {
  it('is retried within the budget, then answered as the AWS error it is, announced and stored', async () => {
    // Prepare
    const { ledger, idempotency, aws, pipeline } = setup();
    const started: number[] = [];
    aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .callsFake(slowly(profileNotVisible, started));
    const deadline = T0 + 10_000 - 2_000;

    // Act
    const error = failureOf(await pipeline.run(httpRequest()));

    // Assess
    expect(started.length).toBeGreaterThan(POLICY.maxAttempts);
    expect(started.every((at) => at < deadline)).toBe(true);
    expect(error.toDetails()).toEqual({
      code: 'InvalidParameterValueException',
      status: 400,
      title: 'AWS rejected the request',
      detail: PROFILE_MESSAGE,
      retryable: false,
    });
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]).toMatchObject({
      status: 'FAILED',
      error: { code: 'InvalidParameterValueException', message: PROFILE_MESSAGE, retryable: false },
    });
    expect(idempotency.records.get(KEY)?.result).toMatchObject({ status: 'FAILED' });
  });

  it('succeeds once the profile becomes visible within the budget', async () => {
    const { ledger, aws, pipeline } = setup();
    const started: number[] = [];
    let calls = 0;
    aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .callsFake(
        slowly(
          () =>
            ++calls <= 4
              ? profileNotVisible()
              : { infrastructureConfigurationArn: infrastructureArn('my-infra') },
          started,
        ),
      );

    const result = await pipeline.run(httpRequest());

    expect(result.status).toBe('SUCCEEDED');
    expect(started).toHaveLength(5);
    expect(ledger.committed.map(({ status }) => status)).toEqual(['SUCCEEDED']);
  });

  it('is not retried at all once the window has passed', async () => {
    const { aws, pipeline } = setup();
    const started: number[] = [];
    aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .callsFake(slowly(profileNotVisible, started));

    const error = failureOf(await pipeline.run(httpRequest({ firstSentAt: T0 - WINDOW_MS })));

    expect(started).toHaveLength(1);
    expect(error).toMatchObject({ code: 'InvalidParameterValueException', retryable: false });
  });

  it('is retried on UpdateInfrastructureConfiguration too', async () => {
    const { aws, pipeline } = setup();
    const started: number[] = [];
    aws.imagebuilder
      .on(UpdateInfrastructureConfigurationCommand)
      .callsFake(slowly(profileNotVisible, started));

    const error = failureOf(
      await pipeline.run(
        httpRequest({
          operation: 'UpdateInfrastructureConfiguration',
          input: validRequests.UpdateInfrastructureConfiguration,
        }),
      ),
    );

    expect(started.length).toBeGreaterThan(POLICY.maxAttempts);
    expect(error).toMatchObject({ code: 'InvalidParameterValueException', status: 400 });
  });

  it('leaves any other invalid parameter a single call and a permanent 400', async () => {
    const { aws, pipeline } = setup();
    const started: number[] = [];
    const subnet = () =>
      awsServiceError('InvalidParameterValueException', 400, { message: 'bad subnet' });
    aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .callsFake(slowly(subnet, started));

    const error = failureOf(await pipeline.run(httpRequest()));

    expect(started).toHaveLength(1);
    expect(error).toMatchObject({ code: 'InvalidParameterValueException', retryable: false });
  });
});

describe('an IAM role AppStream cannot use yet', () => {
  const builder = (overrides: Partial<ProvisioningRequest> = {}) =>
    httpRequest({
      operation: 'CreateImageBuilder',
      input: validRequests.CreateImageBuilder,
      ...overrides,
    });

  it('is retried within the budget over HTTP, then answered as InvalidRoleException', async () => {
    const { aws, pipeline } = setup();
    const started: number[] = [];
    aws.appstream.on(CreateImageBuilderCommand).callsFake(slowly(roleNotVisible, started));

    const error = failureOf(await pipeline.run(builder()));

    expect(started.length).toBeGreaterThan(POLICY.maxAttempts);
    expect(error).toMatchObject({ code: 'InvalidRoleException', status: 400, retryable: false });
  });

  it('leaves any other InvalidRoleException a single call', async () => {
    const { aws, pipeline } = setup();
    const started: number[] = [];
    const other = () => awsServiceError('InvalidRoleException', 400, { message: 'no trust' });
    aws.appstream.on(CreateImageBuilderCommand).callsFake(slowly(other, started));

    const error = failureOf(await pipeline.run(builder()));

    expect(started).toHaveLength(1);
    expect(error).toMatchObject({ code: 'InvalidRoleException', retryable: false });
  });
});

describe('an instance profile AWS does not see yet, on the queue', () => {
  it('is retryable while the window is open after the budget: not announced, not stored, the time left given', async () => {
    // Prepare
    const { ledger, idempotency, aws, pipeline } = setup();
    const started: number[] = [];
    aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .callsFake(slowly(profileNotVisible, started));

    // Act
    const error = failureOf(await pipeline.run(queueRequest()));

    // Assess
    expect(error).toMatchObject({ code: IAM_PROPAGATION_PENDING, retryable: true });
    expect(error.retryAfterSeconds).toBe(Math.ceil((T0 + WINDOW_MS - Date.now()) / 1000));
    expect(started.every((at) => at < T0 + 30_000 - 2_000)).toBe(true);
    expect(ledger.committed).toEqual([]);
    expect(ledger.records.get(KEY)?.status).toBe('IN_PROGRESS');
    expect(idempotency.records.size).toBe(0);
  });

  it('is the permanent AWS error, announced, once the window passes within the budget', async () => {
    const { ledger, aws, pipeline } = setup();
    const started: number[] = [];
    aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .callsFake(slowly(profileNotVisible, started));

    const error = failureOf(await pipeline.run(queueRequest({ firstSentAt: T0 - 110_000 })));

    expect(started.every((at) => at < T0 + 10_000)).toBe(true);
    expect(error).toMatchObject({ code: 'InvalidParameterValueException', retryable: false });
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]).toMatchObject({
      status: 'FAILED',
      error: { code: 'InvalidParameterValueException', retryable: false },
    });
  });

  it('is the permanent AWS error on the last receive, even with the window open: never a dead letter', async () => {
    const { ledger, aws, pipeline } = setup();
    aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .callsFake(slowly(profileNotVisible, []));

    const error = failureOf(await pipeline.run(queueRequest({ finalAttempt: true })));

    expect(error).toMatchObject({ code: 'InvalidParameterValueException', retryable: false });
    expect(ledger.committed.map(({ status }) => status)).toEqual(['FAILED']);
  });
});
