import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse, unique } from '../e2e/support/api.js';
import { type EmulatorCall, withToken } from '../e2e/support/emulator.js';
import { OutcomeInbox, type ReceivedOutcome } from '../e2e/support/outcomes.js';
import { mapLimit, QUEUE_SETTLE_MS, Queues, queueMessage } from '../e2e/support/queues.js';
import { infrastructureRequest } from '../e2e/support/requests.js';
import { type RunningStack, startStack } from '../e2e/support/stack.js';
import { eventually } from '../e2e/support/wait.js';
import {
  describeLogLine,
  type PartState,
  printFigures,
  requestLog,
  StackParts,
  tally,
} from './support/control.js';

/*
 * A request never collides with itself. The SDK retries the idempotency record's PutItem when its
 * answer does not come within the client's 2 s request timeout; when the write had landed all the
 * same, the retry meets the record its own first attempt wrote. Measured on the offline stack
 * (`npm start`), driven only from outside: the stack's control API holds DynamoDB's answer to
 * that PutItem back (`late`), and a cold stack under a burst of first requests is late by itself.
 *
 * The late acknowledgements run one at a time on one stack, each leaving DynamoDB answering on
 * time; the burst gets a stack of its own, as it started (no function instance warm).
 */

const STACK_START_TIMEOUT_MS = 120_000;
/** src/aws/clients.ts: the request timeout of the DynamoDB client. */
const SDK_REQUEST_TIMEOUT_MS = 2_000;
/** How late the held answer comes: well past the SDK's timeout, well inside the function's. */
const LATE_MS = 2_500;
/** Messages of one queue batch (the trigger's batchSize). */
const BATCH = 10;
/**
 * First requests fired at once on the fresh stack. The stack's HTTP API runs a few function
 * instances at once (FUNCTION_CONCURRENCY) and the rest wait for one, as instances with CPU of
 * their own would keep up in AWS; `SELF_COLLISION_BURST` sets another size.
 */
const BURST = Number(process.env.SELF_COLLISION_BURST ?? 60);

let stack: RunningStack;
let api: Api;
let outcomes: OutcomeInbox;
let parts: StackParts;
let queues: Queues;

/** A stack of its own, started as `npm start` does, for the tests of the enclosing block. */
const useStack = () => {
  beforeAll(async () => {
    const started = performance.now();
    stack = await startStack();
    api = new Api(stack.info.httpApi);
    outcomes = await OutcomeInbox.subscribe(stack);
    parts = new StackParts(stack.info.control.endpoint);
    queues = new Queues(stack);
    printFigures('stack', { startMs: since(started) });
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
};

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

const since = (started: number): number => Math.round(performance.now() - started);

const infrastructureCalls = (token: string): Promise<EmulatorCall[]> =>
  stack.emulator.callsOf('CreateInfrastructureConfiguration', withToken(token));

/** `[status, retryable]` of each outcome, for compact assertions. */
const verdicts = (published: readonly ReceivedOutcome[]) =>
  published.map(({ event }) => [event.data.status, event.data.error?.retryable ?? null]);

/** What the stack's control API says of DynamoDB now. */
const dynamodbPart = async (): Promise<PartState> => {
  const response = await fetch(`${stack.info.control.endpoint}/_stack/parts`, {
    signal: AbortSignal.timeout(5_000),
  });
  return ((await response.json()) as Record<string, PartState>).dynamodb as PartState;
};

/** The next idempotency record PutItem lands at once and is answered `LATE_MS` later. */
const nextRecordAnsweredLate = () =>
  parts.set('dynamodb', {
    available: true,
    late: { ms: LATE_MS, count: 1, operation: 'PutItem' },
  });

const depths = async () => ({
  requestQueue: await queues.depth(queues.requestQueueUrl),
  deadLetterQueue: await queues.depth(queues.deadLetterQueueUrl),
});

/** The gateway's answer when the function did not answer within its timeout (API Gateway's 500). */
const isFunctionTimeout = (response: ApiResponse): boolean =>
  response.status === 500 && response.body?.message === 'Internal Server Error';

/** How many invocations serverless-offline reported as timed out so far. */
const functionTimeouts = (): number =>
  stack
    .output()
    .split('\n')
    .filter((line) => line.includes('[504] - Lambda timeout')).length;

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0,
  );
};

// ------------------------------------------------------------------------------------------------
// 1. A late acknowledgement of the idempotency record
// ------------------------------------------------------------------------------------------------

