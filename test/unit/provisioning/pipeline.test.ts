import {
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it, vi } from 'vitest';
import { requestTooLargeError } from '../../../src/basics/errors.js';
import type { GuardrailPolicy } from '../../../src/guardrails/policy.js';
import { operations } from '../../../src/operations/index.js';
import type {
  ProvisioningRequest,
  ProvisioningResult,
} from '../../../src/provisioning/pipeline.js';
import type { RetryPolicy } from '../../../src/provisioning/retry.js';
import { validRequests } from '../../fixtures/requests.js';
import { awsServiceError } from '../../support/awsErrors.js';
import { infrastructureArn } from '../../support/awsMocks.js';
import { fakePipeline, powertoolsError, queueRequest } from '../../support/provisioningFakes.js';

const infra = validRequests.CreateInfrastructureConfiguration;
const getInfra = validRequests.GetInfrastructureConfiguration;

/** Backoff without waiting: the delay's ceiling is 1 ms, and full jitter floors it to 0. */
const FAST_RETRIES: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 };

const throttle = () =>
  awsServiceError('CallRateLimitExceededException', 429, { message: 'slow down' });

const setup = ({ guardrails = {} }: { guardrails?: GuardrailPolicy } = {}) => {
  const { journal, ledger, idempotency, logger, aws, pipeline } = fakePipeline({
    retryPolicy: FAST_RETRIES,
    guardrails,
  });
  const info = vi.spyOn(logger, 'info');
  const warn = vi.spyOn(logger, 'warn');
  /** The `provisioning request` lines, whatever their level. */
  const reportLines = () =>
    [
      ...info.mock.calls.map((call) => ({ level: 'info', call })),
      ...warn.mock.calls.map((call) => ({ level: 'warn', call })),
    ]
      .filter(({ call: [message] }) => message === 'provisioning request')
      .map(({ level, call: [, fields] }) => ({ level, fields }));
  return { journal, ledger, idempotency, aws, pipeline, reportLines };
};

/**
 * A request whose defaults read like a queue message on its final receive (queueRequest), with a
 * correlation id and a requester; `overrides` set the channel differences, the name is a label.
 */
const request = (overrides: Partial<ProvisioningRequest> = {}): ProvisioningRequest =>
  queueRequest({ correlationId: 'ticket-1', requestedBy: 'AIDAEXAMPLE', ...overrides });

