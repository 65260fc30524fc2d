import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse, unique } from '../e2e/support/api.js';
import { OutcomeInbox, type ReceivedOutcome } from '../e2e/support/outcomes.js';
import {
  MAX_RECEIVE_COUNT,
  mapLimit,
  QUEUE_SETTLE_MS,
  Queues,
  queueMessage,
} from '../e2e/support/queues.js';
import {
  distributionRequest,
  imageBuilderRequest,
  infrastructureRequest,
} from '../e2e/support/requests.js';
import {
  QUEUE_VISIBILITY_TIMEOUT_SECONDS,
  type RunningStack,
  startStack,
} from '../e2e/support/stack.js';
import {
  describeLogLine,
  printFigures,
  requestLog,
  StackParts,
  sendRaw,
  tally,
} from './support/control.js';
import {
  byEventId,
  differingCopies,
  idsByToken,
  lookupAll,
  OUTBOX_AS_DEPLOYED,
  repeatedCopies,
  since,
  unpublishedWarnings,
} from './support/outbox.js';

/*
 * SNS outages against the outbox, measured. The request path never calls SNS: each request's
 * state and its outcome are committed to the request ledger, and the outbox function, triggered by
 * the ledger's stream, publishes what was committed. So while SNS is down callers are answered and
 * queue messages deleted as usual, the outcomes wait in the ledger, and they leave once SNS is
 * back: each once, with the id the ledger committed. A publish whose acknowledgement is lost goes
 * out again, as the same event with the same id.
 *
 * One offline stack (`npm start`) for the file, its ledger stream trigger set as serverless.yml
 * deploys it, driven only from outside: the HTTP API (status lookup included), the request queue,
 * a subscriber queue on the outcomes topic, the emulator's call log and the stack's control API.
 * Outages are global to the service, so the tests run one at a time.
 */

