import { DescribeImageBuildersCommand } from '@aws-sdk/client-appstream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, arnPath, unique } from './support/api.js';
import { type EmulatorCall, withToken } from './support/emulator.js';
import { OutcomeInbox, type ReceivedOutcome, SETTLE_MS } from './support/outcomes.js';
import {
  expectDeadLetteredOnce,
  preparePoisonMessage,
  sendUntilDeadLettered,
} from './support/poison.js';
import { MAX_RECEIVE_COUNT, QUEUE_SETTLE_MS, Queues } from './support/queues.js';
import {
  distributionRequest,
  imageBuilderRequest,
  infrastructureRequest,
  infrastructureUpdate,
  OWNER,
  OWNER_TAG,
} from './support/requests.js';
import { canListenOn, type RunningStack, startStack } from './support/stack.js';
import { eventually } from './support/wait.js';

/*
 * End to end, from the outside only: `npm start` brings the offline stack up, and the tests act
 * as a portal would (HTTP API, request queue, a subscriber of the outcomes topic). What "AWS"
 * received is read from the Image Builder / AppStream emulator's control API.
 */

const STACK_START_TIMEOUT_MS = 90_000;
const OUTCOME_SOURCE = 'image-provisioner.local';

/** What the stack sends AWS for a create: the request, its tags with the stage's ownership tag. */
const owned = <T extends object>(request: T, member = 'tags') => ({
  ...request,
  [member]: {
    ...(request as Record<string, Record<string, string> | undefined>)[member],
    [OWNER_TAG]: OWNER,
  },
});
const OUTCOME_TYPE = 'image-provisioner.provisioning.outcome.v1';
const PROBLEM_JSON = /^application\/problem\+json/;

let stack: RunningStack;
let api: Api;
let outcomes: OutcomeInbox;
let queues: Queues;

beforeAll(async () => {
  stack = await startStack();
  api = new Api(stack.info.httpApi);
  outcomes = await OutcomeInbox.subscribe(stack);
  queues = new Queues(stack);
}, STACK_START_TIMEOUT_MS);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && stack) {
    console.error(`stack output (last 6000 characters):\n${stack.output().slice(-6000)}`);
  }
  if (stack && !stack.exited()) await stack.emulator.clearFaults();
});

afterAll(async () => {
  if (!stack) return;
  if (!stack.exited()) await outcomes?.close();
  await stack.stop();
}, 30_000);

// ------------------------------------------------------------------------------------------------
// Helpers: a portal's moves
// ------------------------------------------------------------------------------------------------

const INFRASTRUCTURE_ARN = /^arn:aws:imagebuilder:us-east-1:\d{12}:infrastructure-configuration\//;

/** Checks that `arn` is the ARN of the infrastructure configuration named `name`. */
const expectInfrastructureArn = (arn: string, name: string): void => {
  expect(arn).toMatch(INFRASTRUCTURE_ARN);
  expect(arn.endsWith(`/${name}`)).toBe(true);
};

/** Creates an infrastructure configuration over HTTP, for tests that need one to exist. */
const existingInfrastructure = async (): Promise<{ name: string; arn: string }> => {
  const name = unique('e2e-infra');
  const response = await api.createInfrastructure(infrastructureRequest(name), unique('prepare'));
  if (response.status !== 201) throw new Error(`could not prepare ${name}: ${response.text}`);
  return { name, arn: response.body.infrastructureConfigurationArn as string };
};

/** The single outcome published for `token` (fails if there is none or more than one). */
const onlyOutcome = async (
  token: string,
  { settleMs = SETTLE_MS, timeoutMs = 15_000 } = {},
): Promise<ReceivedOutcome> => {
  const published = await outcomes.waitFor(token, { settleMs, timeoutMs });
  expect(published, `outcomes published for ${token}`).toHaveLength(1);
  return published[0] as ReceivedOutcome;
};

/** The `data` of the SUCCEEDED outcome of a queue message that carried `token`. */
const succeededOverQueue = (
  operation: string,
  token: string,
  response: Record<string, unknown>,
  message: { correlationId?: string } = {},
) => ({
  operation,
  clientToken: token,
  ...message,
  channel: 'sqs',
  // The SQS SenderId of the sending principal (the local SQS reports its account id).
  requestedBy: '000000000000',
  status: 'SUCCEEDED',
  response: { requestId: expect.any(String), clientToken: token, ...response },
});

