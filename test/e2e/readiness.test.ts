import { AppStreamClient, DescribeImageBuildersCommand } from '@aws-sdk/client-appstream';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StackParts } from '../reliability/support/control.js';
import { Api, type ApiResponse, unique } from './support/api.js';
import { EmulatorControl, withToken } from './support/emulator.js';
import { OutcomeInbox, type ReceivedReadinessEvent } from './support/outcomes.js';
import { Queues, queueMessage } from './support/queues.js';
import { imageBuilderRequest, infrastructureRequest } from './support/requests.js';
import { type RunningStack, startStack } from './support/stack.js';

/*
 * Follow-through, from the outside: a created AppStream image builder is followed until it is
 * RUNNING (ImageBuilderReady), fails (ImageBuilderFailed) or stays PENDING past the deadline
 * (ImageBuilderWaitTimedOut), on both channels, through the same outbox as every outcome. And
 * IAM propagation: a role or instance profile AWS cannot see yet is waited for, within a window.
 *
 * The stack checks every second and gives up waiting after READINESS_TIMEOUT_SECONDS; the
 * emulator's builders turn RUNNING after 500 ms unless the control API says otherwise.
 */

const STACK_START_TIMEOUT_MS = 120_000;
const READINESS_TIMEOUT_SECONDS = 8;
/** Long enough for the 20 s invisible instance profile, short enough to see a role never come. */
const IAM_PROPAGATION_WINDOW_SECONDS = 30;
const EVENT_TIMEOUT_MS = 30_000;
/** How long to keep listening after the expected event, so a second one would show. */
const SETTLE_MS = 4_000;

let stack: RunningStack;
let api: Api;
let outcomes: OutcomeInbox;
let emulator: EmulatorControl;
let queues: Queues;
let parts: StackParts;
let appstream: AppStreamClient;

beforeAll(async () => {
  stack = await startStack({
    READINESS_FIRST_CHECK_SECONDS: '1',
    READINESS_MAX_CHECK_SECONDS: '1',
    READINESS_TIMEOUT_SECONDS: String(READINESS_TIMEOUT_SECONDS),
    WATCH_VISIBILITY_TIMEOUT_SECONDS: '1',
    IAM_PROPAGATION_WINDOW_SECONDS: String(IAM_PROPAGATION_WINDOW_SECONDS),
  });
  api = new Api(stack.info.httpApi);
  outcomes = await OutcomeInbox.subscribe(stack);
  emulator = new EmulatorControl(stack.info.emulator.endpoint);
  queues = new Queues(stack);
  parts = new StackParts(stack.info.control.endpoint);
  appstream = new AppStreamClient({
    region: stack.info.region,
    endpoint: stack.info.appstream.endpoint,
    credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
    maxAttempts: 1,
  });
}, STACK_START_TIMEOUT_MS);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && stack) {
    console.error(`stack output (last 6000 characters):\n${stack.output().slice(-6000)}`);
  }
  if (stack && !stack.exited()) {
    await parts.restore();
    await emulator.clearBuilderFates();
    await emulator.clearHiddenIam();
    await emulator.clearFaults();
  }
});

afterAll(async () => {
  appstream?.destroy();
  if (!stack) return;
  if (!stack.exited()) await outcomes?.close();
  await stack.stop();
}, 30_000);

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

type Channel = 'http' | 'sqs';

/** Creates the builder over `channel`; over HTTP, the answer must be 201. */
const createBuilder = async (
  channel: Channel,
  request: Record<string, unknown>,
  token: string,
): Promise<void> => {
  if (channel === 'sqs') {
    await queues.send(queueMessage('CreateImageBuilder', token, request));
    return;
  }
  const response: ApiResponse = await api.send('POST', '/image-builders', request, {
    'idempotency-key': token,
  });
  expect(response.status, response.text).toBe(201);
};

/** Waits for the token's first follow-through event, then listens on so a second would show. */
const readinessEvents = async (token: string): Promise<ReceivedReadinessEvent[]> => {
  await outcomes.drainUntil(() => outcomes.readinessFor(token).length > 0, EVENT_TIMEOUT_MS);
  await outcomes.drainFor(SETTLE_MS);
  return outcomes.readinessFor(token);
};

