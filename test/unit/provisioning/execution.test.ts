import {
  CreateImageBuilderCommand,
  DescribeImageBuildersCommand,
  ListTagsForResourceCommand,
  StopImageBuilderCommand,
} from '@aws-sdk/client-appstream';
import {
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  UpdateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import { ProvisioningError } from '../../../src/basics/errors.js';
import { DEFAULT_WATCH_TIMING } from '../../../src/ledger/watch.js';
import { operations } from '../../../src/operations/index.js';
import { createAnnouncer } from '../../../src/provisioning/announcement.js';
import { createExecutor, type Job } from '../../../src/provisioning/execution.js';
import type { RetryPolicy } from '../../../src/provisioning/retry.js';
import { validRequests } from '../../fixtures/requests.js';
import { awsServiceError } from '../../support/awsErrors.js';
import {
  type AwsMocks,
  imageBuilderArn,
  infrastructureArn,
  ownedTags,
} from '../../support/awsMocks.js';
import { recordingMetrics } from '../../support/metrics.js';
import { admitted } from '../../support/operations.js';
import {
  fakeIdempotencyStore,
  fakeLedger,
  type Journal,
  mockedAwsClients,
  powertoolsError,
} from '../../support/provisioningFakes.js';

const create = operations.CreateInfrastructureConfiguration;
const get = operations.GetInfrastructureConfiguration;
const createInput = admitted(
  'CreateInfrastructureConfiguration',
  validRequests.CreateInfrastructureConfiguration,
);
const getInput = admitted(
  'GetInfrastructureConfiguration',
  validRequests.GetInfrastructureConfiguration,
);

/** Backoff without waiting: the delay's ceiling is 1 ms, and full jitter floors it to 0. */
const FAST_RETRIES: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 };

const throttle = () =>
  awsServiceError('CallRateLimitExceededException', 429, { message: 'slow down' });
const invalidParameter = () =>
  awsServiceError('InvalidParameterValueException', 400, { message: 'no such instance profile' });

/** Create answers `errors` in turn, then succeeds as AWS would. */
const createFailsThenSucceeds = (aws: AwsMocks, ...errors: Error[]) => {
  let behaviour = aws.imagebuilder.on(CreateInfrastructureConfigurationCommand);
  for (const error of errors) behaviour = behaviour.rejectsOnce(error);
  behaviour.callsFake(async (input) => ({
    requestId: 'aws-request-1',
    clientToken: input.clientToken,
    infrastructureConfigurationArn: infrastructureArn(input.name),
  }));
};

const jobFor = (request: unknown, overrides: Partial<Job> = {}): Job => ({
  clientToken: 'token-1',
  channel: 'sqs',
  correlationId: 'ticket-1',
  requestedBy: 'AIDAEXAMPLE',
  request,
  finalAttempt: false,
  deadline: Date.now() + 30_000,
  ...overrides,
});

const setup = (retryPolicy: RetryPolicy = FAST_RETRIES) => {
  const journal: Journal = [];
  const ledger = fakeLedger({ journal });
  const idempotency = fakeIdempotencyStore(journal);
  const { clients, aws } = mockedAwsClients();
  const executor = createExecutor({
    clients,
    idempotency,
    metrics: recordingMetrics(),
    announcer: createAnnouncer(ledger),
    retryPolicy,
  });
  const createCalls = () => aws.imagebuilder.commandCalls(CreateInfrastructureConfigurationCommand);
  return { journal, ledger, idempotency, aws, executor, createCalls };
};

/** The error a promise rejects with (fails the test if it resolves). */
const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  const settled = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ rejected: error }),
  );
  if (!('rejected' in settled)) throw new Error(`expected a rejection, got ${settled.resolved}`);
  return settled.rejected;
};

const KEY = 'CreateInfrastructureConfiguration#token-1';