/** The calls of `operation` AWS received that `matches` (fails unless there is exactly one). */
const onlyCall = async (
  operation: string,
  matches: (input: Record<string, unknown>) => boolean,
): Promise<EmulatorCall> => {
  const calls = await stack.emulator.callsOf(operation, matches);
  expect(calls, `${operation} calls`).toHaveLength(1);
  return calls[0] as EmulatorCall;
};

const infrastructureCalls = (token: string): Promise<EmulatorCall[]> =>
  stack.emulator.callsOf('CreateInfrastructureConfiguration', withToken(token));

// ------------------------------------------------------------------------------------------------
// HTTP
// ------------------------------------------------------------------------------------------------

describe.concurrent('each operation over HTTP', () => {
  it('POST /infrastructure-configurations creates it in AWS once with the clientToken and answers 201 with Location', async ({
    expect,
  }) => {
    // Prepare
    const name = unique('e2e-infra');
    const token = unique('http-create-infra');
    const request = infrastructureRequest(name);

    // Act
    const response = await api.createInfrastructure(request, token, {
      'x-correlation-id': 'portal-ticket-1',
    });

    // Assess
    expect(response.status, response.text).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const arn = response.body.infrastructureConfigurationArn as string;
    expectInfrastructureArn(arn, name);
    expect(response.body).toEqual({
      requestId: expect.any(String),
      clientToken: token,
      infrastructureConfigurationArn: arn,
    });
    expect(response.headers.get('location')).toBe(arnPath(arn));
    expect(response.headers.get('idempotency-key')).toBe(token);
    expect(response.headers.get('x-correlation-id')).toBe('portal-ticket-1');
    expect(response.headers.get('idempotent-replayed')).toBeNull();
    const call = await onlyCall('CreateInfrastructureConfiguration', withToken(token));
    expect(call.input).toEqual({ ...owned(request), clientToken: token });
    const outcome = await onlyOutcome(token);
    expect(outcome.event).toEqual({
      specversion: '1.0',
      id: expect.any(String),
      source: OUTCOME_SOURCE,
      type: OUTCOME_TYPE,
      subject: arn,
      time: expect.any(String),
      datacontenttype: 'application/json',
      data: {
        operation: 'CreateInfrastructureConfiguration',
        clientToken: token,
        correlationId: 'portal-ticket-1',
        channel: 'http',
        status: 'SUCCEEDED',
        response: response.body,
      },
    });
    expect(outcome.attributes).toEqual({
      operation: 'CreateInfrastructureConfiguration',
      status: 'SUCCEEDED',
      channel: 'http',
      event: 'ProvisioningOutcome',
    });
  });

  it('GET /infrastructure-configurations/{arn} reads a configuration created earlier from the stateful AWS and publishes nothing', async ({
    expect,
  }) => {
    // Prepare
    const { name, arn } = await existingInfrastructure();
    const request = infrastructureRequest(name);

    // Act
    const response = await api.send('GET', arnPath(arn));

    // Assess
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({
      requestId: expect.any(String),
      infrastructureConfiguration: {
        arn,
        name,
        description: request.description,
        instanceTypes: request.instanceTypes,
        instanceProfileName: request.instanceProfileName,
        securityGroupIds: request.securityGroupIds,
        subnetId: request.subnetId,
        terminateInstanceOnFailure: request.terminateInstanceOnFailure,
        instanceMetadataOptions: request.instanceMetadataOptions,
        tags: owned(request).tags,
        dateCreated: expect.any(String),
      },
    });
    expect(response.headers.get('idempotency-key')).toBeNull();
    const call = await onlyCall(
      'GetInfrastructureConfiguration',
      (input) => input.infrastructureConfigurationArn === arn,
    );
    expect(call.input).toEqual({ infrastructureConfigurationArn: arn });
    await outcomes.drainFor(SETTLE_MS);
    expect(
      outcomes
        .all()
        .filter(
          ({ event }) =>
            event.data.operation === 'GetInfrastructureConfiguration' && event.subject === arn,
        ),
    ).toEqual([]);
  });

  it('PUT /infrastructure-configurations/{arn} after a create updates it in AWS once, and a GET shows the new values', async ({
    expect,
  }) => {
    // Prepare
    const { arn } = await existingInfrastructure();
    const token = unique('http-update-infra');
    const update = infrastructureUpdate();

    // Act
    const response = await api.send('PUT', arnPath(arn), update, { 'idempotency-key': token });
    const read = await api.send('GET', arnPath(arn));

    // Assess
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({
      requestId: expect.any(String),
      clientToken: token,
      infrastructureConfigurationArn: arn,
    });
    expect(response.headers.get('idempotency-key')).toBe(token);
    expect(response.headers.get('location')).toBeNull();
    const call = await onlyCall('UpdateInfrastructureConfiguration', withToken(token));
    expect(call.input).toEqual({
      ...update,
      infrastructureConfigurationArn: arn,
      clientToken: token,
    });
    expect(read.body.infrastructureConfiguration).toMatchObject({
      arn,
      description: update.description,
      instanceTypes: update.instanceTypes,
      terminateInstanceOnFailure: update.terminateInstanceOnFailure,
      dateUpdated: expect.any(String),
    });
    const outcome = await onlyOutcome(token);
    expect(outcome.event.subject).toBe(arn);
    expect(outcome.event.data).toEqual({
      operation: 'UpdateInfrastructureConfiguration',
      clientToken: token,
      channel: 'http',
      status: 'SUCCEEDED',
      response: response.body,
    });
  });

  it('POST /distribution-configurations creates it in AWS once with the clientToken and answers 201 with Location', async ({
    expect,
  }) => {
    // Prepare
    const name = unique('e2e-distribution');
    const token = unique('http-create-distribution');
    const request = distributionRequest(name);

    // Act
    const response = await api.send('POST', '/distribution-configurations', request, {
      'idempotency-key': token,
    });

    // Assess
    expect(response.status, response.text).toBe(201);
    const arn = response.body.distributionConfigurationArn as string;
    expect(arn).toMatch(
      new RegExp(`^arn:aws:imagebuilder:us-east-1:\\d{12}:distribution-configuration/${name}$`),
    );
    expect(response.body).toEqual({
      requestId: expect.any(String),
      clientToken: token,
      distributionConfigurationArn: arn,
    });
    expect(response.headers.get('location')).toBe(
      `/distribution-configurations/${encodeURIComponent(arn)}`,
    );
    expect(response.headers.get('idempotency-key')).toBe(token);
    const call = await onlyCall('CreateDistributionConfiguration', withToken(token));
    expect(call.input).toEqual({ ...owned(request), clientToken: token });
    const outcome = await onlyOutcome(token);
    expect(outcome.event.subject).toBe(arn);
    expect(outcome.event.data).toMatchObject({
      operation: 'CreateDistributionConfiguration',
      channel: 'http',
      status: 'SUCCEEDED',
      response: response.body,
    });
  });

  it('POST /image-builders creates the builder with the body ClientToken, which never reaches AppStream', async ({
    expect,
  }) => {
    // Prepare
    const name = unique('e2e-builder');
    const token = unique('http-create-builder');
    const request = imageBuilderRequest(name);

    // Act
    const response = await api.send('POST', '/image-builders', { ...request, ClientToken: token });

    // Assess
    expect(response.status, response.text).toBe(201);
    expect(response.headers.get('idempotency-key')).toBe(token);
    expect(response.body.ClientToken).toBe(token);
    expect(response.body.ImageBuilder).toMatchObject({
      Name: name,
      Arn: expect.stringMatching(new RegExp(`:image-builder/${name}$`)),
      InstanceType: request.InstanceType,
      State: 'PENDING',
    });
    const call = await onlyCall('CreateImageBuilder', (input) => input.Name === name);
    expect(call.service).toBe('appstream');
    expect(call.input).toEqual(owned(request, 'Tags'));
    expect(call.input).not.toHaveProperty('ClientToken');
    const outcome = await onlyOutcome(token);
    const { ClientToken: _ours, ...awsResponse } = response.body;
    expect(outcome.event.subject).toBe((response.body.ImageBuilder as { Arn: string }).Arn);
    expect(outcome.event.data).toMatchObject({
      operation: 'CreateImageBuilder',
      channel: 'http',
      status: 'SUCCEEDED',
      response: awsResponse,
    });
  });

  it('an image builder created over HTTP reaches RUNNING in AppStream', async ({ expect }) => {
    // Prepare
    const name = unique('e2e-builder');

    // Act
    const response = await api.send('POST', '/image-builders', imageBuilderRequest(name));

    // Assess
    expect(response.status, response.text).toBe(201);
    expect(response.headers.get('idempotency-key')).toEqual(expect.any(String));
    const running = await eventually(
      async () => {
        const { ImageBuilders = [] } = await stack.appstream.send(
          new DescribeImageBuildersCommand({ Names: [name] }),
        );
        return ImageBuilders[0]?.State === 'RUNNING' ? ImageBuilders[0] : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: `image builder ${name} to be RUNNING` },
    );
    expect(running).toMatchObject({ Name: name, State: 'RUNNING' });
  });

  it('the terminal of npm start shows each outcome as it is published', async ({ expect }) => {
    // Prepare
    const token = unique('http-terminal');

    // Act
    const response = await api.createInfrastructure(
      infrastructureRequest(unique('e2e-infra')),
      token,
    );

    // Assess
    expect(response.status, response.text).toBe(201);
    const outcome = await onlyOutcome(token);
    // The event id exists only in the published event, not in any log line.
    const printed = await eventually(
      () =>
        stack
          .stdout()
          .split('\n')
          .find((line) => line.includes(outcome.event.id)),
      { timeoutMs: 10_000, what: 'the outcome on the stack stdout', diagnostics: stack.output },
    );
    expect(printed).toContain(token);
  });
});

