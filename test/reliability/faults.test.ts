import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse, arnPath, unique } from '../e2e/support/api.js';
import { type EmulatorCall, withToken } from '../e2e/support/emulator.js';
import { OutcomeInbox, type ReceivedOutcome } from '../e2e/support/outcomes.js';
import {
  type DeadLettered,
  expectDeadLetteredOnce,
  preparePoisonMessage,
  sendUntilDeadLettered,
} from '../e2e/support/poison.js';
import {
  MAX_RECEIVE_COUNT,
  mapLimit,
  QUEUE_SETTLE_MS,
  Queues,
  queueMessage,
} from '../e2e/support/queues.js';
import { distributionRequest, infrastructureRequest } from '../e2e/support/requests.js';
import { type RunningStack, startStack } from '../e2e/support/stack.js';
import { eventually } from '../e2e/support/wait.js';
import {
  describeLogLine,
  printFigures,
  type RawResponse,
  requestLog,
  StackParts,
  sendRaw,
  tally,
} from './support/control.js';
import { buildCorpus } from './support/corpus.js';
import { OUTBOX_AS_DEPLOYED } from './support/outbox.js';

/*
 * Failure semantics, measured: nothing lost, nothing doubled. One offline stack (`npm start`) for
 * the file, driven only from outside: the HTTP API, the request queue, a subscriber queue on the
 * outcomes topic, the emulator's control API (AWS faults and the calls AWS received) and the
 * stack's control API (SNS / DynamoDB outages for the service). Every test checks its figures and
 * prints them with the `[reliability]` prefix.
 *
 * Faults are global to an operation and outages to the whole service, so the tests run one at a
 * time, and each leaves both parts up and no fault behind.
 */

/** How long a queue copy that found its token in flight is held back (src/channels/queue.ts). */
const QUEUE_LOCK_WAIT_MS = 30_000;
const STACK_START_TIMEOUT_MS = 120_000;
/** src/provisioning/retry.ts DEFAULT_RETRY_POLICY.maxAttempts: AWS calls per invocation. */
const MAX_AWS_ATTEMPTS = 4;
const PROBLEM_JSON = /^application\/problem\+json/;
const JSON_POINTER = /^(?:\/.*)?$/s;
/** How many HTTP function instances the concurrency test needs warm. */
const CONCURRENT_HTTP = 25;
const CONCURRENT_MESSAGES = 25;
/** Emulator latency on the concurrent create: the window in which the other deliveries land. */
const AWS_LATENCY_MS = 1_000;
const FUZZ_SEED = 20_261_121;
const FUZZ_PER_CHANNEL = 160;

let stack: RunningStack;
let api: Api;
let outcomes: OutcomeInbox;
let parts: StackParts;
let queues: Queues;

beforeAll(async () => {
  const started = performance.now();
  stack = await startStack(OUTBOX_AS_DEPLOYED);
  api = new Api(stack.info.httpApi);
  outcomes = await OutcomeInbox.subscribe(stack);
  parts = new StackParts(stack.info.control.endpoint);
  queues = new Queues(stack);
  const ready = performance.now();
  // serverless-offline starts one function instance per concurrent request, each cold for a few
  // seconds: warm them with requests that are refused before any AWS call or outcome.
  const warm = await Promise.all(
    Array.from({ length: CONCURRENT_HTTP }, () =>
      sendRaw(stack.info.httpApi, 'POST', '/infrastructure-configurations', '{}'),
    ),
  );
  // The queue function too (one instance: the trigger hands over one batch at a time).
  const warmMessage = await queues.send('{}');
  const warmOutcomes = await outcomes.waitFor(warmMessage, { timeoutMs: 30_000, settleMs: 0 });
  printFigures('stack', {
    engine: stack.engine,
    startMs: Math.round(ready - started),
    warmUpMs: Math.round(performance.now() - ready),
    warmUpStatuses: tally(warm.map(({ status }) => status)),
    warmUpOutcomes: tally(warmOutcomes.map(({ event }) => event.data.status)),
  });
}, STACK_START_TIMEOUT_MS);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && stack) {
    console.error(`stack output (last 6000 characters):\n${stack.output().slice(-6000)}`);
  }
  if (stack && !stack.exited()) {
    await stack.emulator.clearFaults();
    await parts.restore();
  }
});

afterAll(async () => {
  if (!stack) return;
  if (!stack.exited()) await outcomes?.close();
  await stack.stop();
}, 30_000);

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

const infrastructureCalls = (token: string): Promise<EmulatorCall[]> =>
  stack.emulator.callsOf('CreateInfrastructureConfiguration', withToken(token));