describe('a late DynamoDB acknowledgement of a new token', () => {
  useStack();

  it('over HTTP: 201 with one AWS call and one SUCCEEDED outcome, not 409', async () => {
    // Prepare
    const name = unique('rel-late-http');
    const token = unique('rel-late-http');
    const request = infrastructureRequest(name);
    await nextRecordAnsweredLate();

    // Act
    const started = performance.now();
    const response: ApiResponse = await api.createInfrastructure(request, token);
    const answeredMs = since(started);
    const gate = await dynamodbPart();
    const published = await outcomes.waitFor(token);
    const blindRetry = await api.createInfrastructure(request, token);

    // Assess
    const calls = await infrastructureCalls(token);
    printFigures('late DynamoDB acknowledgement (HTTP)', {
      'held answers left': gate.late?.count,
      'HTTP status': response.status,
      'answered (ms)': answeredMs,
      'AWS calls': calls.length,
      outcomes: verdicts(published),
      'blind retry': `${blindRetry.status}${blindRetry.headers.get('idempotent-replayed') ? ' replayed' : ''}`,
      'deliveries logged': tally(requestLog(stack.output(), token).map(describeLogLine)),
    });
    // The held answer was the record's PutItem, and the SDK gave up on it before retrying.
    expect(gate.late?.count).toBe(0);
    expect(answeredMs).toBeGreaterThanOrEqual(SDK_REQUEST_TIMEOUT_MS);
    expect(response.status, response.text).toBe(201);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
    expect(response.body.infrastructureConfigurationArn).toMatch(
      new RegExp(`:infrastructure-configuration/${name}$`),
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]?.error).toBeUndefined();
    expect(verdicts(published)).toEqual([['SUCCEEDED', null]]);
    expect(published[0]?.event.data).toMatchObject({ channel: 'http', clientToken: token });
    expect(blindRetry.status, blindRetry.text).toBe(201);
    expect(blindRetry.headers.get('idempotent-replayed')).toBe('true');
  }, 45_000);

  it('on the queue: the message is done on its first receive, one outcome, nothing in the DLQ', async () => {
    // Prepare
    const name = unique('rel-late-queue');
    const token = unique('rel-late-queue');
    const body = queueMessage(
      'CreateInfrastructureConfiguration',
      token,
      infrastructureRequest(name),
    );
    await nextRecordAnsweredLate();

    // Act
    const started = performance.now();
    await queues.send(body);
    const published = await outcomes.waitFor(token, {
      timeoutMs: 30_000,
      settleMs: QUEUE_SETTLE_MS,
    });
    const announcedMs = since(started);
    await queues.drained(15_000);
    const gate = await dynamodbPart();

    // Assess
    const calls = await infrastructureCalls(token);
    const queueDepths = await depths();
    const logged = await eventually(
      () => {
        const lines = requestLog(stack.output(), token);
        return lines.length > 0 ? lines : undefined;
      },
      { timeoutMs: 5_000, what: 'the delivery logged' },
    );
    printFigures('late DynamoDB acknowledgement (queue)', {
      'held answers left': gate.late?.count,
      'deliveries logged': tally(logged.map(describeLogLine)),
      'AWS calls': calls.length,
      outcomes: verdicts(published),
      'announced (ms)': announcedMs,
      ...queueDepths,
    });
    expect(gate.late?.count).toBe(0);
    expect(logged.map(describeLogLine)).toEqual(['sqs SUCCEEDED']);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.error).toBeUndefined();
    expect(verdicts(published)).toEqual([['SUCCEEDED', null]]);
    expect(published[0]?.event.data).toMatchObject({ channel: 'sqs', clientToken: token });
    expect(queueDepths).toEqual({ requestQueue: 0, deadLetterQueue: 0 });
  }, 60_000);

  it(`${BATCH} messages sent together, every record answered late: each done once, none in the DLQ`, async () => {
    // Prepare: the records' PutItems of one batch run concurrently on one function instance's
    // DynamoDB client, and every one of them is answered late.
    const messages = Array.from({ length: BATCH }, (_, index) => {
      const token = unique(`rel-late-batch-${index}`);
      const request = infrastructureRequest(unique(`rel-late-batch-${index}`));
      return { token, body: queueMessage('CreateInfrastructureConfiguration', token, request) };
    });
    await parts.set('dynamodb', {
      available: true,
      late: { ms: LATE_MS, count: BATCH, operation: 'PutItem' },
    });

    // Act
    const started = performance.now();
    await queues.sendAll(messages.map(({ body }) => body));
    const deadline = Date.now() + 40_000;
    while (
      Date.now() < deadline &&
      messages.some(({ token }) => outcomes.for(token).length === 0)
    ) {
      await outcomes.drainFor(500);
    }
    const announcedMs = since(started);
    await outcomes.drainFor(QUEUE_SETTLE_MS);
    await queues.drained(15_000);
    const gate = await dynamodbPart();

    // Assess
    const calls = await mapLimit(messages, 5, ({ token }) => infrastructureCalls(token));
    const logged = messages.map(({ token }) => requestLog(stack.output(), token));
    const queueDepths = await depths();
    printFigures(`late DynamoDB acknowledgements (queue batch of ${BATCH})`, {
      'held answers left': gate.late?.count,
      'deliveries logged': tally(logged.flat().map(describeLogLine)),
      'AWS calls per message': tally(calls.map((made) => made.length)),
      'outcomes per message': tally(messages.map(({ token }) => outcomes.for(token).length)),
      'all announced (ms)': announcedMs,
      ...queueDepths,
    });
    expect(gate.late?.count).toBe(0);
    expect(logged.flat().map(describeLogLine)).toEqual(Array(BATCH).fill('sqs SUCCEEDED'));
    for (const [index, { token }] of messages.entries()) {
      expect(calls[index], token).toHaveLength(1);
      expect(verdicts(outcomes.for(token)), token).toEqual([['SUCCEEDED', null]]);
    }
    expect(queueDepths).toEqual({ requestQueue: 0, deadLetterQueue: 0 });
  }, 90_000);
});