describe('createExecutor: once', () => {
  it('begins the request, then commits the success, then stores it, and answers with the AWS response', async () => {
    // Prepare
    const { journal, ledger, executor, createCalls } = setup();

    // Act
    const execution = await executor.once(create, jobFor(createInput));

    // Assess
    const arn = infrastructureArn('my-infra');
    const response = {
      requestId: 'aws-request-1',
      clientToken: 'token-1',
      infrastructureConfigurationArn: arn,
    };
    expect(execution).toEqual({ status: 'SUCCEEDED', response, replayed: false });
    expect(journal).toEqual([`begin ${KEY}`, `settle SUCCEEDED ${KEY}`, `stored ${KEY}`]);
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]).toMatchObject({
      operation: 'CreateInfrastructureConfiguration',
      clientToken: 'token-1',
      correlationId: 'ticket-1',
      channel: 'sqs',
      requestedBy: 'AIDAEXAMPLE',
      status: 'SUCCEEDED',
      response,
      subject: arn,
    });
    expect(ledger.records.get(KEY)).toMatchObject({ status: 'SUCCEEDED', response });
    expect(createCalls()[0]?.args[0].input.clientToken).toBe('token-1');
  });

  it('has the request IN_PROGRESS in the ledger, with no outcome, while AWS is called', async () => {
    // Prepare
    const { ledger, aws, executor } = setup();
    const seen: unknown[] = [];
    aws.imagebuilder.on(CreateInfrastructureConfigurationCommand).callsFake(async (input) => {
      const record = ledger.records.get(KEY);
      seen.push({ status: record?.status, outcomes: record?.outcomes.length });
      return {
        requestId: 'aws-request-1',
        clientToken: input.clientToken,
        infrastructureConfigurationArn: infrastructureArn(input.name),
      };
    });

    // Act
    await executor.once(create, jobFor(createInput));

    // Assess
    expect(seen).toEqual([{ status: 'IN_PROGRESS', outcomes: 0 }]);
    expect(ledger.records.get(KEY)?.status).toBe('SUCCEEDED');
  });

  it('replays a stored success with replayed: true, without calling AWS or writing to the ledger', async () => {
    // Prepare
    const { journal, ledger, executor, createCalls } = setup();
    const first = await executor.once(create, jobFor(createInput));
    const written = [...journal];

    // Act
    const replay = await executor.once(create, jobFor(createInput));

    // Assess
    expect(first.replayed).toBe(false);
    expect(first.status).toBe('SUCCEEDED');
    expect(replay).toEqual({ ...first, replayed: true });
    expect(createCalls()).toHaveLength(1);
    expect(journal).toEqual(written);
    expect(ledger.committed).toHaveLength(1);
  });

  it('keeps one key space per operation: the same token on another operation runs again', async () => {
    // Prepare
    const { idempotency, ledger, executor } = setup();
    await executor.once(create, jobFor(createInput));

    // Act
    const read = await executor.once(get, jobFor(getInput));

    // Assess
    expect(read.replayed).toBe(false);
    expect([...idempotency.records.keys()]).toEqual([
      'CreateInfrastructureConfiguration#token-1',
      'GetInfrastructureConfiguration#token-1',
    ]);
    expect([...ledger.records.keys()]).toEqual([
      'CreateInfrastructureConfiguration#token-1',
      'GetInfrastructureConfiguration#token-1',
    ]);
  });

  it('commits and stores a permanent AWS failure, and replays it as FAILED', async () => {
    // Prepare
    const { journal, ledger, aws, executor, createCalls } = setup();
    aws.imagebuilder.on(CreateInfrastructureConfigurationCommand).rejects(invalidParameter());

    // Act
    const first = await executor.once(create, jobFor(createInput));
    const replay = await executor.once(create, jobFor(createInput));

    // Assess
    expect(first).toMatchObject({
      status: 'FAILED',
      replayed: false,
      error: { code: 'InvalidParameterValueException', status: 400, retryable: false },
    });
    expect(journal).toEqual([`begin ${KEY}`, `settle FAILED ${KEY}`, `stored ${KEY}`]);
    expect(ledger.committed[0]?.error).toEqual({
      code: 'InvalidParameterValueException',
      message: 'no such instance profile',
      retryable: false,
    });
    expect(ledger.committed[0]?.subject).toBe('my-infra');
    expect(ledger.committed[0]).not.toHaveProperty('response');
    expect(ledger.records.get(KEY)?.status).toBe('FAILED');
    expect(replay.status).toBe('FAILED');
    expect(replay.replayed).toBe(true);
    if (replay.status !== 'FAILED' || first.status !== 'FAILED') return;
    expect(replay.error).toBeInstanceOf(ProvisioningError);
    expect(replay.error.toDetails()).toEqual(first.error.toDetails());
    expect(ledger.records.get(KEY)?.error).toEqual(first.error.toDetails());
    expect(createCalls()).toHaveLength(1);
    expect(ledger.committed).toHaveLength(1);
  });

  it('throws a retryable AWS failure on an attempt the channel will redeliver: begun, no outcome committed, not stored', async () => {
    // Prepare
    const { journal, ledger, idempotency, aws, executor, createCalls } = setup();
    aws.imagebuilder.on(CreateInfrastructureConfigurationCommand).rejects(throttle());

    // Act
    const thrown = await rejectionOf(executor.once(create, jobFor(createInput)));

    // Assess
    expect(thrown).toBeInstanceOf(ProvisioningError);
    expect(thrown).toMatchObject({
      code: 'CallRateLimitExceededException',
      status: 429,
      retryable: true,
    });
    expect(journal).toEqual([`begin ${KEY}`]);
    expect(ledger.committed).toEqual([]);
    expect(idempotency.records.size).toBe(0);
    expect(createCalls()).toHaveLength(FAST_RETRIES.maxAttempts);
  });

  it('calls AWS again for a token whose last attempt failed retryably', async () => {
    // Prepare
    const { ledger, aws, executor, createCalls } = setup({ ...FAST_RETRIES, maxAttempts: 1 });
    createFailsThenSucceeds(aws, throttle());
    await rejectionOf(executor.once(create, jobFor(createInput)));

    // Act
    const retried = await executor.once(create, jobFor(createInput));

    // Assess
    expect(retried).toMatchObject({ status: 'SUCCEEDED', replayed: false });
    expect(createCalls()).toHaveLength(2);
    expect(ledger.committed.map(({ status }) => status)).toEqual(['SUCCEEDED']);
  });

  it('commits a retryable AWS failure once on the final attempt and answers FAILED, storing nothing', async () => {
    // Prepare
    const { ledger, idempotency, aws, executor } = setup();
    aws.imagebuilder.on(CreateInfrastructureConfigurationCommand).rejects(throttle());

    // Act
    const execution = await executor.once(create, jobFor(createInput, { finalAttempt: true }));

    // Assess
    expect(execution).toMatchObject({
      status: 'FAILED',
      replayed: false,
      error: { code: 'CallRateLimitExceededException', status: 429, retryable: true },
    });
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]).toMatchObject({
      status: 'FAILED',
      error: { code: 'CallRateLimitExceededException', retryable: true },
    });
    expect(ledger.records.get(KEY)?.status).toBe('FAILED');
    expect(idempotency.records.size).toBe(0);
  });

  it.each([
    {
      name: 'IdempotencyValidationError',
      code: 'IdempotentParameterMismatchException',
      status: 422,
      retryable: false,
    },
    {
      name: 'IdempotencyAlreadyInProgressError',
      code: 'IdempotencyInProgressException',
      status: 409,
      retryable: true,
    },
    {
      name: 'IdempotencyPersistenceLayerError',
      code: 'ServiceUnavailableException',
      status: 503,
      retryable: true,
    },
    {
      name: 'IdempotencyItemAlreadyExistsError',
      code: 'ServiceUnavailableException',
      status: 503,
      retryable: true,
    },
  ])(
    'throws $name from the store as $status $code, without calling AWS or touching the ledger',
    async ({ name, ...expected }) => {
      // Prepare
      const { journal, ledger, idempotency, aws, executor } = setup();
      idempotency.failNextWith(powertoolsError(name));

      // Act
      const thrown = await rejectionOf(
        executor.once(create, jobFor(createInput, { finalAttempt: true })),
      );

      // Assess
      expect(thrown).toBeInstanceOf(ProvisioningError);
      expect(thrown).toMatchObject(expected);
      expect(aws.calls()).toHaveLength(0);
      expect(journal).toEqual([]);
      expect(ledger.records.size).toBe(0);
    },
  );

  it('keeps the store error as the cause of a store-unavailable 503', async () => {
    // Prepare
    const { idempotency, executor } = setup();
    const storeDown = powertoolsError('IdempotencyPersistenceLayerError');
    idempotency.failNextWith(storeDown);

    // Act
    const thrown = await rejectionOf(executor.once(create, jobFor(createInput)));

    // Assess
    expect((thrown as ProvisioningError).cause).toBe(storeDown);
  });

  it('answers a replay with another request as 422 IdempotentParameterMismatchException', async () => {
    // Prepare
    const { executor, createCalls } = setup();
    await executor.once(create, jobFor(createInput));
    const changed = { ...createInput, description: 'another request' };

    // Act
    const thrown = await rejectionOf(executor.once(create, jobFor(changed)));

    // Assess
    expect(thrown).toMatchObject({ code: 'IdempotentParameterMismatchException', status: 422 });
    expect(createCalls()).toHaveLength(1);
  });

  it('rethrows an error that is neither a ProvisioningError nor an idempotency error as it is', async () => {
    // Prepare
    const { idempotency, executor } = setup();
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    idempotency.failNextWith(bug);

    // Act
    const thrown = await rejectionOf(executor.once(create, jobFor(createInput)));

    // Assess
    expect(thrown).toBe(bug);
  });

  it('throws a ledger failure before the AWS call as a retryable 503: AWS not called, nothing stored', async () => {
    // Prepare
    const { journal, ledger, idempotency, executor, createCalls } = setup();
    const tableDown = new Error('ledger table unavailable');
    ledger.failWith('begin', tableDown);

    // Act
    const thrown = await rejectionOf(executor.once(create, jobFor(createInput)));

    // Assess
    expect(thrown).toBeInstanceOf(ProvisioningError);
    expect(thrown).toMatchObject({
      code: 'ServiceUnavailableException',
      status: 503,
      message: 'The request ledger is unavailable; retry later.',
      retryable: true,
      cause: tableDown,
    });
    expect(createCalls()).toHaveLength(0);
    expect(journal).toEqual([`begin ${KEY} rejected`]);
    expect(idempotency.records.size).toBe(0);
    expect(ledger.records.size).toBe(0);
  });

  it('throws a ledger failure after an AWS success as a retryable 503 caused by it and keeps no record, so a retry runs and commits one outcome', async () => {
    // Prepare
    const { journal, ledger, idempotency, executor, createCalls } = setup();
    const tableDown = new Error('ledger table unavailable');
    ledger.failWith('settle', tableDown);
    const thrown = await rejectionOf(executor.once(create, jobFor(createInput)));

    // Act
    ledger.recover();
    const retry = await executor.once(create, jobFor(createInput));

    // Assess
    expect(thrown).toMatchObject({
      code: 'ServiceUnavailableException',
      status: 503,
      message: 'The request ledger is unavailable; retry later.',
      retryable: true,
      cause: tableDown,
    });
    expect(retry).toMatchObject({ status: 'SUCCEEDED', replayed: false });
    expect(createCalls()).toHaveLength(2);
    expect(journal).toEqual([
      `begin ${KEY}`,
      `settle SUCCEEDED ${KEY} rejected`,
      `begin ${KEY}`,
      `settle SUCCEEDED ${KEY}`,
      `stored ${KEY}`,
    ]);
    expect(ledger.committed.map(({ status }) => status)).toEqual(['SUCCEEDED']);
    expect(idempotency.records.size).toBe(1);
  });

  it('commits one outcome, with one id, when the first commit landed but its answer was lost', async () => {
    // Prepare
    const { ledger, idempotency, executor, createCalls } = setup();
    ledger.failWith('settle', new Error('socket timeout'), { written: true });
    const thrown = await rejectionOf(executor.once(create, jobFor(createInput)));
    const firstId = ledger.committed[0]?.id;

    // Act
    ledger.recover();
    const retry = await executor.once(create, jobFor(createInput));

    // Assess
    expect(thrown).toMatchObject({ code: 'ServiceUnavailableException', status: 503 });
    expect(retry).toMatchObject({ status: 'SUCCEEDED', replayed: false });
    expect(createCalls()).toHaveLength(2);
    expect(ledger.attempts('settle')).toBe(2);
    expect(firstId).toEqual(expect.any(String));
    expect(ledger.committed.map(({ id }) => id)).toEqual([firstId]);
    expect(ledger.records.get(KEY)?.status).toBe('SUCCEEDED');
    expect(idempotency.records.size).toBe(1);
  });

  it('retries a throttle within the policy and answers the success', async () => {
    // Prepare
    const { ledger, aws, executor, createCalls } = setup();
    createFailsThenSucceeds(aws, throttle(), awsServiceError('ServiceUnavailableException', 503));

    // Act
    const execution = await executor.once(create, jobFor(createInput));

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(createCalls()).toHaveLength(3);
    expect(ledger.attempts('begin')).toBe(1);
    expect(ledger.committed.map(({ status }) => status)).toEqual(['SUCCEEDED']);
  });

  it('never retries a permanent AWS failure', async () => {
    // Prepare
    const { aws, executor, createCalls } = setup();
    aws.imagebuilder.on(CreateInfrastructureConfigurationCommand).rejects(invalidParameter());

    // Act
    await executor.once(create, jobFor(createInput));

    // Assess
    expect(createCalls()).toHaveLength(1);
  });

  it('stops retrying at the deadline: a throttle with no time left is tried once', async () => {
    // Prepare
    const { aws, executor, createCalls } = setup({ ...FAST_RETRIES, maxAttempts: 10 });
    aws.imagebuilder.on(CreateInfrastructureConfigurationCommand).rejects(throttle());

    // Act
    const thrown = await rejectionOf(
      executor.once(create, jobFor(createInput, { deadline: Date.now() })),
    );

    // Assess
    expect(thrown).toMatchObject({ code: 'CallRateLimitExceededException' });
    expect(createCalls()).toHaveLength(1);
  });
});