const invalid = { ...infra, name: '' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const KEY = 'CreateInfrastructureConfiguration#message-id-1';

const failureOf = (result: ProvisioningResult) => {
  if (result.status !== 'FAILED') throw new Error(`expected a FAILED result, got ${result.status}`);
  return result;
};

describe('createPipeline: an admitted write', () => {
  it('answers an admitted write with the AWS response, announced under the resource ARN and the fallback token', async () => {
    // Prepare
    const { ledger, pipeline } = setup();

    // Act
    const result = await pipeline.run(request());

    // Assess
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      response: { infrastructureConfigurationArn: infrastructureArn('my-infra') },
    });
    expect(result.clientToken).toBe('message-id-1');
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]?.subject).toBe(infrastructureArn('my-infra'));
    expect(ledger.committed[0]).toMatchObject({
      id: expect.stringMatching(UUID),
      operation: 'CreateInfrastructureConfiguration',
      status: 'SUCCEEDED',
      clientToken: 'message-id-1',
      correlationId: 'ticket-1',
      channel: 'sqs',
      requestedBy: 'AIDAEXAMPLE',
      response: {
        requestId: 'aws-request-1',
        clientToken: 'message-id-1',
        infrastructureConfigurationArn: infrastructureArn('my-infra'),
      },
    });
    expect(ledger.records.get(KEY)?.status).toBe('SUCCEEDED');
  });

  it('begins the request in the ledger before the AWS call and commits its end before storing it', async () => {
    // Prepare
    const { journal, ledger, aws, pipeline } = setup();
    const during: unknown[] = [];
    aws.imagebuilder.on(CreateInfrastructureConfigurationCommand).callsFake(async (input) => {
      during.push(ledger.records.get(KEY)?.status);
      return { requestId: 'r', infrastructureConfigurationArn: infrastructureArn(input.name) };
    });

    // Act
    await pipeline.run(request());

    // Assess
    expect(during).toEqual(['IN_PROGRESS']);
    expect(journal).toEqual([`begin ${KEY}`, `settle SUCCEEDED ${KEY}`, `stored ${KEY}`]);
  });

  it('commits nothing for a replay', async () => {
    // Prepare
    const { journal, ledger, pipeline } = setup();
    await pipeline.run(request());
    const written = [...journal];

    // Act
    const replay = await pipeline.run(request());

    // Assess
    expect(replay).toMatchObject({ status: 'SUCCEEDED', replayed: true });
    expect(journal).toEqual(written);
    expect(ledger.committed).toHaveLength(1);
  });

  it.each([
    { label: 'the write was lost', written: false },
    { label: 'the write landed but its answer was lost', written: true },
  ])(
    'commits exactly one outcome, with one id, when a request is retried after a ledger failure ($label)',
    async ({ written }) => {
      // Prepare
      const { ledger, aws, pipeline } = setup();
      ledger.failWith('settle', new Error('ledger table unavailable'), { written });
      const failed = await pipeline.run(request({ finalAttempt: false }));
      ledger.recover();

      // Act
      const retried = await pipeline.run(request({ finalAttempt: false }));

      // Assess
      expect(failureOf(failed).error).toMatchObject({ code: 'ServiceUnavailableException' });
      expect(retried).toMatchObject({ status: 'SUCCEEDED', replayed: false });
      expect(aws.calls()).toHaveLength(2);
      expect(ledger.attempts('settle')).toBe(2);
      expect(ledger.committed).toHaveLength(1);
      expect(ledger.committed[0]).toMatchObject({ status: 'SUCCEEDED', id: expect.any(String) });
      expect(ledger.records.get(KEY)?.outcomes.map(({ id }) => id)).toEqual([
        ledger.committed[0]?.id,
      ]);
      expect(ledger.records.get(KEY)?.status).toBe('SUCCEEDED');
    },
  );
});

