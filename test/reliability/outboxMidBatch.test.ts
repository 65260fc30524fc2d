import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse, unique } from '../e2e/support/api.js';
import { OutcomeInbox } from '../e2e/support/outcomes.js';
import { QUEUE_SETTLE_MS, Queues, queueMessage } from '../e2e/support/queues.js';
import { infrastructureRequest } from '../e2e/support/requests.js';
import { type RunningStack, startStack } from '../e2e/support/stack.js';
import { eventually, sleep } from '../e2e/support/wait.js';
import { printFigures, StackParts, tally } from './support/control.js';
import {
  byEventId,
  differingCopies,
  idsByToken,
  lookupAll,
  repeatedCopies,
  since,
  unpublishedWarnings,
} from './support/outbox.js';

/*
 * The outbox failing in the middle of a batch, then recovering. The ledger's stream delivers
 * changes to the outbox function in batches of up to 10, in stream order. Two ways to fail:
 *
 * - A publish fails (SNS lost again mid-backlog): the function reports that record as failed and
 *   the batch is retried from it (partial batch response), so nothing goes out twice.
 * - The invocation fails (a function error, as a crash or a timeout would be): the batch is split
 *   in two and each half is delivered again, so the records before the failure are published a
 *   second time. That is harmless only if a copy is the same event with the same id: this file
 *   proves it is, and that every outcome still arrives and each request's outcomes keep their
 *   order.
 *
 * The function error is caused from outside: a tool writes a change to the ledger table that the
 * outbox cannot read (a number no JavaScript number or BigInt holds), among the service's own
 * changes. The stream trigger gives that change up after OUTBOX_MAXIMUM_RETRY_ATTEMPTS retries and
 * describes it on the outbox-failures queue; everything around it is published.
 *
 * One offline stack for the file, driven from outside only (plus that one write to the table).
 */

const STACK_START_TIMEOUT_MS = 120_000;
const CREATE = 'CreateInfrastructureConfiguration';
/**
 * Retries before the trigger gives a batch up: enough for the short SNS outage below (about 23 s
 * of backoff), and the unreadable change is given up after as long.
 */
const RETRY_ATTEMPTS = 8;
/** Requests throttled before the unreadable change is written, and retried after it. */
const REQUESTS = 6;
/** A number DynamoDB stores (38 digits) that unmarshalling into JavaScript refuses. */
const UNREADABLE_NUMBER = '12345678901234567890.5';

let stack: RunningStack;
let api: Api;
let outcomes: OutcomeInbox;
let parts: StackParts;
let queues: Queues;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  const started = performance.now();
  stack = await startStack({ OUTBOX_MAXIMUM_RETRY_ATTEMPTS: String(RETRY_ATTEMPTS) });
  api = new Api(stack.info.httpApi);
  outcomes = await OutcomeInbox.subscribe(stack);
  parts = new StackParts(stack.info.control.endpoint);
  queues = new Queues(stack);
  // The endpoint whose writes the ledger's stream carries, as stack.json names it.
  dynamodb = new DynamoDBClient({
    region: stack.info.region,
    endpoint: stack.info.dynamodb.endpoint,
    credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
  });
  // Warm the HTTP function instances the tests use at once (status lookups, 4 in flight).
  await lookupAll(api, CREATE, ['warm-0', 'warm-1', 'warm-2', 'warm-3']);
  printFigures('outbox mid-batch stack', { engine: stack.engine, startMs: since(started) });
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
  dynamodb?.destroy();
  if (!stack) return;
  if (!stack.exited()) await outcomes?.close();
  await stack.stop();
}, 30_000);

/** Takes the next message of the outbox-failures queue (Lambda's on-failure record). */
const takeOutboxFailure = (timeoutMs: number): Promise<Record<string, unknown>> =>
  eventually(
    async () => {
      const QueueUrl = stack.info.sqs.outboxFailureQueueUrl;
      const { Messages = [] } = await stack.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
      );
      const [message] = Messages;
      if (!message) return undefined;
      await stack.sqs.send(
        new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      return JSON.parse(message.Body ?? '{}') as Record<string, unknown>;
    },
    { timeoutMs, intervalMs: 0, what: 'a record on the outbox-failures queue' },
  );

/**
 * SNS down, then one invalid queue message: it commits one change (its FAILED outcome), which the
 * stream trigger takes as a batch of its own and retries while SNS is down, so everything written
 * after it waits in the stream and comes in full batches of 10, in stream order, once SNS is back.
 */