const retryAfter = (response: { headers: Headers }): number =>
  Number(response.headers.get('retry-after'));

const since = (started: number): number => Math.round(performance.now() - started);

/** `[status, retryable]` of each outcome, for compact assertions. */
const verdicts = (published: readonly ReceivedOutcome[]) =>
  published.map(({ event }) => [event.data.status, event.data.error?.retryable ?? null]);

const expectProblem = (response: ApiResponse, status: number, code: string): void => {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
  expect(response.body).toMatchObject({ status, code, requestId: expect.any(String) });
};

const depths = async () => ({
  requestQueue: await queues.depth(queues.requestQueueUrl),
  deadLetterQueue: await queues.depth(queues.deadLetterQueueUrl),
});

/** The figures of a message that AWS failed on every receive until it reached the DLQ. */
const deadLetterFigures = ({ calls, published, elapsedMs }: DeadLettered) => ({
  'AWS calls': calls.length,
  // Each receive makes up to MAX_AWS_ATTEMPTS calls (the DLQ's own receive count also counts
  // our reads of the DLQ, so it is not shown).
  receives: calls.length / MAX_AWS_ATTEMPTS,
  outcomes: verdicts(published),
  'in DLQ after (ms)': elapsedMs,
});

// ------------------------------------------------------------------------------------------------
// 1. Duplicates
// ------------------------------------------------------------------------------------------------

describe('duplicates', () => {
  it(
    '50 concurrent deliveries of one request (25 HTTP + 25 queue, one clientToken) make one AWS call and one outcome',
    async () => {
      // Prepare
      const name = unique('rel-concurrent');
      const token = unique('rel-concurrent');
      const request = infrastructureRequest(name);
      const message = queueMessage('CreateInfrastructureConfiguration', token, request);
      // Slow AWS down so the deliveries of both channels really overlap the one that got through.
      await stack.emulator.fault({
        operation: 'CreateInfrastructureConfiguration',
        latencyMs: AWS_LATENCY_MS,
        count: -1,
      });
      const started = performance.now();

      // Act: all 50 fired at once.
      const [responses, messageIds] = await Promise.all([
        Promise.all(
          Array.from({ length: CONCURRENT_HTTP }, () => api.createInfrastructure(request, token)),
        ),
        Promise.all(Array.from({ length: CONCURRENT_MESSAGES }, () => queues.send(message))),
      ]);
      const answeredMs = since(started);
      // Every queue copy must be deleted. A copy that found the token in flight is held back for the
      // longest a lock can last (LOCK_WAIT_SECONDS in src/channels/queue.ts, 30 s), then comes back
      // as a replay.
      await outcomes.waitFor(token, { timeoutMs: 15_000, settleMs: 0 });
      await queues.drained(QUEUE_LOCK_WAIT_MS + 15_000);
      await outcomes.drainFor(QUEUE_SETTLE_MS);
      const settledMs = since(started);
      // What the service logged per delivery: the copies bounced while the first was in progress,
      // then the queue's redeliveries answered from the idempotency record.
      const logged = requestLog(stack.output(), token);
      // A portal retrying blindly afterwards gets the same answer.
      const blindRetry = await api.createInfrastructure(request, token);

      // Assess
      const calls = await infrastructureCalls(token);
      const published = outcomes.for(token);
      const statuses = tally(
        responses.map(
          (response) =>
            `${response.status}${response.headers.get('idempotent-replayed') ? ' replayed' : ''}`,
        ),
      );
      const queueDepths = await depths();
      const bounced = (channel: string) =>
        logged.filter(
          (line) => line.channel === channel && line.errorCode === 'IdempotencyInProgressException',
        ).length;
      printFigures('50 concurrent deliveries', {
        'AWS calls': calls.length,
        outcomes: published.length,
        outcomeChannel: published[0]?.event.data.channel,
        'HTTP statuses': statuses,
        'deliveries logged': tally(logged.map(describeLogLine)),
        'bounced in progress': { http: bounced('http'), sqs: bounced('sqs') },
        'queue messages sent': messageIds.length,
        'request queue left': queueDepths.requestQueue,
        DLQ: queueDepths.deadLetterQueue,
        'HTTP answered (ms)': answeredMs,
        'all settled (ms)': settledMs,
      });

      expect(calls).toHaveLength(1);
      expect(calls[0]?.error).toBeUndefined();
      expect(published).toHaveLength(1);
      const outcome = published[0] as ReceivedOutcome;
      expect(outcome.event.data).toMatchObject({
        operation: 'CreateInfrastructureConfiguration',
        clientToken: token,
        status: 'SUCCEEDED',
      });
      const arn = outcome.event.subject;
      expect(arn).toMatch(new RegExp(`:infrastructure-configuration/${name}$`));
      // Only 201 (first or replay, one ARN) and 409 (in progress, with Retry-After).
      for (const response of responses) {
        expect([201, 409], response.text).toContain(response.status);
        if (response.status === 201) {
          expect(response.body.infrastructureConfigurationArn).toBe(arn);
        } else {
          expectProblem(response, 409, 'IdempotencyInProgressException');
          expect(retryAfter(response)).toBeGreaterThanOrEqual(1);
        }
      }
      // The channels really overlapped: deliveries on the channel that lost found the first one
      // still in progress (for the queue, the service's log tells; its figures are lower bounds).
      // The local trigger hands the queue over one batch at a time, so when a queue copy wins, the
      // other copies only arrive after it: then the HTTP 409s show the overlap.
      expect(responses.filter(({ status }) => status === 409).length).toBeGreaterThanOrEqual(1);
      expect(
        bounced(outcome.event.data.channel === 'http' ? 'sqs' : 'http'),
      ).toBeGreaterThanOrEqual(1);
      // Exactly one delivery did the work: over HTTP, it is the one 201 that is no replay.
      const fresh = responses.filter(
        (response) => response.status === 201 && !response.headers.get('idempotent-replayed'),
      );
      expect(fresh).toHaveLength(outcome.event.data.channel === 'http' ? 1 : 0);
      expect(queueDepths).toEqual({ requestQueue: 0, deadLetterQueue: 0 });
      // No delivery ended in anything but success or "in progress, retry".
      expect(
        logged.filter(
          ({ outcome, errorCode }) =>
            outcome !== 'SUCCEEDED' && errorCode !== 'IdempotencyInProgressException',
        ),
      ).toEqual([]);
      expect(blindRetry.status, blindRetry.text).toBe(201);
      expect(blindRetry.headers.get('idempotent-replayed')).toBe('true');
      expect(blindRetry.body.infrastructureConfigurationArn).toBe(arn);
      expect(await infrastructureCalls(token)).toHaveLength(1);
      expect(outcomes.for(token)).toHaveLength(1);
    },
    QUEUE_LOCK_WAIT_MS + 60_000,
  );
});