const describeBuilder = async (name: string) => {
  const { ImageBuilders = [] } = await appstream.send(
    new DescribeImageBuildersCommand({ Names: [name] }),
  );
  return ImageBuilders[0];
};

const readinessOf = async (token: string) => {
  const found = await api.lookup('CreateImageBuilder', token);
  expect(found.status, found.text).toBe(200);
  return found.body.readiness as Record<string, unknown> | undefined;
};

// ------------------------------------------------------------------------------------------------
// 1. Readiness
// ------------------------------------------------------------------------------------------------

describe.each<Channel>(['http', 'sqs'])('an image builder created over %s', (channel) => {
  it('that becomes RUNNING: one ImageBuilderReady, once, and AWS says RUNNING when it comes', async () => {
    // Prepare
    const name = unique(`ready-${channel}`);
    const token = unique(`ready-${channel}`);
    await emulator.builderFate(name, { fate: 'RUNNING', afterMs: 2_500 });

    // Act
    await createBuilder(channel, imageBuilderRequest(name), token);
    await outcomes.drainUntil(() => outcomes.readinessFor(token).length > 0, EVENT_TIMEOUT_MS);
    const stateOnArrival = (await describeBuilder(name))?.State;
    const events = await readinessEvents(token);

    // Assess
    const [outcome] = outcomes.for(token);
    expect(outcome?.event.data.status).toBe('SUCCEEDED');
    expect(events).toHaveLength(1);
    const [ready] = events as [ReceivedReadinessEvent];
    expect(stateOnArrival).toBe('RUNNING');
    expect(ready.event.type).toBe('image-provisioner.readiness.ImageBuilderReady.v1');
    expect(ready.attributes).toMatchObject({
      event: 'ImageBuilderReady',
      operation: 'CreateImageBuilder',
      channel,
    });
    expect(ready.attributes.status).toBeUndefined();
    expect(ready.event.data).toMatchObject({
      operation: 'CreateImageBuilder',
      clientToken: token,
      channel,
      event: 'ImageBuilderReady',
      resource: { Name: name, State: 'RUNNING' },
    });
    expect(ready.event.subject).toBe(outcome?.event.subject);
    // The status lookup shows the builder's last seen state and when it became ready.
    const readiness = await readinessOf(token);
    expect(readiness).toMatchObject({ state: 'READY', name, lastSeenState: 'RUNNING' });
    expect(Date.parse(String(readiness?.readyAt))).toBeLessThanOrEqual(
      Date.parse(ready.event.time),
    );
  }, 60_000);

  it('that fails: one ImageBuilderFailed with the builder errors and state reason', async () => {
    // Prepare
    const name = unique(`failed-${channel}`);
    const token = unique(`failed-${channel}`);
    const errors = [
      {
        ErrorCode: 'INVALID_SUBNET_CONFIGURATION',
        ErrorMessage: 'The subnet has no free IP addresses.',
      },
    ];
    await emulator.builderFate(name, {
      fate: 'FAILED',
      afterMs: 1_500,
      errors,
      stateChangeReason: { Code: 'INTERNAL_ERROR', Message: 'The builder could not start.' },
    });

    // Act
    await createBuilder(channel, imageBuilderRequest(name), token);
    const events = await readinessEvents(token);

    // Assess
    expect(events.map(({ event }) => event.data.event)).toEqual(['ImageBuilderFailed']);
    const failed = (events[0] as ReceivedReadinessEvent).event;
    expect(failed.type).toBe('image-provisioner.readiness.ImageBuilderFailed.v1');
    expect(failed.data.resource).toMatchObject({
      Name: name,
      State: 'FAILED',
      StateChangeReason: { Code: 'INTERNAL_ERROR', Message: 'The builder could not start.' },
      ImageBuilderErrors: [expect.objectContaining(errors[0])],
    });
    expect(await readinessOf(token)).toMatchObject({ state: 'FAILED', lastSeenState: 'FAILED' });
  }, 60_000);

  it('that stays PENDING: one ImageBuilderWaitTimedOut at the deadline', async () => {
    // Prepare
    const name = unique(`pending-${channel}`);
    const token = unique(`pending-${channel}`);
    await emulator.builderFate(name, { fate: 'PENDING' });
    const started = Date.now();

    // Act
    await createBuilder(channel, imageBuilderRequest(name), token);
    const events = await readinessEvents(token);

    // Assess
    expect(events.map(({ event }) => event.data.event)).toEqual(['ImageBuilderWaitTimedOut']);
    const timedOut = (events[0] as ReceivedReadinessEvent).event;
    expect(timedOut.data.resource).toMatchObject({ Name: name, State: 'PENDING' });
    expect(Date.parse(timedOut.time) - started).toBeGreaterThanOrEqual(
      READINESS_TIMEOUT_SECONDS * 1000,
    );
    const readiness = await readinessOf(token);
    expect(readiness).toMatchObject({ state: 'TIMED_OUT', lastSeenState: 'PENDING' });
    expect(readiness?.readyAt).toBeUndefined();
  }, 60_000);
});