const STACK_START_TIMEOUT_MS = 120_000;
const CREATE = 'CreateInfrastructureConfiguration';
/** HTTP requests in flight at once (serverless-offline starts one function instance for each). */
const HTTP_CONCURRENCY = 4;
/** The outage the first test holds SNS down for, at least. */
const OUTAGE_MS = 60_000;
const HTTP_REQUESTS = 100;
const QUEUE_REQUESTS = 100;
/** How long all held outcomes may take to come out once SNS is back. */
const RELEASE_TIMEOUT_MS = 120_000;

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
  // One function instance per request in flight, each cold for a few seconds: warm them with
  // requests refused before any AWS call, ledger write or outcome.
  const warm = await Promise.all(
    Array.from({ length: HTTP_CONCURRENCY }, () =>
      sendRaw(stack.info.httpApi, 'POST', '/infrastructure-configurations', '{}'),
    ),
  );
  printFigures('outbox stack', {
    engine: stack.engine,
    startMs: Math.round(ready - started),
    warmUpMs: since(ready),
    warmUpStatuses: tally(warm.map(({ status }) => status)),
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

const depths = async () => ({
  requestQueue: await queues.depth(queues.requestQueueUrl),
  deadLetterQueue: await queues.depth(queues.deadLetterQueueUrl),
});

/** The outcomes received so far for `tokens`. */
const receivedFor = (tokens: ReadonlySet<string>): ReceivedOutcome[] =>
  outcomes.all().filter(({ event }) => tokens.has(event.data.clientToken ?? ''));

/** `status outcomeIds.length` of a status lookup, for compact figures. */
const lookupVerdict = ({ status, body }: ApiResponse): string =>
  status === 200 ? `${body.status} ${(body.outcomeIds as unknown[]).length}` : String(status);

describe('SNS answering late', () => {
  it('a publish whose acknowledgement is lost: published again, with the same event id', async () => {
    // Prepare: the next publish reaches SNS at once, but its answer comes after the SDK's 2 s
    // request timeout, so the outbox cannot know it went out.
    const token = unique('rel-late-ack');
    await parts.set('sns', { available: true, late: { ms: 2_500, count: 1 } });

    // Act
    const created = await api.createInfrastructure(infrastructureRequest(token), token);
    const published = await outcomes.waitFor(token, {
      count: 2,
      timeoutMs: 20_000,
      settleMs: QUEUE_SETTLE_MS,
    });
    const committed = await api.lookup(CREATE, token);

    // Assess
    const copies = byEventId(published);
    printFigures('SNS acknowledgement lost', {
      engine: stack.engine,
      HTTP: created.status,
      'deliveries received': published.length,
      'distinct outcomes': copies.size,
      'committed outcome ids': (committed.body.outcomeIds as string[]).length,
    });
    expect(created.status, created.text).toBe(201);
    // The copy is the same event: a subscriber that drops ids it has seen sees one outcome.
    expect(published).toHaveLength(2);
    expect([...copies.keys()]).toEqual(committed.body.outcomeIds);
    expect(differingCopies(copies)).toEqual([]);
  }, 60_000);
});

describe('SNS down', () => {
  it(`for ${OUTAGE_MS / 1000} s while ${HTTP_REQUESTS} HTTP and ${QUEUE_REQUESTS} queue requests arrive: every answer 201, every message deleted, no outcome until SNS is back, then exactly ${HTTP_REQUESTS + QUEUE_REQUESTS}, none missing, none doubled`, async () => {
    // Prepare: distinct tokens; each token names its configuration too.
    const run = unique('rel-outage');
    const httpTokens = Array.from({ length: HTTP_REQUESTS }, (_, index) => `${run}-h${index}`);
    const queueTokens = Array.from({ length: QUEUE_REQUESTS }, (_, index) => `${run}-q${index}`);
    const tokens = [...httpTokens, ...queueTokens];
    const mine = new Set(tokens);
    await parts.set('sns', { available: false });
    const outageStarted = performance.now();

    // Act: both channels at once while SNS is down.
    const [answers] = await Promise.all([
      mapLimit(httpTokens, HTTP_CONCURRENCY, async (token) => {
        const sent = performance.now();
        const response = await api.createInfrastructure(infrastructureRequest(token), token);
        return { response, elapsedMs: since(sent) };
      }),
      queues.sendAll(
        queueTokens.map((token) => queueMessage(CREATE, token, infrastructureRequest(token))),
      ),
    ]);
    const httpAnsweredMs = since(outageStarted);
    await queues.drained(45_000);
    const queueDrainedMs = since(outageStarted);
    // Every request is committed with its outcome while SNS is still down.
    const committed = await lookupAll(api, CREATE, tokens);
    const lookedUpMs = since(outageStarted);
    // SNS stays down for the whole outage; whatever the subscriber receives meanwhile is counted.
    await outcomes.drainFor(Math.max(0, OUTAGE_MS - since(outageStarted)));
    const publishedDuring = receivedFor(mine).length;
    const depthsDuring = await depths();
    const outageMs = since(outageStarted);
    await parts.set('sns', { available: true });
    const recoveredAt = performance.now();
    const allReleased = await outcomes.drainUntil(
      () => byEventId(receivedFor(mine)).size >= tokens.length,
      RELEASE_TIMEOUT_MS,
    );
    const releasedMs = since(recoveredAt);
    // Listen on: a copy or an extra outcome would show now.
    await outcomes.drainFor(QUEUE_SETTLE_MS);

    // Assess
    const received = receivedFor(mine);
    const copies = byEventId(received);
    const ids = idsByToken(received);
    const committedIds = committed.flatMap(({ body }) => (body?.outcomeIds as string[]) ?? []);
    const arrivals = received.map(({ receivedAt }) => receivedAt - recoveredAt);
    const calls = (await stack.emulator.calls()).filter(
      (call) => call.operation === CREATE && mine.has(call.input.clientToken as string),
    );
    const queueDepths = await depths();
    printFigures(`SNS down ${Math.round(outageMs / 1000)} s, ${tokens.length} requests`, {
      engine: stack.engine,
      'HTTP statuses': tally(answers.map(({ response }) => response.status)),
      'HTTP answered (ms)': httpAnsweredMs,
      'slowest HTTP (ms)': Math.max(...answers.map(({ elapsedMs }) => elapsedMs)),
      'queue drained (ms)': queueDrainedMs,
      'committed (status lookup)': tally(committed.map(lookupVerdict)),
      'looked up (ms)': lookedUpMs,
      'outcomes during outage': publishedDuring,
      'queues during outage': depthsDuring,
      'outage (ms)': outageMs,
      'first outcome after recovery (ms)': Math.round(Math.min(...arrivals)),
      'all outcomes after recovery (ms)': releasedMs,
      'distinct outcomes': copies.size,
      'deliveries received': received.length,
      'repeated deliveries (same id)': repeatedCopies(copies),
      'AWS calls': calls.length,
      'outbox warnings (not published yet)': unpublishedWarnings(stack.output()),
      ...queueDepths,
    });

    // Every caller answered as if nothing were down, every message deleted, nothing dead-lettered.
    expect(
      answers
        .filter(({ response }) => response.status !== 201)
        .map(({ response }) => response.text),
    ).toEqual([]);
    expect(depthsDuring).toEqual({ requestQueue: 0, deadLetterQueue: 0 });
    // Each request committed once, SUCCEEDED, with one outcome, before anything was published.
    expect(tally(committed.map(lookupVerdict))).toEqual({ 'SUCCEEDED 1': tokens.length });
    expect(calls).toHaveLength(tokens.length);
    expect(publishedDuring).toBe(0);
    expect(outageMs).toBeGreaterThanOrEqual(OUTAGE_MS);
    // After recovery: exactly the committed outcomes, one per request, none missing, none doubled.
    expect(allReleased).toBe(true);
    expect(copies.size).toBe(tokens.length);
    expect(new Set(copies.keys())).toEqual(new Set(committedIds));
    expect(tokens.filter((token) => ids.get(token)?.length !== 1)).toEqual([]);
    // A copy could only be a redelivery: the same event again, same id (none expected here).
    expect(differingCopies(copies)).toEqual([]);
    for (const { event } of received) {
      const channel = httpTokens.includes(event.data.clientToken as string) ? 'http' : 'sqs';
      expect(event.data).toMatchObject({ operation: CREATE, status: 'SUCCEEDED', channel });
    }
    expect(queueDepths).toEqual({ requestQueue: 0, deadLetterQueue: 0 });
  }, 300_000);

  it('longer than visibility timeout × maxReceiveCount: queue messages are deleted on their first receive, nothing reaches the DLQ, every outcome comes once SNS is back', async () => {
    // Prepare: three operations, distinct tokens.
    const run = unique('rel-visibility');
    const messages = Array.from({ length: 21 }, (_, index) => {
      const token = `${run}-${index}`;
      if (index % 3 === 0) {
        return { token, operation: CREATE, request: infrastructureRequest(token) };
      }
      if (index % 3 === 1) {
        return {
          token,
          operation: 'CreateDistributionConfiguration',
          request: distributionRequest(token),
        };
      }
      return { token, operation: 'CreateImageBuilder', request: imageBuilderRequest(token) };
    });
    const mine = new Set(messages.map(({ token }) => token));
    // Past the point where the old design would have dead-lettered a message that kept failing.
    const redriveWindowMs = QUEUE_VISIBILITY_TIMEOUT_SECONDS * MAX_RECEIVE_COUNT * 1000;
    const holdMs = 3 * redriveWindowMs;
    await parts.set('sns', { available: false });
    const outageStarted = performance.now();

    // Act
    await queues.sendAll(
      messages.map(({ operation, token, request }) => queueMessage(operation, token, request)),
    );
    const sentAt = performance.now();
    await queues.drained(30_000);
    const drainedMs = since(outageStarted);
    await outcomes.drainFor(Math.max(0, holdMs - since(sentAt)));
    const publishedDuring = receivedFor(mine).length;
    const depthsDuring = await depths();
    const outageMs = since(outageStarted);
    await parts.set('sns', { available: true });
    const recoveredAt = performance.now();
    const allReleased = await outcomes.drainUntil(
      () => byEventId(receivedFor(mine)).size >= messages.length,
      60_000,
    );
    const releasedMs = since(recoveredAt);
    await outcomes.drainFor(QUEUE_SETTLE_MS);

    // Assess
    const received = receivedFor(mine);
    const copies = byEventId(received);
    const deliveries = messages.map(({ token }) =>
      requestLog(stack.output(), token).map(describeLogLine),
    );
    const queueDepths = await depths();
    printFigures('SNS down past visibility × maxReceiveCount', {
      engine: stack.engine,
      messages: messages.length,
      'visibility × maxReceiveCount (ms)': redriveWindowMs,
      'outage (ms)': outageMs,
      'queue drained (ms)': drainedMs,
      'deliveries logged': tally(deliveries.flat()),
      'outcomes during outage': publishedDuring,
      'queues during outage': depthsDuring,
      'all outcomes after recovery (ms)': releasedMs,
      'distinct outcomes': copies.size,
      'deliveries received': received.length,
      ...queueDepths,
    });
    expect(outageMs).toBeGreaterThan(redriveWindowMs);
    // Each message was received once and deleted: SNS never made it fail.
    expect(deliveries.filter((logged) => logged.join() !== 'sqs SUCCEEDED')).toEqual([]);
    expect(depthsDuring).toEqual({ requestQueue: 0, deadLetterQueue: 0 });
    expect(publishedDuring).toBe(0);
    expect(allReleased).toBe(true);
    expect(copies.size).toBe(messages.length);
    expect(differingCopies(copies)).toEqual([]);
    for (const { token, operation } of messages) {
      const published = received.filter(({ event }) => event.data.clientToken === token);
      expect(published.map(({ event }) => [event.data.operation, event.data.status])).toEqual([
        [operation, 'SUCCEEDED'],
      ]);
    }
    expect(queueDepths).toEqual({ requestQueue: 0, deadLetterQueue: 0 });
  }, 120_000);
});