// ------------------------------------------------------------------------------------------------
// 2. AWS throttles
// ------------------------------------------------------------------------------------------------

describe('AWS throttles', () => {
  it('three throttles then success: 201, one resource, one outcome', async () => {
    // Prepare
    const name = unique('rel-throttle3');
    const token = unique('rel-throttle3');
    await stack.emulator.fault({
      operation: 'CreateInfrastructureConfiguration',
      error: 'CallRateLimitExceededException',
      count: 3,
    });
    const started = performance.now();

    // Act
    const response = await api.createInfrastructure(infrastructureRequest(name), token);
    const elapsedMs = since(started);

    // Assess
    expect(response.status, response.text).toBe(201);
    const arn = response.body.infrastructureConfigurationArn as string;
    const calls = await infrastructureCalls(token);
    const published = await outcomes.waitFor(token);
    const read = await api.send('GET', arnPath(arn));
    printFigures('3 throttles then success', {
      HTTP: response.status,
      'AWS calls': calls.length,
      'call errors': calls.map((call) => call.error ?? 'none'),
      outcomes: published.length,
      'GET resource': read.status,
      'elapsed (ms)': elapsedMs,
    });
    expect(calls.map((call) => call.error)).toEqual([
      'CallRateLimitExceededException',
      'CallRateLimitExceededException',
      'CallRateLimitExceededException',
      undefined,
    ]);
    expect(verdicts(published)).toEqual([['SUCCEEDED', null]]);
    expect(published[0]?.event.subject).toBe(arn);
    expect(read.status, read.text).toBe(200);
    expect(read.body.infrastructureConfiguration).toMatchObject({ arn, name });
  });

  it('throttled forever over HTTP: 429 with Retry-After after the retry budget', async () => {
    // Prepare
    const token = unique('rel-throttle-http');
    await stack.emulator.fault({
      operation: 'CreateInfrastructureConfiguration',
      error: 'CallRateLimitExceededException',
      count: -1,
    });
    const started = performance.now();

    // Act
    const response = await api.createInfrastructure(
      infrastructureRequest(unique('rel-throttle-http')),
      token,
    );
    const elapsedMs = since(started);

    // Assess
    const calls = await infrastructureCalls(token);
    const published = await outcomes.waitFor(token);
    printFigures('throttled forever (HTTP)', {
      HTTP: response.status,
      'Retry-After': response.headers.get('retry-after'),
      'AWS calls': calls.length,
      outcomes: verdicts(published),
      'elapsed (ms)': elapsedMs,
    });
    expectProblem(response, 429, 'CallRateLimitExceededException');
    expect(retryAfter(response)).toBeGreaterThanOrEqual(1);
    expect(calls).toHaveLength(MAX_AWS_ATTEMPTS);
    expect(new Set(calls.map((call) => call.error))).toEqual(
      new Set(['CallRateLimitExceededException']),
    );
    // The HTTP caller was told, and the outcome says the same: failed, worth retrying.
    expect(verdicts(published)).toEqual([['FAILED', true]]);
  });

  it('throttled forever on the queue: one FAILED outcome (retryable) after maxReceiveCount, then the DLQ', async () => {
    // Prepare
    const poison = await preparePoisonMessage(stack, {
      operation: 'CreateInfrastructureConfiguration',
      error: 'CallRateLimitExceededException',
      token: unique('rel-throttle-queue'),
      request: infrastructureRequest(unique('rel-throttle-queue')),
    });

    // Act
    const deadLettered = await sendUntilDeadLettered(stack, outcomes, poison);

    // Assess
    printFigures('throttled forever (queue)', deadLetterFigures(deadLettered));
    expectDeadLetteredOnce(poison, deadLettered);
    // Every receive up to maxReceiveCount tried AWS MAX_AWS_ATTEMPTS times, and no more came.
    expect(deadLettered.calls).toHaveLength(MAX_RECEIVE_COUNT * MAX_AWS_ATTEMPTS);
    expect(await queues.depth(queues.requestQueueUrl)).toBe(0);
  }, 60_000);
});