// ------------------------------------------------------------------------------------------------
// 2. A watch survives redeliveries and crashes
// ------------------------------------------------------------------------------------------------

describe('a watch', () => {
  it('given copies of its checks (redelivered messages) still announces once', async () => {
    // Prepare
    const name = unique('copies');
    const token = unique('copies');
    await emulator.builderFate(name, { fate: 'RUNNING', afterMs: 4_000 });
    await createBuilder('http', imageBuilderRequest(name), token);

    // Act: every check the watch may still make, sent again and again, as redeliveries would.
    const copies = Array.from({ length: 8 }, (_, checks) =>
      JSON.stringify({ operation: 'CreateImageBuilder', clientToken: token, checks }),
    );
    for (const body of [...copies, ...copies]) {
      await stack.sqs.send(
        new SendMessageCommand({ QueueUrl: stack.info.sqs.watchQueueUrl, MessageBody: body }),
      );
    }
    const events = await readinessEvents(token);

    // Assess
    expect(events.map(({ event }) => event.data.event)).toEqual(['ImageBuilderReady']);
    expect(await readinessOf(token)).toMatchObject({ state: 'READY' });
    expect(await queues.depth(stack.info.sqs.watchDeadLetterQueueUrl)).toBe(0);
  }, 60_000);

  it('whose checks AWS throttles goes on checking, and announces ImageBuilderReady once', async () => {
    // Prepare
    const name = unique('throttled');
    const token = unique('throttled');
    await emulator.builderFate(name, { fate: 'RUNNING', afterMs: 2_000 });
    await emulator.fault({
      operation: 'DescribeImageBuilders',
      error: 'RequestLimitExceededException',
      count: 4,
    });

    // Act
    await createBuilder('sqs', imageBuilderRequest(name), token);
    const events = await readinessEvents(token);

    // Assess
    const describes = await emulator.callsOf('DescribeImageBuilders', (input) =>
      JSON.stringify(input).includes(name),
    );
    expect(describes.filter(({ error }) => error === 'RequestLimitExceededException').length).toBe(
      4,
    );
    expect(events.map(({ event }) => event.data.event)).toEqual(['ImageBuilderReady']);
    expect(await readinessOf(token)).toMatchObject({ state: 'READY', lastSeenState: 'RUNNING' });
  }, 60_000);

  it('whose checks fail while DynamoDB is down goes on once it is back, and announces once', async () => {
    // Prepare
    const name = unique('crash');
    const token = unique('crash');
    await emulator.builderFate(name, { fate: 'RUNNING', afterMs: 3_000 });
    await createBuilder('http', imageBuilderRequest(name), token);
    await outcomes.drainUntil(() => outcomes.for(token).length > 0, EVENT_TIMEOUT_MS);

    // Act: the checks due in the next seconds cannot read or write the ledger.
    await parts.set('dynamodb', { available: false });
    await outcomes.drainFor(5_000);
    const duringOutage = outcomes.readinessFor(token).length;
    await parts.set('dynamodb', { available: true });
    const events = await readinessEvents(token);

    // Assess
    expect(duringOutage).toBe(0);
    expect(events.map(({ event }) => event.data.event)).toEqual(['ImageBuilderReady']);
    expect(stack.output()).toMatch(/watch/);
    expect(await queues.depth(stack.info.sqs.watchDeadLetterQueueUrl)).toBe(0);
  }, 60_000);
});