describe('createPipeline: refusals follow the request data, not the channel name', () => {
  it.each(['http', 'sqs'] as const)(
    'answers a validation failure without announcing it when the %s request does not announce rejections',
    async (channel) => {
      // Prepare
      const { ledger, aws, pipeline } = setup();

      // Act
      const result = await pipeline.run(
        request({ channel, input: invalid, announcesRejections: false }),
      );

      // Assess
      expect(failureOf(result).error).toMatchObject({ code: 'ValidationException', status: 400 });
      expect(result.operation).toBe(operations.CreateInfrastructureConfiguration);
      expect(ledger.committed).toEqual([]);
      expect(aws.calls()).toHaveLength(0);
    },
  );

  it.each(['http', 'sqs'] as const)(
    'announces a validation failure once when the %s request announces rejections, under the fallback token',
    async (channel) => {
      // Prepare
      const { ledger, aws, pipeline } = setup();

      // Act
      const result = await pipeline.run(
        request({ channel, input: invalid, announcesRejections: true }),
      );

      // Assess
      expect(failureOf(result).error.code).toBe('ValidationException');
      expect(ledger.committed).toHaveLength(1);
      expect(ledger.committed[0]).toStrictEqual({
        id: expect.stringMatching(UUID),
        operation: 'CreateInfrastructureConfiguration',
        clientToken: 'message-id-1',
        correlationId: 'ticket-1',
        channel,
        requestedBy: 'AIDAEXAMPLE',
        status: 'FAILED',
        error: {
          code: 'ValidationException',
          message: 'The request has 1 invalid field.',
          retryable: false,
          errors: [
            {
              path: '/request/name',
              message: expect.stringMatching(/^must match pattern /),
            },
          ],
        },
        time: expect.any(String),
      });
      expect(ledger.records.get('CreateInfrastructureConfiguration#message-id-1')).toMatchObject({
        status: 'FAILED',
        error: { code: 'ValidationException', status: 400 },
      });
      expect(aws.calls()).toHaveLength(0);
    },
  );

  it('announces a refusal under the token the request gave rather than the fallback', async () => {
    // Prepare
    const { ledger, pipeline } = setup();

    // Act
    const result = await pipeline.run(
      request({
        input: invalid,
        clientToken: { value: 'portal-1', label: 'the message clientToken', path: '/clientToken' },
      }),
    );

    // Assess
    expect(result.clientToken).toBe('portal-1');
    expect(ledger.committed[0]?.clientToken).toBe('portal-1');
  });

  it.each([
    { label: 'no operation', operation: undefined, expected: 'Unknown' },
    { label: 'an empty operation', operation: '', expected: 'Unknown' },
    { label: 'an operation that is no string', operation: 7, expected: 'Unknown' },
    // Never what the sender wrote: it becomes an SNS message attribute.
    { label: 'a name we do not offer', operation: 'DeleteEverything', expected: 'Unknown' },
  ])(
    'announces a message with $label under the operation name $expected and the fallback token',
    async ({ operation, expected }) => {
      // Prepare
      const { ledger, pipeline } = setup();

      // Act
      const result = await pipeline.run(request({ operation }));

      // Assess
      expect(result.operation).toBeUndefined();
      expect(failureOf(result).error.code).toBe('ValidationException');
      expect(ledger.committed).toHaveLength(1);
      expect(ledger.committed[0]).toMatchObject({
        operation: expected,
        clientToken: 'message-id-1',
        status: 'FAILED',
      });
    },
  );

  it('answers a guardrail violation with 403 through the guardrails it was built with', async () => {
    // Prepare
    const { aws, pipeline } = setup({
      guardrails: { infrastructure: { instanceTypes: ['m5.large'] } },
    });

    // Act
    const result = await pipeline.run(request({ announcesRejections: false }));

    // Assess
    expect(failureOf(result).error).toMatchObject({
      code: 'PolicyViolationException',
      status: 403,
    });
    expect(aws.calls()).toHaveLength(0);
  });
});

describe('createPipeline: a rejection the channel made', () => {
  const tooLarge = requestTooLargeError(1024);

  it.each([
    {
      label: 'unannounced where rejections are not announced',
      announcesRejections: false,
      outcomes: 0,
    },
    {
      label: 'announced once where rejections are announced',
      announcesRejections: true,
      outcomes: 1,
    },
  ])('answers it without admission or AWS, $label', async ({ announcesRejections, outcomes }) => {
    // Prepare
    const { ledger, aws, pipeline } = setup();

    // Act
    const result = await pipeline.run(
      request({ rejection: tooLarge, input: undefined, announcesRejections }),
    );

    // Assess
    expect(result).toEqual({
      status: 'FAILED',
      operation: operations.CreateInfrastructureConfiguration,
      clientToken: undefined,
      error: tooLarge,
      replayed: false,
    });
    expect(ledger.committed).toHaveLength(outcomes);
    expect(aws.calls()).toHaveLength(0);
  });

  it('announces it under the fallback token with the code and retryable of the rejection', async () => {
    // Prepare
    const { ledger, pipeline } = setup();

    // Act
    await pipeline.run(request({ rejection: tooLarge, operation: undefined, input: undefined }));

    // Assess
    expect(ledger.committed[0]).toMatchObject({
      operation: 'Unknown',
      clientToken: 'message-id-1',
      status: 'FAILED',
      error: { code: 'RequestTooLargeException', retryable: false },
    });
  });
});