// ------------------------------------------------------------------------------------------------
// 3. SNS down
// ------------------------------------------------------------------------------------------------

describe('SNS down', () => {
  // The request path never calls SNS: each outcome is committed to the request ledger with the
  // request's state, and the outbox (triggered by the ledger's stream) publishes it once SNS is back.

  it('over HTTP: SNS down changes nothing for the caller (201); the outcome is held in the ledger and published once when SNS is back', async () => {
    // Prepare
    const name = unique('rel-sns-http');
    const token = unique('rel-sns-http');
    const request = infrastructureRequest(name);
    await parts.set('sns', { available: false });

    // Act
    const during = await api.createInfrastructure(request, token);
    const lookedUp = await api.lookup('CreateInfrastructureConfiguration', token);
    const blindRetryDuring = await api.createInfrastructure(request, token);
    await outcomes.drainFor(1_500);
    const publishedDuring = outcomes.for(token).length;
    await parts.set('sns', { available: true });
    const recoveredAt = performance.now();
    const published = await outcomes.waitFor(token, { timeoutMs: 15_000 });
    const announcedMs = since(recoveredAt);
    const blindRetryAfter = await api.createInfrastructure(request, token);

    // Assess
    const calls = await infrastructureCalls(token);
    const arn = during.body.infrastructureConfigurationArn as string;
    const read = await api.send('GET', arnPath(arn));
    const replayed = (response: ApiResponse) =>
      `${response.status}${response.headers.get('idempotent-replayed') ? ' replayed' : ''}`;
    printFigures('SNS down (HTTP)', {
      'HTTP during outage': replayed(during),
      'status lookup during outage': `${lookedUp.status} ${lookedUp.body?.status}`,
      'HTTP blind retry during outage': replayed(blindRetryDuring),
      'outcomes during outage': publishedDuring,
      'HTTP blind retry after recovery': replayed(blindRetryAfter),
      'AWS calls': calls.length,
      'call errors': calls.map((call) => call.error ?? 'none'),
      outcomes: verdicts(published),
      'published after recovery (ms)': announcedMs,
    });
    expect(during.status, during.text).toBe(201);
    expect(during.headers.get('idempotent-replayed')).toBeNull();
    expect(arn).toMatch(new RegExp(`:infrastructure-configuration/${name}$`));
    // Committed while SNS was down: the outcome's id is in the ledger before it is published.
    expect(lookedUp.status, lookedUp.text).toBe(200);
    expect(lookedUp.body).toMatchObject({ status: 'SUCCEEDED', response: during.body });
    expect(lookedUp.body.outcomeIds).toHaveLength(1);
    expect(publishedDuring).toBe(0);
    for (const retry of [blindRetryDuring, blindRetryAfter]) {
      expect(retry.status, retry.text).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body.infrastructureConfigurationArn).toBe(arn);
    }
    // One call, one resource, one outcome: the one the ledger committed.
    expect(calls.map((call) => call.error)).toEqual([undefined]);
    expect(read.status, read.text).toBe(200);
    expect(verdicts(published)).toEqual([['SUCCEEDED', null]]);
    expect(published[0]?.event.id).toBe((lookedUp.body.outcomeIds as string[])[0]);
    expect(published[0]?.event.subject).toBe(arn);
    expect(published[0]?.event.data.response).toEqual(during.body);
  }, 45_000);

  it('on the queue: the message is carried out and deleted while SNS is down; its outcome is published once when SNS is back', async () => {
    // Prepare
    const name = unique('rel-sns-queue');
    const token = unique('rel-sns-queue');
    const body = queueMessage(
      'CreateInfrastructureConfiguration',
      token,
      infrastructureRequest(name),
    );
    await parts.set('sns', { available: false });
    const started = performance.now();

    // Act
    await queues.send(body);
    // Deleted on its first receive: nothing about SNS makes it come back.
    await queues.drained(15_000);
    const deletedMs = since(started);
    const lookedUp = await api.lookup('CreateInfrastructureConfiguration', token);
    await outcomes.drainFor(QUEUE_SETTLE_MS);
    const publishedDuring = outcomes.for(token).length;
    const depthsDuring = await depths();
    await parts.set('sns', { available: true });
    const recoveredAt = performance.now();
    const published = await outcomes.waitFor(token, {
      timeoutMs: 15_000,
      settleMs: QUEUE_SETTLE_MS,
    });
    const announcedMs = since(recoveredAt);

    // Assess
    const calls = await infrastructureCalls(token);
    const logged = requestLog(stack.output(), token);
    const queueDepths = await depths();
    printFigures('SNS down (queue)', {
      'deliveries logged': tally(logged.map(describeLogLine)),
      'deleted after (ms)': deletedMs,
      'status lookup during outage': `${lookedUp.status} ${lookedUp.body?.status}`,
      'outcomes during outage': publishedDuring,
      'queues during outage': depthsDuring,
      'AWS calls': calls.length,
      outcomes: verdicts(published),
      'published after recovery (ms)': announcedMs,
      'total (ms)': since(started),
      ...queueDepths,
    });
    expect(logged.map(describeLogLine)).toEqual(['sqs SUCCEEDED']);
    expect(depthsDuring).toEqual({ requestQueue: 0, deadLetterQueue: 0 });
    expect(lookedUp.status, lookedUp.text).toBe(200);
    expect(lookedUp.body).toMatchObject({ status: 'SUCCEEDED', channel: 'sqs' });
    expect(publishedDuring).toBe(0);
    expect(published).toHaveLength(1);
    expect(published[0]?.event.id).toBe((lookedUp.body.outcomeIds as string[])[0]);
    expect(published[0]?.event.data).toMatchObject({
      channel: 'sqs',
      status: 'SUCCEEDED',
      response: { clientToken: token },
    });
    expect(published[0]?.event.subject).toMatch(
      new RegExp(`:infrastructure-configuration/${name}$`),
    );
    expect(calls.map((call) => call.error)).toEqual([undefined]);
    expect(queueDepths).toEqual({ requestQueue: 0, deadLetterQueue: 0 });
  }, 45_000);
});