// ------------------------------------------------------------------------------------------------
// 2. A burst of first requests on a cold stack
// ------------------------------------------------------------------------------------------------

describe('a burst of first requests on a fresh stack', () => {
  // Its own stack, nothing warm: every request starts a function instance of its own.
  useStack();

  it(`${BURST} concurrent first requests with distinct tokens on a fresh stack: every one 201 (no 409, no token in progress, no 5xx), one outcome each`, async () => {
    // Prepare: distinct tokens and names, nothing warm.
    const requests = Array.from({ length: BURST }, (_, index) => ({
      token: unique(`rel-burst-${index}`),
      request: infrastructureRequest(unique(`rel-burst-${index}`)),
    }));
    const timeoutsBefore = functionTimeouts();
    const started = performance.now();

    // Act: all at once.
    const answered = await Promise.all(
      requests.map(async ({ token, request }) => {
        const sent = performance.now();
        const response = await api.createInfrastructure(request, token);
        return { token, response, elapsedMs: performance.now() - sent };
      }),
    );
    const answeredMs = since(started);
    const succeeded = answered.filter(({ response }) => response.status === 201);
    // Every 201 is announced once: wait for all of them (bounded), then for strays.
    const deadline = Date.now() + 30_000;
    while (
      Date.now() < deadline &&
      succeeded.some(({ token }) => outcomes.for(token).length === 0)
    ) {
      await outcomes.drainFor(500);
    }
    await outcomes.drainFor(QUEUE_SETTLE_MS);

    // Assess
    const calls = await mapLimit(requests, 8, ({ token }) => infrastructureCalls(token));
    const elapsed = answered.map(({ elapsedMs }) => elapsedMs);
    const logged = answered.map(({ token }) => requestLog(stack.output(), token));
    const inProgress = logged.filter((lines) =>
      lines.some(({ errorCode }) => errorCode === 'IdempotencyInProgressException'),
    ).length;
    const timedOut = answered.filter(({ response }) => isFunctionTimeout(response)).length;
    printFigures(`${BURST} concurrent first requests (fresh stack)`, {
      'HTTP statuses': tally(
        answered.map(({ response }) =>
          [response.status, response.body?.code].filter(Boolean).join(' '),
        ),
      ),
      'tokens logged in progress': inProgress,
      'requests the service logged': logged.filter((lines) => lines.length > 0).length,
      'function timeouts logged': functionTimeouts() - timeoutsBefore,
      'AWS calls per token': tally(calls.map((made) => made.length)),
      'outcomes per 201': tally(succeeded.map(({ token }) => outcomes.for(token).length)),
      [`answers slower than the SDK timeout (${SDK_REQUEST_TIMEOUT_MS} ms)`]: elapsed.filter(
        (ms) => ms > SDK_REQUEST_TIMEOUT_MS,
      ).length,
      'median (ms)': percentile(elapsed, 50),
      'slowest (ms)': percentile(elapsed, 100),
      'all answered (ms)': answeredMs,
    });

    // No token met itself: not one 409, not one delivery logged as in progress.
    expect(answered.filter(({ response }) => response.status === 409)).toEqual([]);
    expect(inProgress).toBe(0);
    // Every request succeeded, in time: no refusal, no 5xx, no function that ran out of time.
    expect(
      answered
        .filter(({ response }) => response.status !== 201)
        .map(({ token, response }) => `${token}: ${response.status} ${response.text}`),
    ).toEqual([]);
    expect(timedOut).toBe(0);
    expect(functionTimeouts() - timeoutsBefore).toBe(0);
    for (const [index, { token, response }] of answered.entries()) {
      const made = calls[index] ?? [];
      const published = outcomes.for(token);
      // One resource per token whatever happened: every call AWS got carried the same request.
      expect(
        new Set(made.map((call) => JSON.stringify(call.input))).size,
        token,
      ).toBeLessThanOrEqual(1);
      expect(response.headers.get('idempotent-replayed'), token).toBeNull();
      expect(made.length, token).toBeGreaterThanOrEqual(1);
      expect(verdicts(published), token).toEqual([['SUCCEEDED', null]]);
    }
    // A burst none of whose requests reached the service would prove nothing.
    expect(logged.some((lines) => lines.length > 0)).toBe(true);
  }, 120_000);
});