describe('createPipeline: reads', () => {
  it('calls AWS directly for a read when the request does not want idempotent reads', async () => {
    // Prepare
    const { ledger, idempotency, aws, pipeline } = setup();
    const read = request({
      operation: 'GetInfrastructureConfiguration',
      input: getInfra,
      idempotentReads: false,
    });

    // Act
    const first = await pipeline.run(read);
    const second = await pipeline.run(read);

    // Assess
    expect(first).toMatchObject({
      status: 'SUCCEEDED',
      replayed: false,
      clientToken: 'message-id-1',
    });
    expect(second.replayed).toBe(false);
    expect(aws.imagebuilder.commandCalls(GetInfrastructureConfigurationCommand)).toHaveLength(2);
    expect(idempotency.runs()).toBe(0);
    expect(ledger.committed).toEqual([]);
  });

  it('reads once per token and announces it when the request wants idempotent reads', async () => {
    // Prepare
    const { ledger, idempotency, aws, pipeline } = setup();
    const read = request({
      operation: 'GetInfrastructureConfiguration',
      input: getInfra,
      idempotentReads: true,
    });

    // Act
    const first = await pipeline.run(read);
    const redelivered = await pipeline.run(read);

    // Assess
    expect(first).toMatchObject({ status: 'SUCCEEDED', replayed: false });
    expect(redelivered).toMatchObject({ status: 'SUCCEEDED', replayed: true });
    expect(aws.imagebuilder.commandCalls(GetInfrastructureConfigurationCommand)).toHaveLength(1);
    expect([...idempotency.records.keys()]).toEqual([
      'GetInfrastructureConfiguration#message-id-1',
    ]);
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]?.subject).toBe(getInfra.infrastructureConfigurationArn);
  });

  it('runs a write once per token even when the request does not want idempotent reads', async () => {
    // Prepare
    const { ledger, aws, pipeline } = setup();
    const write = request({ idempotentReads: false, clientToken: { value: 'w-1', label: 'key' } });

    // Act
    await pipeline.run(write);
    const replay = await pipeline.run(write);

    // Assess
    expect(replay).toMatchObject({ status: 'SUCCEEDED', replayed: true, clientToken: 'w-1' });
    expect(aws.imagebuilder.commandCalls(CreateInfrastructureConfigurationCommand)).toHaveLength(1);
    expect(ledger.committed).toHaveLength(1);
  });
});