// ------------------------------------------------------------------------------------------------
// 4. DynamoDB down
// ------------------------------------------------------------------------------------------------

describe('DynamoDB down', () => {
  it('over HTTP: 503 with Retry-After and no AWS call (fail-closed); after recovery the same request succeeds once', async () => {
    // Prepare
    const token = unique('rel-ddb-http');
    const request = infrastructureRequest(unique('rel-ddb-http'));
    await parts.set('dynamodb', { available: false });

    // Act
    const during = await api.createInfrastructure(request, token);
    const callsDuring = (await infrastructureCalls(token)).length;
    await outcomes.drainFor(500);
    const publishedDuring = outcomes.for(token).length;
    await parts.set('dynamodb', { available: true });
    const after = await api.createInfrastructure(request, token);

    // Assess
    const calls = await infrastructureCalls(token);
    const published = await outcomes.waitFor(token);
    printFigures('DynamoDB down (HTTP)', {
      'HTTP during outage': during.status,
      'Retry-After': during.headers.get('retry-after'),
      'AWS calls during outage': callsDuring,
      'outcomes during outage': publishedDuring,
      'HTTP after recovery': after.status,
      'AWS calls': calls.length,
      outcomes: verdicts(published),
    });
    expectProblem(during, 503, 'ServiceUnavailableException');
    expect(retryAfter(during)).toBeGreaterThanOrEqual(1);
    expect(callsDuring).toBe(0);
    expect(publishedDuring).toBe(0);
    expect(after.status, after.text).toBe(201);
    expect(calls).toHaveLength(1);
    expect(verdicts(published)).toEqual([['SUCCEEDED', null]]);
  });

  it('on the queue: nothing reaches AWS while DynamoDB is down; after recovery one call and one outcome', async () => {
    // Prepare
    const token = unique('rel-ddb-queue');
    const body = queueMessage(
      'CreateInfrastructureConfiguration',
      token,
      infrastructureRequest(unique('rel-ddb-queue')),
    );
    await parts.set('dynamodb', { available: false });

    // Act
    await queues.send(body);
    // Two receives refused before AWS (the service logs each), well before maxReceiveCount.
    const failedReceives = await eventually(
      () => {
        const failed = requestLog(stack.output(), token).filter(
          ({ outcome }) => outcome === 'FAILED',
        );
        return failed.length >= 2 ? failed : undefined;
      },
      { timeoutMs: 4_000, intervalMs: 100, what: 'two failed receives logged' },
    );
    const callsDuring = (await infrastructureCalls(token)).length;
    const publishedDuring = outcomes.for(token).length;
    await parts.set('dynamodb', { available: true });
    const published = await outcomes.waitFor(token, {
      timeoutMs: 15_000,
      settleMs: QUEUE_SETTLE_MS,
    });
    await queues.drained(10_000);

    // Assess
    const calls = await infrastructureCalls(token);
    const queueDepths = await depths();
    printFigures('DynamoDB down (queue)', {
      'failed receives before recovery': failedReceives.length,
      'their error': tally(failedReceives.map(describeLogLine)),
      'AWS calls during outage': callsDuring,
      'outcomes during outage': publishedDuring,
      'AWS calls': calls.length,
      outcomes: verdicts(published),
      ...queueDepths,
    });
    expect(new Set(failedReceives.map(({ errorCode }) => errorCode))).toEqual(
      new Set(['ServiceUnavailableException']),
    );
    expect(callsDuring).toBe(0);
    expect(publishedDuring).toBe(0);
    expect(calls).toHaveLength(1);
    expect(verdicts(published)).toEqual([['SUCCEEDED', null]]);
    expect(queueDepths).toEqual({ requestQueue: 0, deadLetterQueue: 0 });
  }, 45_000);
});