const holdTheStream = async (holdToken: string): Promise<void> => {
  await parts.set('sns', { available: false });
  await queues.send(queueMessage(CREATE, holdToken, {}));
  await eventually(
    async () => ((await api.lookup(CREATE, holdToken)).status === 200 ? true : undefined),
    { timeoutMs: 15_000, what: 'the invalid message committed' },
  );
  await sleep(1_000);
};

describe('the outbox failing mid-batch', () => {
  it('SNS lost again while the outbox works through a backlog: publishing resumes at the record that failed, every outcome arrives once', async () => {
    // Prepare: a backlog of 100 queue requests behind a held stream.
    const run = unique('rel-cut');
    const holdToken = `${run}-hold`;
    const tokens = Array.from({ length: 100 }, (_, index) => `${run}-${index}`);
    const mine = new Set([holdToken, ...tokens]);
    const receivedMine = () =>
      outcomes.all().filter(({ event }) => mine.has(event.data.clientToken ?? ''));
    await holdTheStream(holdToken);
    await queues.sendAll(
      tokens.map((token) => queueMessage(CREATE, token, infrastructureRequest(token))),
    );
    await queues.drained(60_000);
    const committed = await lookupAll(api, CREATE, tokens);

    // Act: SNS back; as soon as the first outcomes arrive, SNS down again for 2 s.
    await parts.set('sns', { available: true });
    const recoveredAt = performance.now();
    await outcomes.drainUntil(() => receivedMine().length >= 5, 30_000);
    await parts.set('sns', { available: false });
    const cutAt = performance.now();
    const outputAtCut = stack.output().length;
    const receivedBeforeCut = receivedMine().length;
    await outcomes.drainFor(2_000);
    await parts.set('sns', { available: true });
    const allArrived = await outcomes.drainUntil(
      () => byEventId(receivedMine()).size >= mine.size,
      60_000,
    );
    const arrivedMs = since(cutAt);
    await outcomes.drainFor(QUEUE_SETTLE_MS);

    // Assess
    const received = receivedMine();
    const copies = byEventId(received);
    const ids = idsByToken(received);
    const failedAfterCut = unpublishedWarnings(stack.output().slice(outputAtCut));
    printFigures('SNS lost while the outbox works through a backlog', {
      engine: stack.engine,
      requests: tokens.length + 1,
      'committed (status lookup)': tally(
        committed.map(({ status, body }) => `${status} ${body.status}`),
      ),
      'received before the cut': receivedBeforeCut,
      'cut after recovery (ms)': Math.round(cutAt - recoveredAt),
      'records failed after the cut (outbox warnings)': failedAfterCut,
      'all outcomes after the cut (ms)': arrivedMs,
      'distinct outcomes': copies.size,
      'deliveries received': received.length,
      'repeated deliveries (same id)': repeatedCopies(copies),
    });
    expect(tally(committed.map(({ status, body }) => `${status} ${body.status}`))).toEqual({
      '200 SUCCEEDED': tokens.length,
    });
    expect(allArrived).toBe(true);
    expect(copies.size).toBe(mine.size);
    expect([...mine].filter((token) => ids.get(token)?.length !== 1)).toEqual([]);
    for (const [index, token] of tokens.entries()) {
      expect(ids.get(token)).toEqual(committed[index]?.body.outcomeIds);
    }
    // A publish refused by SNS fails its record, and the batch is retried from that record on
    // (partial batch response): nothing before it goes out again.
    expect(repeatedCopies(copies)).toBe(0);
    expect(differingCopies(copies)).toEqual([]);
  }, 180_000);

  it('an invocation that fails after publishing part of its batch: the records before the failure are published again with the same event ids, every outcome arrives, each request in order', async () => {
    // Prepare: what follows queues up in the stream behind one held record.
    const run = unique('rel-midbatch');
    const holdToken = `${run}-hold`;
    const tokens = Array.from({ length: REQUESTS }, (_, index) => `${run}-t${index}`);
    const mine = new Set([holdToken, ...tokens]);
    const receivedMine = () =>
      outcomes.all().filter(({ event }) => mine.has(event.data.clientToken ?? ''));
    const outageStarted = performance.now();
    await holdTheStream(holdToken);

    // Act: each request commits two changes per attempt (begun, then ended with its outcome).
    // Throttled: a FAILED outcome (retryable) each, 2 × REQUESTS changes.
    await stack.emulator.fault({
      operation: CREATE,
      error: 'CallRateLimitExceededException',
      count: -1,
    });
    const throttled: ApiResponse[] = [];
    for (const token of tokens) {
      throttled.push(await api.createInfrastructure(infrastructureRequest(token), token));
    }
    await stack.emulator.clearFaults();
    // The change the outbox cannot read: the 13th after the held one, so the third in its batch.
    await dynamodb.send(
      new PutItemCommand({
        TableName: stack.info.dynamodb.requestsTable,
        Item: { pk: { S: `Unreadable#${run}` }, amount: { N: UNREADABLE_NUMBER } },
      }),
    );
    // Retried: a SUCCEEDED outcome each, after the unreadable change.
    const retried: ApiResponse[] = [];
    for (const token of tokens) {
      retried.push(await api.createInfrastructure(infrastructureRequest(token), token));
    }
    const committed = await lookupAll(api, CREATE, tokens);
    const outageMs = since(outageStarted);
    const publishedDuring = receivedMine().length;
    await parts.set('sns', { available: true });
    const recoveredAt = performance.now();
    const expected = 1 + 2 * REQUESTS;
    const allArrived = await outcomes.drainUntil(
      () => byEventId(receivedMine()).size >= expected,
      90_000,
    );
    const arrivedMs = since(recoveredAt);
    const failure = await takeOutboxFailure(30_000);
    await outcomes.drainFor(QUEUE_SETTLE_MS);

    // Assess
    const received = receivedMine();
    const copies = byEventId(received);
    const ids = idsByToken(received);
    const functionErrors = stack
      .output()
      .split('\n')
      .filter((line) =>
        line.includes("Unhandled Lambda Error during invoke of 'image-provisioner-local-outbox'"),
      ).length;
    const repeated = [...copies].filter(([, list]) => list.length > 1);
    printFigures('outbox failing mid-batch', {
      engine: stack.engine,
      'HTTP throttled': tally(throttled.map(({ status }) => status)),
      'HTTP retried': tally(retried.map(({ status }) => status)),
      'SNS outage building the backlog (ms)': outageMs,
      'outcomes during outage': publishedDuring,
      'outbox function errors': functionErrors,
      'given up (outbox-failures)': failure.requestContext,
      'given-up batch size': (failure.DDBStreamBatchInfo as { batchSize: number }).batchSize,
      'all outcomes after recovery (ms)': arrivedMs,
      'distinct outcomes': copies.size,
      'deliveries received': received.length,
      'repeated deliveries (same id)': repeatedCopies(copies),
      'outcomes published more than once': repeated.map(
        ([, list]) =>
          `${list[0]?.event.data.clientToken} ${list[0]?.event.data.status} ×${list.length}`,
      ),
    });
    expect(tally(throttled.map(({ status }) => status))).toEqual({ 429: REQUESTS });
    expect(tally(retried.map(({ status }) => status))).toEqual({ 201: REQUESTS });
    expect(publishedDuring).toBe(0);
    // The invocation failed, and only the unreadable change was given up, on its own.
    expect(functionErrors).toBeGreaterThanOrEqual(1);
    expect(failure).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted' },
      responseContext: { functionError: 'Unhandled' },
      DDBStreamBatchInfo: { batchSize: 1 },
    });
    // Every outcome arrived: the held FAILED one, and per request its FAILED then SUCCEEDED one,
    // with the ids the ledger committed, first arriving in the order they were committed (what a
    // subscriber that drops copies by id sees).
    expect(allArrived).toBe(true);
    expect(copies.size).toBe(expected);
    expect(ids.get(holdToken)).toHaveLength(1);
    for (const [index, token] of tokens.entries()) {
      const statusIds = (committed[index]?.body.outcomeIds as string[]) ?? [];
      expect(ids.get(token), token).toEqual(statusIds);
      expect(
        statusIds.map((id) => {
          const { status, error } = copies.get(id)?.[0]?.event.data ?? {};
          return [status, error?.code];
        }),
      ).toEqual([
        ['FAILED', 'CallRateLimitExceededException'],
        ['SUCCEEDED', undefined],
      ]);
    }
    // The batch was delivered again: some outcomes came twice or more, each time the same event.
    expect(repeatedCopies(copies)).toBeGreaterThanOrEqual(1);
    expect(differingCopies(copies)).toEqual([]);
  }, 180_000);
});