// ------------------------------------------------------------------------------------------------
// 3. IAM propagation
// ------------------------------------------------------------------------------------------------

describe('IAM propagation', () => {
  it('an instance profile invisible for 20 s: the queued create succeeds with one successful AWS call and one outcome', async () => {
    // Prepare
    const profile = unique('fresh-profile');
    const name = unique('iam-late');
    const token = unique('iam-late');
    await emulator.hideIam({ instanceProfileName: profile }, 20);

    // Act
    await queues.send(
      queueMessage('CreateInfrastructureConfiguration', token, {
        ...infrastructureRequest(name),
        instanceProfileName: profile,
      }),
    );
    const published = await outcomes.waitFor(token, { timeoutMs: 60_000, settleMs: 3_000 });

    // Assess
    const calls = await emulator.callsOf('CreateInfrastructureConfiguration', withToken(token));
    const succeeded = calls.filter(({ error }) => error === undefined);
    expect(succeeded).toHaveLength(1);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.filter(({ error }) => error !== undefined).map(({ error }) => error)).toEqual(
      Array(calls.length - 1).fill('InvalidParameterValueException'),
    );
    expect(published.map(({ event }) => event.data.status)).toEqual(['SUCCEEDED']);
  }, 90_000);

  it('a role that never appears: FAILED after the window, with AWS error, and no DLQ entry', async () => {
    // Prepare
    const roleArn = `arn:aws:iam::000000000000:role/${unique('never')}`;
    const name = unique('iam-never');
    const token = unique('iam-never');
    await emulator.hideIam({ roleArn }, 3_600);
    const sent = Date.now();

    // Act
    await queues.send(
      queueMessage('CreateImageBuilder', token, {
        ...imageBuilderRequest(name),
        IamRoleArn: roleArn,
      }),
    );
    const published = await outcomes.waitFor(token, { timeoutMs: 90_000, settleMs: 3_000 });

    // Assess
    expect(published).toHaveLength(1);
    const failed = published[0]?.event;
    expect(failed?.data.status).toBe('FAILED');
    expect(failed?.data.error).toMatchObject({ code: 'InvalidRoleException', retryable: false });
    expect(failed?.data.error?.message).toMatch(/encountered an error because your IAM role/);
    expect(Date.parse(failed?.time ?? '') - sent).toBeGreaterThanOrEqual(
      IAM_PROPAGATION_WINDOW_SECONDS * 1000,
    );
    expect(outcomes.readinessFor(token)).toEqual([]);
    expect(await queues.depth(queues.deadLetterQueueUrl)).toBe(0);
    // Between receives the message was held back (ChangeMessageVisibility), not bounced at once.
    expect(stack.output()).not.toContain('could not hold the message back');
  }, 120_000);

  it('over HTTP, an instance profile invisible for 3 s: retried within the request, 201', async () => {
    // Prepare
    const profile = unique('http-profile');
    const name = unique('iam-http');
    const token = unique('iam-http');
    await emulator.hideIam({ instanceProfileName: profile }, 3);

    // Act
    const response = await api.createInfrastructure(
      { ...infrastructureRequest(name), instanceProfileName: profile },
      token,
    );
    const published = await outcomes.waitFor(token);

    // Assess
    expect(response.status, response.text).toBe(201);
    const calls = await emulator.callsOf('CreateInfrastructureConfiguration', withToken(token));
    expect(calls.filter(({ error }) => error === undefined)).toHaveLength(1);
    expect(calls[0]?.error).toBe('InvalidParameterValueException');
    expect(published.map(({ event }) => event.data.status)).toEqual(['SUCCEEDED']);
  }, 60_000);
});