// ------------------------------------------------------------------------------------------------
// 5. A message that fails on every attempt
// ------------------------------------------------------------------------------------------------

describe('a message failing on every attempt', () => {
  it('AWS unavailable on every receive: exactly one FAILED outcome (retryable) and the message in the DLQ', async () => {
    // Prepare
    const poison = await preparePoisonMessage(stack, {
      operation: 'CreateDistributionConfiguration',
      error: 'ServiceUnavailableException',
      token: unique('rel-poison'),
      request: distributionRequest(unique('rel-poison')),
    });

    // Act
    const deadLettered = await sendUntilDeadLettered(stack, outcomes, poison);

    // Assess
    printFigures('AWS unavailable on every attempt (queue)', {
      ...deadLetterFigures(deadLettered),
      'request queue left': await queues.depth(queues.requestQueueUrl),
    });
    expectDeadLetteredOnce(poison, deadLettered);
    expect(deadLettered.published[0]?.event.data).toMatchObject({
      operation: 'CreateDistributionConfiguration',
      clientToken: poison.token,
    });
    // Every receive up to maxReceiveCount tried AWS MAX_AWS_ATTEMPTS times, and no more came.
    expect(deadLettered.calls).toHaveLength(MAX_RECEIVE_COUNT * MAX_AWS_ATTEMPTS);
    expect(await queues.depth(queues.requestQueueUrl)).toBe(0);
  }, 60_000);
});

// ------------------------------------------------------------------------------------------------
// 6. Bad input, fuzzed
// ------------------------------------------------------------------------------------------------

/** What is wrong with an HTTP answer to an invalid request, if anything. */
const httpAnswerProblem = (response: RawResponse, oversize: boolean): string | undefined => {
  if (!PROBLEM_JSON.test(response.headers.get('content-type') ?? '')) return 'not problem+json';
  if (oversize) {
    return response.status === 413 && response.body?.code === 'RequestTooLargeException'
      ? undefined
      : 'expected a 413 RequestTooLargeException';
  }
  if (response.status !== 400 || response.body?.code !== 'ValidationException') {
    return 'expected a 400 ValidationException';
  }
  const errors = response.body.errors;
  if (!Array.isArray(errors) || errors.length === 0) return 'no errors[]';
  const pathless = errors.some(
    (error: { path?: unknown }) => typeof error.path !== 'string' || !JSON_POINTER.test(error.path),
  );
  return pathless ? 'an error without a JSON Pointer path' : undefined;
};