describe('createPipeline: failures around the AWS call', () => {
  it('answers a throttle the channel will redeliver as a retryable FAILED, announcing nothing', async () => {
    // Prepare
    const { ledger, aws, pipeline } = setup();
    aws.imagebuilder.on(CreateInfrastructureConfigurationCommand).rejects(throttle());

    // Act
    const result = await pipeline.run(request({ finalAttempt: false }));

    // Assess
    expect(failureOf(result).error).toMatchObject({ status: 429, retryable: true });
    expect(result.clientToken).toBe('message-id-1');
    expect(ledger.committed).toEqual([]);
  });

  it('announces a throttle on the final attempt exactly once', async () => {
    // Prepare
    const { ledger, aws, pipeline } = setup();
    aws.imagebuilder.on(CreateInfrastructureConfigurationCommand).rejects(throttle());

    // Act
    const result = await pipeline.run(request({ finalAttempt: true, announcesRejections: true }));

    // Assess
    expect(failureOf(result).error.code).toBe('CallRateLimitExceededException');
    expect(ledger.committed).toHaveLength(1);
    expect(ledger.committed[0]?.error).toMatchObject({ retryable: true });
  });

  it('keeps 2 s of the remaining time back from AWS retries', async () => {
    // Prepare
    const roomy = setup();
    const tight = setup();
    for (const { aws } of [roomy, tight]) {
      aws.imagebuilder.on(CreateInfrastructureConfigurationCommand).rejects(throttle());
    }

    // Act
    await roomy.pipeline.run(request({ finalAttempt: false, remainingTimeMs: 30_000 }));
    await tight.pipeline.run(request({ finalAttempt: false, remainingTimeMs: 2_000 }));

    // Assess
    expect(roomy.aws.calls()).toHaveLength(FAST_RETRIES.maxAttempts);
    expect(tight.aws.calls()).toHaveLength(1);
  });

  it('does not announce the token in use elsewhere, even on the final attempt', async () => {
    // Prepare
    const { ledger, idempotency, pipeline } = setup();
    idempotency.failNextWith(powertoolsError('IdempotencyAlreadyInProgressError'));

    // Act
    const result = await pipeline.run(request({ finalAttempt: true, announcesRejections: true }));

    // Assess
    expect(failureOf(result).error).toMatchObject({
      code: 'IdempotencyInProgressException',
      status: 409,
    });
    expect(ledger.committed).toEqual([]);
  });

  it.each([
    { label: 'announces', announcesRejections: true, outcomes: 1 },
    { label: 'only answers', announcesRejections: false, outcomes: 0 },
  ])(
    '$label a token reused with another request where announcesRejections is $announcesRejections',
    async ({ announcesRejections, outcomes }) => {
      // Prepare
      const { ledger, idempotency, pipeline } = setup();
      idempotency.failNextWith(powertoolsError('IdempotencyValidationError'));

      // Act
      const result = await pipeline.run(request({ announcesRejections }));

      // Assess
      expect(failureOf(result).error).toMatchObject({
        code: 'IdempotentParameterMismatchException',
        status: 422,
      });
      expect(ledger.committed).toHaveLength(outcomes);
    },
  );

  it.each([
    {
      label: 'for a caller who hears it in the answer',
      flags: { finalAttempt: true, announcesRejections: false },
      attempts: 1,
    },
    {
      label: 'on an attempt the channel will redeliver',
      flags: { finalAttempt: false, announcesRejections: true },
      attempts: 1,
    },
    {
      label: 'on the final attempt, after announcing the 503 failed too',
      flags: { finalAttempt: true, announcesRejections: true },
      attempts: 2,
    },
  ])(
    'ends a ledger failure after the AWS call as a FAILED 503, not a throw, $label',
    async ({ flags, attempts }) => {
      // Prepare
      const { ledger, idempotency, aws, pipeline } = setup();
      const tableDown = new Error('ledger table unavailable');
      ledger.failWith('settle', tableDown);
      ledger.failWith('refuse', tableDown);

      // Act
      const result = await pipeline.run(request(flags));

      // Assess
      expect(result.status).toBe('FAILED');
      expect(result.operation).toBe(operations.CreateInfrastructureConfiguration);
      expect(failureOf(result).error).toMatchObject({
        code: 'ServiceUnavailableException',
        status: 503,
        message: 'The request ledger is unavailable; retry later.',
        retryable: true,
        cause: tableDown,
      });
      expect(aws.calls()).toHaveLength(1);
      // The settle, then (on the final attempt) the refusal announcing the 503.
      expect(ledger.attempts('settle') + ledger.attempts('refuse')).toBe(attempts);
      expect(ledger.committed).toEqual([]);
      expect(idempotency.records.size).toBe(0);
    },
  );

  it.each([
    {
      label: 'for a caller who hears it in the answer',
      flags: { finalAttempt: true, announcesRejections: false },
      committed: [],
    },
    {
      label: 'on an attempt the channel will redeliver',
      flags: { finalAttempt: false, announcesRejections: true },
      committed: [],
    },
    {
      label: 'on the final attempt, committing the 503 as its outcome',
      flags: { finalAttempt: true, announcesRejections: true },
      committed: ['ServiceUnavailableException'],
    },
  ])(
    'ends a ledger failure before the AWS call as a FAILED 503 without calling AWS, $label',
    async ({ flags, committed }) => {
      // Prepare
      const { ledger, idempotency, aws, pipeline } = setup();
      const tableDown = new Error('ledger table unavailable');
      ledger.failWith('begin', tableDown);

      // Act
      const result = await pipeline.run(request(flags));

      // Assess
      expect(failureOf(result).error).toMatchObject({
        code: 'ServiceUnavailableException',
        status: 503,
        message: 'The request ledger is unavailable; retry later.',
        retryable: true,
        cause: tableDown,
      });
      expect(aws.calls()).toHaveLength(0);
      expect(ledger.attempts('begin')).toBe(1);
      expect(ledger.committed.map(({ error }) => error?.code)).toEqual(committed);
      expect(idempotency.records.size).toBe(0);
    },
  );

  it('rethrows what is no ProvisioningError (a bug), as it is', async () => {
    // Prepare
    const { idempotency, pipeline } = setup();
    const bug = new TypeError('x is not a function');
    idempotency.failNextWith(bug);

    // Act
    const thrown = await pipeline.run(request()).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(thrown).toBe(bug);
  });
});