describe('createExecutor: direct', () => {
  it('calls AWS without an idempotency record or the ledger', async () => {
    // Prepare
    const { journal, ledger, idempotency, aws, executor } = setup();

    // Act
    const first = await executor.direct(get, jobFor(getInput));
    const second = await executor.direct(get, jobFor(getInput));

    // Assess
    expect(first).toMatchObject({
      status: 'SUCCEEDED',
      replayed: false,
      response: { infrastructureConfiguration: { arn: getInput.infrastructureConfigurationArn } },
    });
    expect(second.replayed).toBe(false);
    expect(aws.imagebuilder.commandCalls(GetInfrastructureConfigurationCommand)).toHaveLength(2);
    expect(idempotency.runs()).toBe(0);
    expect(idempotency.records.size).toBe(0);
    expect(journal).toEqual([]);
    expect(ledger.records.size).toBe(0);
  });

  it.each([
    [
      'a permanent failure keeps its AWS name and status',
      () => awsServiceError('ResourceNotFoundException', 404),
      { code: 'ResourceNotFoundException', status: 404, retryable: false },
    ],
    [
      'a transient failure becomes a retryable 503',
      () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      { code: 'ServiceUnavailableException', status: 503, retryable: true },
    ],
  ])('answers an AWS failure as FAILED, not thrown: %s', async (_, awsError, expected) => {
    // Prepare
    const { journal, aws, executor } = setup({ ...FAST_RETRIES, maxAttempts: 1 });
    aws.imagebuilder.on(GetInfrastructureConfigurationCommand).rejects(awsError());

    // Act
    const execution = await executor.direct(get, jobFor(getInput, { finalAttempt: true }));

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', replayed: false, error: expected });
    expect(journal).toEqual([]);
  });

  it('retries a throttled read within the policy', async () => {
    // Prepare
    const { aws, executor } = setup();
    aws.imagebuilder.on(GetInfrastructureConfigurationCommand).rejects(throttle());

    // Act
    const execution = await executor.direct(get, jobFor(getInput));

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', error: { status: 429 } });
    expect(aws.imagebuilder.commandCalls(GetInfrastructureConfigurationCommand)).toHaveLength(
      FAST_RETRIES.maxAttempts,
    );
  });
});