/** What is wrong with the outcomes of an invalid queue message, if anything. */
const queueOutcomeProblem = (published: readonly ReceivedOutcome[]): string | undefined => {
  if (published.length !== 1) return `${published.length} outcomes`;
  const { data } = (published[0] as ReceivedOutcome).event;
  if (data.channel !== 'sqs' || data.status !== 'FAILED') return `${data.channel} ${data.status}`;
  if (data.error?.code !== 'ValidationException' || data.error.retryable !== false) {
    return `error ${JSON.stringify(data.error)}`;
  }
  const errors = data.error.errors ?? [];
  if (errors.length === 0) return 'no errors[]';
  return errors.every(({ path }) => typeof path === 'string' && JSON_POINTER.test(path))
    ? undefined
    : 'an error without a JSON Pointer path';
};

describe('bad input', () => {
  it(`${2 * FUZZ_PER_CHANNEL} fuzzed invalid inputs over both channels: no 5xx, no AWS call, every one refused with a path`, async () => {
    // Prepare
    const corpus = buildCorpus({
      seed: FUZZ_SEED,
      httpCount: FUZZ_PER_CHANNEL,
      queueCount: FUZZ_PER_CHANNEL,
      tokenPrefix: unique('fz'),
    });
    const callsBefore = (await stack.emulator.calls()).length;
    const outcomesBefore = outcomes.all().length;
    const started = performance.now();

    // Act: both channels at once.
    const [messageIds, responses] = await Promise.all([
      queues.sendAll(corpus.queue.map(({ body }) => body)),
      mapLimit(corpus.http, 8, ({ method, path, body, headers }) =>
        sendRaw(stack.info.httpApi, method, path, body, headers),
      ),
    ]);
    const httpMs = since(started);
    const expectedTokens = corpus.queue.map(({ token }, index) => token ?? messageIds[index]);
    const deadline = Date.now() + 60_000;
    while (
      Date.now() < deadline &&
      expectedTokens.some((token) => outcomes.for(token as string).length === 0)
    ) {
      await outcomes.drainFor(500);
    }
    await outcomes.drainFor(QUEUE_SETTLE_MS);
    await queues.drained(10_000);
    const queueMs = since(started);

    // Assess
    const callsAfter = (await stack.emulator.calls()).length;
    const httpFailures = corpus.http.flatMap((sent, index) => {
      const response = responses[index] as RawResponse;
      const problem = httpAnswerProblem(response, sent.oversize);
      return problem
        ? [
            {
              problem,
              kind: sent.kind,
              detail: sent.detail,
              status: response.status,
              answer: response.text.slice(0, 300),
            },
          ]
        : [];
    });
    const queueFailures = corpus.queue.flatMap((sent, index) => {
      const published = outcomes.for(expectedTokens[index] as string);
      const problem = queueOutcomeProblem(published);
      return problem
        ? [{ problem, kind: sent.kind, detail: sent.detail, body: sent.body.slice(0, 300) }]
        : [];
    });
    const httpOutcomes = outcomes
      .all()
      .slice(outcomesBefore)
      .filter(({ event }) => event.data.channel === 'http');
    const queueDepths = await depths();
    const statuses = tally(responses.map(({ status }) => status));
    const serverErrors = responses.filter(({ status }) => status >= 500).length;
    const slowest = Math.round(Math.max(...responses.map(({ elapsedMs }) => elapsedMs)));
    printFigures('fuzz corpus', {
      seed: corpus.seed,
      inputs: corpus.http.length + corpus.queue.length,
      http: corpus.http.length,
      queue: corpus.queue.length,
      drawn: corpus.drawn,
      'discarded as valid': corpus.discardedValid,
      'discarded as duplicate': corpus.discardedDuplicate,
    });
    printFigures('fuzz corpus kinds (http)', tally(corpus.http.map(({ kind }) => kind)));
    printFigures('fuzz corpus kinds (queue)', tally(corpus.queue.map(({ kind }) => kind)));
    printFigures('fuzzed bad input', {
      '5xx': serverErrors,
      'AWS calls': callsAfter - callsBefore,
      'HTTP statuses': statuses,
      'HTTP answers without problem+json/path': httpFailures.length,
      'HTTP outcomes published': httpOutcomes.length,
      'queue messages with exactly one FAILED outcome with paths':
        corpus.queue.length - queueFailures.length,
      'queue failures': queueFailures.length,
      ...queueDepths,
      'HTTP done (ms)': httpMs,
      'slowest HTTP (ms)': slowest,
      'queue done (ms)': queueMs,
    });

    expect(corpus.http.length + corpus.queue.length).toBeGreaterThanOrEqual(300);
    expect(httpFailures).toEqual([]);
    expect(serverErrors).toBe(0);
    expect(callsAfter - callsBefore).toBe(0);
    expect(httpOutcomes).toEqual([]);
    expect(queueFailures).toEqual([]);
    expect(queueDepths).toEqual({ requestQueue: 0, deadLetterQueue: 0 });
  }, 120_000);
});