// ------------------------------------------------------------------------------------------------
// Idempotency and validation over HTTP
// ------------------------------------------------------------------------------------------------

describe.concurrent('idempotency and validation over HTTP', () => {
  it('a replay with the same Idempotency-Key answers the first response again without calling AWS or publishing', async ({
    expect,
  }) => {
    // Prepare
    const name = unique('e2e-infra');
    const token = unique('http-replay');
    const request = infrastructureRequest(name);
    const first = await api.createInfrastructure(request, token);

    // Act
    const replay = await api.createInfrastructure(request, token);

    // Assess
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(replay.status, replay.text).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('idempotency-key')).toBe(token);
    expect(replay.headers.get('location')).toBe(first.headers.get('location'));
    await onlyCall('CreateInfrastructureConfiguration', withToken(token));
    const outcome = await onlyOutcome(token);
    expect(outcome.event.data.response).toEqual(first.body);
  });

  it('the same Idempotency-Key with a different body is a 422 IdempotentParameterMismatchException and reaches no AWS', async ({
    expect,
  }) => {
    // Prepare
    const name = unique('e2e-infra');
    const token = unique('http-mismatch');
    const first = await api.createInfrastructure(infrastructureRequest(name), token);

    // Act
    const mismatch = await api.createInfrastructure(
      { ...infrastructureRequest(name), description: 'something else entirely' },
      token,
    );

    // Assess
    expect(first.status, first.text).toBe(201);
    expect(mismatch.status, mismatch.text).toBe(422);
    expect(mismatch.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(mismatch.body).toMatchObject({
      type: 'urn:image-provisioner:problem:IdempotentParameterMismatchException',
      status: 422,
      code: 'IdempotentParameterMismatchException',
      requestId: expect.any(String),
    });
    await onlyCall('CreateInfrastructureConfiguration', withToken(token));
    await onlyOutcome(token);
  });

  it('an invalid request is a 400 problem with JSON Pointers, reaches no AWS and publishes nothing', async ({
    expect,
  }) => {
    // Prepare
    const name = unique('e2e-infra');
    const token = unique('http-invalid');
    const request = {
      ...infrastructureRequest(name),
      instanceMetadataOptions: { httpTokens: 'Optional', httpPutResponseHopLimit: 2 },
      unknownMember: true,
    };

    // Act
    const response = await api.createInfrastructure(request, token);

    // Assess
    expect(response.status, response.text).toBe(400);
    expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({
      type: 'urn:image-provisioner:problem:ValidationException',
      title: expect.any(String),
      status: 400,
      detail: expect.any(String),
      code: 'ValidationException',
      requestId: expect.any(String),
    });
    const paths = (response.body.errors as { path: string }[]).map(({ path }) => path);
    expect(paths).toEqual(
      expect.arrayContaining(['/instanceMetadataOptions/httpTokens', '/unknownMember']),
    );
    const calls = await stack.emulator.callsOf(
      'CreateInfrastructureConfiguration',
      (input) => input.name === name,
    );
    expect(calls).toEqual([]);
    expect(await outcomes.waitFor(token, { timeoutMs: 0 })).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------
// Queue
// ------------------------------------------------------------------------------------------------

describe.concurrent('each operation over the queue', () => {
  it('CreateInfrastructureConfiguration from the queue reaches AWS once with the clientToken and publishes one SUCCEEDED outcome', async ({
    expect,
  }) => {
    // Prepare
    const name = unique('e2e-infra');
    const token = unique('sqs-create-infra');
    const request = infrastructureRequest(name);

    // Act
    await queues.send({
      operation: 'CreateInfrastructureConfiguration',
      clientToken: token,
      correlationId: 'portal-ticket-2',
      request,
    });

    // Assess
    const outcome = await onlyOutcome(token, { settleMs: QUEUE_SETTLE_MS });
    const arn = outcome.event.subject as string;
    expectInfrastructureArn(arn, name);
    expect(outcome.event).toMatchObject({
      specversion: '1.0',
      type: OUTCOME_TYPE,
      source: OUTCOME_SOURCE,
      datacontenttype: 'application/json',
    });
    expect(outcome.event.data).toEqual(
      succeededOverQueue(
        'CreateInfrastructureConfiguration',
        token,
        { infrastructureConfigurationArn: arn },
        { correlationId: 'portal-ticket-2' },
      ),
    );
    expect(outcome.attributes).toEqual({
      operation: 'CreateInfrastructureConfiguration',
      status: 'SUCCEEDED',
      channel: 'sqs',
      event: 'ProvisioningOutcome',
    });
    const call = await onlyCall('CreateInfrastructureConfiguration', withToken(token));
    expect(call.input).toEqual({ ...owned(request), clientToken: token });
  });

  it('UpdateInfrastructureConfiguration from the queue updates an existing configuration once', async ({
    expect,
  }) => {
    // Prepare
    const { arn } = await existingInfrastructure();
    const token = unique('sqs-update-infra');
    const request = { ...infrastructureUpdate(), infrastructureConfigurationArn: arn };

    // Act
    await queues.send({
      operation: 'UpdateInfrastructureConfiguration',
      clientToken: token,
      request,
    });

    // Assess
    const outcome = await onlyOutcome(token, { settleMs: QUEUE_SETTLE_MS });
    expect(outcome.event.subject).toBe(arn);
    expect(outcome.event.data).toEqual(
      succeededOverQueue('UpdateInfrastructureConfiguration', token, {
        infrastructureConfigurationArn: arn,
      }),
    );
    const call = await onlyCall('UpdateInfrastructureConfiguration', withToken(token));
    expect(call.input).toEqual({ ...request, clientToken: token });
  });

  it('GetInfrastructureConfiguration from the queue publishes what AWS stored', async ({
    expect,
  }) => {
    // Prepare
    const { name, arn } = await existingInfrastructure();
    const token = unique('sqs-get-infra');

    // Act
    await queues.send({
      operation: 'GetInfrastructureConfiguration',
      clientToken: token,
      request: { infrastructureConfigurationArn: arn },
    });

    // Assess
    const outcome = await onlyOutcome(token, { settleMs: QUEUE_SETTLE_MS });
    expect(outcome.event.subject).toBe(arn);
    expect(outcome.event.data).toMatchObject({
      operation: 'GetInfrastructureConfiguration',
      clientToken: token,
      channel: 'sqs',
      status: 'SUCCEEDED',
      response: { infrastructureConfiguration: { arn, name } },
    });
    const call = await onlyCall(
      'GetInfrastructureConfiguration',
      (input) => input.infrastructureConfigurationArn === arn,
    );
    expect(call.input).toEqual({ infrastructureConfigurationArn: arn });
  });

  it('CreateDistributionConfiguration from the queue reaches AWS once with the clientToken', async ({
    expect,
  }) => {
    // Prepare
    const name = unique('e2e-distribution');
    const token = unique('sqs-create-distribution');
    const request = distributionRequest(name);

    // Act
    await queues.send({
      operation: 'CreateDistributionConfiguration',
      clientToken: token,
      request,
    });

    // Assess
    const outcome = await onlyOutcome(token, { settleMs: QUEUE_SETTLE_MS });
    const arn = outcome.event.subject as string;
    expect(arn).toMatch(new RegExp(`:distribution-configuration/${name}$`));
    expect(outcome.event.data).toEqual(
      succeededOverQueue('CreateDistributionConfiguration', token, {
        distributionConfigurationArn: arn,
      }),
    );
    const call = await onlyCall('CreateDistributionConfiguration', withToken(token));
    expect(call.input).toEqual({ ...owned(request), clientToken: token });
  });

  it('CreateImageBuilder from the queue takes request.ClientToken as its token and keeps it from AppStream', async ({
    expect,
  }) => {
    // Prepare
    const name = unique('e2e-builder');
    const token = unique('sqs-create-builder');
    const request = imageBuilderRequest(name);

    // Act
    await queues.send({
      operation: 'CreateImageBuilder',
      request: { ...request, ClientToken: token },
    });

    // Assess
    const outcome = await onlyOutcome(token, { settleMs: QUEUE_SETTLE_MS });
    expect(outcome.event.subject).toMatch(
      new RegExp(`^arn:aws:appstream:.*:image-builder/${name}$`),
    );
    expect(outcome.event.data).toMatchObject({
      operation: 'CreateImageBuilder',
      clientToken: token,
      channel: 'sqs',
      status: 'SUCCEEDED',
      response: { ImageBuilder: { Name: name, Arn: outcome.event.subject, State: 'PENDING' } },
    });
    const call = await onlyCall('CreateImageBuilder', (input) => input.Name === name);
    expect(call.input).toEqual(owned(request, 'Tags'));
  });
});

// ------------------------------------------------------------------------------------------------
// AWS failures (faults are global to an operation: these tests run one at a time)
// ------------------------------------------------------------------------------------------------

describe('when AWS fails', () => {
  it('ResourceAlreadyExistsException from AWS is a 400 problem with that code and one FAILED outcome', async () => {
    // Prepare
    const name = unique('e2e-infra');
    const token = unique('http-already-exists');
    await stack.emulator.fault({
      operation: 'CreateInfrastructureConfiguration',
      error: 'ResourceAlreadyExistsException',
      count: 1,
    });

    // Act
    const response = await api.createInfrastructure(infrastructureRequest(name), token);

    // Assess
    expect(response.status, response.text).toBe(400);
    expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(response.body).toMatchObject({
      type: 'urn:image-provisioner:problem:ResourceAlreadyExistsException',
      status: 400,
      code: 'ResourceAlreadyExistsException',
      requestId: expect.any(String),
    });
    const calls = await infrastructureCalls(token);
    expect(calls.map((call) => call.error)).toEqual(['ResourceAlreadyExistsException']);
    const outcome = await onlyOutcome(token);
    expect(outcome.event.data).toMatchObject({
      channel: 'http',
      status: 'FAILED',
      error: { code: 'ResourceAlreadyExistsException', retryable: false },
    });
  });

  it('ServiceQuotaExceededException from AWS keeps its 402 status', async () => {
    // Prepare
    const token = unique('http-quota');
    await stack.emulator.fault({
      operation: 'CreateInfrastructureConfiguration',
      error: 'ServiceQuotaExceededException',
      count: 1,
    });

    // Act
    const response = await api.createInfrastructure(
      infrastructureRequest(unique('e2e-infra')),
      token,
    );

    // Assess
    expect(response.status, response.text).toBe(402);
    expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ status: 402, code: 'ServiceQuotaExceededException' });
    const calls = await infrastructureCalls(token);
    expect(calls.map((call) => call.error)).toEqual(['ServiceQuotaExceededException']);
  });

  it('an AWS throttle is a 429 with Retry-After, and the same request succeeds once AWS recovers', async () => {
    // Prepare
    const token = unique('http-throttle');
    const request = infrastructureRequest(unique('e2e-infra'));
    await stack.emulator.fault({
      operation: 'CreateInfrastructureConfiguration',
      error: 'CallRateLimitExceededException',
      count: -1,
    });

    // Act
    const throttled = await api.createInfrastructure(request, token);
    await stack.emulator.clearFaults();
    const retried = await api.createInfrastructure(request, token);

    // Assess
    expect(throttled.status, throttled.text).toBe(429);
    expect(throttled.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(throttled.body).toMatchObject({ status: 429, code: 'CallRateLimitExceededException' });
    // A retryable failure is not remembered: the retry reaches AWS again and is no replay.
    expect(retried.status, retried.text).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    const calls = await infrastructureCalls(token);
    expect(calls.at(-1)?.error).toBeUndefined();
    expect(calls.slice(0, -1).length).toBeGreaterThanOrEqual(1);
    expect(new Set(calls.slice(0, -1).map((call) => call.error))).toEqual(
      new Set(['CallRateLimitExceededException']),
    );
    const published = await outcomes.waitFor(token, { count: 2 });
    expect(published.map(({ event }) => [event.data.status, event.data.error?.retryable])).toEqual(
      expect.arrayContaining([
        ['FAILED', true],
        ['SUCCEEDED', undefined],
      ]),
    );
    expect(published).toHaveLength(2);
  });

  it('a poison message ends in the DLQ after maxReceiveCount with one retryable FAILED outcome', async () => {
    // Prepare
    const poison = await preparePoisonMessage(stack, {
      operation: 'CreateDistributionConfiguration',
      error: 'ServiceUnavailableException',
      token: unique('sqs-poison'),
      request: distributionRequest(unique('e2e-distribution')),
    });

    // Act
    const deadLettered = await sendUntilDeadLettered(stack, outcomes, poison);

    // Assess
    expectDeadLetteredOnce(poison, deadLettered);
    const { published, calls } = deadLettered;
    expect(published[0]?.event.data).toMatchObject({
      operation: 'CreateDistributionConfiguration',
      clientToken: poison.token,
    });
    expect(published[0]?.attributes.status).toBe('FAILED');
    // One receive per attempt, each with the SDK's own retries.
    expect(calls.length).toBeGreaterThanOrEqual(MAX_RECEIVE_COUNT);
  }, 60_000);
});

describe('invalid queue messages', () => {
  it('a queue message that is not JSON publishes one FAILED outcome and is deleted, not dead-lettered', async () => {
    // Prepare
    const body = '{"operation": "CreateImageBuilder", "request": ';

    // Act
    const messageId = await queues.send(body);

    // Assess
    const outcome = await onlyOutcome(messageId, { settleMs: QUEUE_SETTLE_MS });
    expect(outcome.event.data).toMatchObject({
      clientToken: messageId,
      channel: 'sqs',
      status: 'FAILED',
      error: { code: 'ValidationException', retryable: false },
    });
    expect(outcome.event.data.error?.errors).toContainEqual(expect.objectContaining({ path: '' }));
    // Gone from the request queue (so it can never move to the DLQ) and not in the DLQ.
    await queues.drained(10_000);
    expect(await queues.depth(queues.deadLetterQueueUrl)).toBe(0);
  }, 30_000);
});

// ------------------------------------------------------------------------------------------------
// Shutdown (last: it ends the stack)
// ------------------------------------------------------------------------------------------------

describe('stopping the stack', () => {
  it('SIGINT stops npm start with exit code 0, leaves no process behind and frees every port', async () => {
    // Prepare
    await outcomes.close();
    // Interrupt a stack at rest, as a developer would (no request of ours still in flight).
    await stack.quiet(300, 5_000);

    // Act
    const exit = await stack.stop();

    // Assess
    expect(exit, stack.output().slice(-3000)).toEqual({ code: 0, signal: null, lingering: false });
    await expect(
      fetch(`${stack.info.httpApi}/infrastructure-configurations`, {
        signal: AbortSignal.timeout(2_000),
      }),
    ).rejects.toThrow();
    for (const [variable, port] of Object.entries(stack.ports)) {
      expect(await canListenOn(port), `${variable} ${port} is free`).toBe(true);
    }
  }, 40_000);
});