describe('createExecutor: the watch a success begins', () => {
  const T0 = new Date('2026-11-21T10:00:00.000Z');
  const builderInput = admitted('CreateImageBuilder', validRequests.CreateImageBuilder);
  const BUILDER_KEY = 'CreateImageBuilder#token-1';

  /** The executor on an announcer whose clock stands at T0. */
  const watchSetup = () => {
    const ledger = fakeLedger({ now: () => T0 });
    const { clients, aws } = mockedAwsClients();
    const executor = createExecutor({
      clients,
      idempotency: fakeIdempotencyStore(),
      metrics: recordingMetrics(),
      announcer: createAnnouncer(ledger, DEFAULT_WATCH_TIMING, () => T0),
      retryPolicy: FAST_RETRIES,
    });
    return { ledger, aws, executor };
  };

  it('settles a successful CreateImageBuilder with a watch of the builder AWS answered with', async () => {
    // Prepare
    const { ledger, executor } = watchSetup();

    // Act
    const execution = await executor.once(operations.CreateImageBuilder, jobFor(builderInput));

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(ledger.records.get(BUILDER_KEY)?.watch).toStrictEqual({
      name: 'finance-apps-builder',
      arn: imageBuilderArn('finance-apps-builder'),
      state: 'WATCHING',
      startedAt: T0.toISOString(),
      deadline: '2026-11-21T11:00:00.000Z',
      checks: 0,
      nextCheckAt: '2026-11-21T10:01:00.000Z',
    });
  });

  it('begins the watch once: a replay writes nothing', async () => {
    // Prepare
    const { ledger, executor } = watchSetup();
    await executor.once(operations.CreateImageBuilder, jobFor(builderInput));
    const settled = structuredClone(ledger.records.get(BUILDER_KEY));

    // Act
    const replay = await executor.once(operations.CreateImageBuilder, jobFor(builderInput));

    // Assess
    expect(replay.replayed).toBe(true);
    expect(ledger.records.get(BUILDER_KEY)).toStrictEqual(settled);
    expect(ledger.attempts('settle')).toBe(1);
  });

  it('settles a failed CreateImageBuilder without a watch', async () => {
    // Prepare
    const { ledger, aws, executor } = watchSetup();
    aws.appstream
      .on(CreateImageBuilderCommand)
      .rejects(awsServiceError('InvalidParameterCombinationException', 400));

    // Act
    const execution = await executor.once(
      operations.CreateImageBuilder,
      jobFor(builderInput, { finalAttempt: true }),
    );

    // Assess
    expect(execution.status).toBe('FAILED');
    expect(ledger.records.get(BUILDER_KEY)?.status).toBe('FAILED');
    expect(ledger.records.get(BUILDER_KEY)).not.toHaveProperty('watch');
  });

  it('settles the success of an operation that follows nothing through without a watch', async () => {
    // Prepare
    const { ledger, executor } = watchSetup();

    // Act
    const execution = await executor.once(create, jobFor(createInput));

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(ledger.records.get(KEY)?.status).toBe('SUCCEEDED');
    expect(ledger.records.get(KEY)).not.toHaveProperty('watch');
  });
});