// ------------------------------------------------------------------------------------------------
// AWS answering after the SDK's timeout
// ------------------------------------------------------------------------------------------------

describe('AWS slower than the SDK request timeout', () => {
  it('with SNS hanging too: 503 OutcomeUnknownException in time (never 500, never FAILED); the retry with the same token 201; one SUCCEEDED outcome', async () => {
    // Prepare: every attempt of the first request answers after the SDK's 5 s timeout, but lands.
    const name = unique('rel-late-aws');
    const token = unique('rel-late-aws');
    await parts.set('sns', { available: false, mode: 'hang' });
    await stack.emulator.fault({
      operation: 'CreateInfrastructureConfiguration',
      latencyMs: 6_000,
      count: 2,
    });
    const started = performance.now();

    // Act
    const first = await api.createInfrastructure(infrastructureRequest(name), token);
    const firstMs = since(started);
    // Both late calls have landed by now: they answered 6 s after they came.
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    await parts.set('sns', { available: true });
    const retry = await api.createInfrastructure(infrastructureRequest(name), token);
    const published = await outcomes.waitFor(token);
    const calls = await infrastructureCalls(token);

    // Assess
    printFigures('AWS answering after the SDK timeout, SNS hanging', {
      'first HTTP': `${first.status} ${first.body?.code}`,
      'first answered after (ms)': firstMs,
      'retry HTTP': retry.status,
      'AWS calls': calls.length,
      outcomes: verdicts(published),
    });
    expectProblem(first, 503, 'OutcomeUnknownException');
    expect(retryAfter(first)).toBeGreaterThan(0);
    expect(firstMs).toBeLessThan(10_000);
    expect(retry.status, retry.text).toBe(201);
    expect(verdicts(published)).toEqual([['SUCCEEDED', null]]);
    expect(new Set(calls.map((call) => JSON.stringify(call.input))).size).toBe(1);
  }, 60_000);
});

describe('DynamoDB lost between the AWS call and the store', () => {
  it('over HTTP: 503, then the retry with the same token 201; exactly one SUCCEEDED outcome, no FAILED', async () => {
    // Prepare: the AWS call takes 2 s; DynamoDB goes away while it runs, after the record began.
    const name = unique('rel-ddb-lost');
    const token = unique('rel-ddb-lost');
    await stack.emulator.fault({
      operation: 'CreateInfrastructureConfiguration',
      latencyMs: 2_000,
      count: 1,
    });

    // Act
    const first = api.createInfrastructure(infrastructureRequest(name), token);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await parts.set('dynamodb', { available: false });
    const during = await first;
    const callsDuring = (await infrastructureCalls(token)).length;
    await parts.set('dynamodb', { available: true });
    // The first attempt's lock may outlive it (its release failed too): retry as told, bounded.
    const answers: number[] = [];
    let retry = await api.createInfrastructure(infrastructureRequest(name), token);
    answers.push(retry.status);
    for (let tries = 0; retry.status === 409 && tries < 15; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, retryAfter(retry) * 1_000));
      retry = await api.createInfrastructure(infrastructureRequest(name), token);
      answers.push(retry.status);
    }
    const published = await outcomes.waitFor(token);
    const calls = await infrastructureCalls(token);

    // Assess
    printFigures('DynamoDB lost between the AWS call and the store (HTTP)', {
      'first HTTP': `${during.status} ${during.body?.code}`,
      'AWS calls by then': callsDuring,
      'retries answered': answers,
      'AWS calls': calls.length,
      outcomes: verdicts(published),
    });
    expectProblem(during, 503, 'ServiceUnavailableException');
    expect(callsDuring).toBe(1);
    expect(retry.status, retry.text).toBe(201);
    expect(verdicts(published)).toEqual([['SUCCEEDED', null]]);
    // Every call carried the same request and token: one resource.
    expect(new Set(calls.map((call) => JSON.stringify(call.input))).size).toBe(1);
  }, 90_000);
});