describe('createPipeline: one log line per request', () => {
  it('logs a success at info with who asked, how, and how it ended', async () => {
    // Prepare
    const { pipeline, reportLines } = setup();

    // Act
    await pipeline.run(request({ clientToken: { value: 'log-1', label: 'key' } }));

    // Assess
    const lines = reportLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('info');
    expect(lines[0]?.fields).toEqual({
      operation: 'CreateInfrastructureConfiguration',
      clientToken: 'log-1',
      channel: 'sqs',
      correlationId: 'ticket-1',
      requestedBy: 'AIDAEXAMPLE',
      outcome: 'SUCCEEDED',
      replayed: false,
      durationMs: expect.any(Number),
    });
  });

  it('logs a replay with replayed: true', async () => {
    // Prepare
    const { pipeline, reportLines } = setup();
    const write = request({ clientToken: { value: 'log-2', label: 'key' } });
    await pipeline.run(write);

    // Act
    await pipeline.run(write);

    // Assess
    const lines = reportLines();
    expect(lines.map(({ fields }) => (fields as { replayed: boolean }).replayed)).toEqual([
      false,
      true,
    ]);
  });

  it('logs a refusal below 500 at info with its error code and status', async () => {
    // Prepare
    const { pipeline, reportLines } = setup();

    // Act
    await pipeline.run(request({ operation: 'Nope', channel: 'http' }));

    // Assess
    const lines = reportLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('info');
    expect(lines[0]?.fields).toMatchObject({
      operation: 'Unknown',
      clientToken: undefined,
      channel: 'http',
      outcome: 'FAILED',
      replayed: false,
      errorCode: 'ValidationException',
      httpStatus: 400,
    });
    expect(lines[0]?.fields).not.toHaveProperty('cause');
  });

  it('logs a 5xx at warn, with its cause for operators', async () => {
    // Prepare
    const { ledger, pipeline, reportLines } = setup();
    ledger.failWith(
      'settle',
      Object.assign(new Error('Requested resource not found'), {
        name: 'ResourceNotFoundException',
      }),
    );

    // Act
    await pipeline.run(request({ finalAttempt: false }));

    // Assess
    const lines = reportLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('warn');
    expect(lines[0]?.fields).toMatchObject({
      operation: 'CreateInfrastructureConfiguration',
      outcome: 'FAILED',
      errorCode: 'ServiceUnavailableException',
      httpStatus: 503,
      cause: expect.stringContaining('ResourceNotFoundException: Requested resource not found'),
    });
  });

  it('logs an AWS failure at the level of the status it maps to', async () => {
    // Prepare
    const permanent = setup();
    const transient = setup();
    permanent.aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .rejects(awsServiceError('InvalidParameterValueException', 400));
    transient.aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .rejects(awsServiceError('ServiceException', 500));

    // Act
    await permanent.pipeline.run(request());
    await transient.pipeline.run(request());

    // Assess
    expect(permanent.reportLines().map(({ level }) => level)).toEqual(['info']);
    expect(transient.reportLines().map(({ level }) => level)).toEqual(['warn']);
    expect(transient.reportLines()[0]?.fields).toMatchObject({
      errorCode: 'ServiceException',
      httpStatus: 503,
    });
  });
});