describe('createExecutor: the read before a change', () => {
  const update = operations.UpdateInfrastructureConfiguration;
  const stop = operations.StopImageBuilder;
  const transient = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

  it('is made once in a request, however often the change itself is tried', async () => {
    // Prepare
    const { aws, executor } = setup();
    aws.imagebuilder
      .on(UpdateInfrastructureConfigurationCommand)
      .rejectsOnce(throttle())
      .rejectsOnce(transient())
      .callsFake(async (input) => ({
        requestId: 'aws-request-2',
        clientToken: input.clientToken,
        infrastructureConfigurationArn: input.infrastructureConfigurationArn,
      }));
    aws.appstream
      .on(StopImageBuilderCommand)
      .rejectsOnce(transient())
      .resolves({ ImageBuilder: { Name: 'finance-apps-builder', State: 'STOPPING' } });
    const updateInput = admitted(
      'UpdateInfrastructureConfiguration',
      validRequests.UpdateInfrastructureConfiguration,
    );
    const stopInput = admitted('StopImageBuilder', validRequests.StopImageBuilder);

    // Act
    const updated = await executor.once(update, jobFor(updateInput));
    const stopped = await executor.once(stop, jobFor(stopInput, { clientToken: 'token-2' }));

    // Assess
    expect(updated.status).toBe('SUCCEEDED');
    expect(stopped.status).toBe('SUCCEEDED');
    expect(aws.imagebuilder.commandCalls(UpdateInfrastructureConfigurationCommand)).toHaveLength(3);
    expect(aws.imagebuilder.commandCalls(GetInfrastructureConfigurationCommand)).toHaveLength(1);
    expect(aws.appstream.commandCalls(StopImageBuilderCommand)).toHaveLength(2);
    expect(aws.appstream.commandCalls(DescribeImageBuildersCommand)).toHaveLength(1);
    expect(aws.appstream.commandCalls(ListTagsForResourceCommand)).toHaveLength(1);
  });

  it('is made again in the next attempt when it failed, and again in the next request', async () => {
    // Prepare
    const { aws, executor } = setup();
    aws.imagebuilder
      .on(GetInfrastructureConfigurationCommand)
      .rejectsOnce(throttle())
      .callsFake(async (input) => ({
        infrastructureConfiguration: {
          arn: input.infrastructureConfigurationArn,
          tags: ownedTags(),
        },
      }));
    const updateInput = admitted(
      'UpdateInfrastructureConfiguration',
      validRequests.UpdateInfrastructureConfiguration,
    );

    // Act
    await executor.once(update, jobFor(updateInput));
    await executor.once(update, jobFor(updateInput, { clientToken: 'token-2' }));

    // Assess
    expect(aws.imagebuilder.commandCalls(GetInfrastructureConfigurationCommand)).toHaveLength(3);
    expect(aws.imagebuilder.commandCalls(UpdateInfrastructureConfigurationCommand)).toHaveLength(2);
  });
});
