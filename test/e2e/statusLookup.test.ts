import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api, type ApiResponse, unique } from './support/api.js';
import { OutcomeInbox, type ReceivedOutcome } from './support/outcomes.js';
import { QUEUE_SETTLE_MS, Queues } from './support/queues.js';
import { infrastructureRequest } from './support/requests.js';
import { type RunningStack, startStack } from './support/stack.js';
import { eventually, sleep } from './support/wait.js';

/*
 * The status lookup, `GET /requests/{clientToken}?operation=<OperationName>`, from the outside:
 * what the request ledger holds for a request while AWS is still answering, once it succeeded or
 * failed (over HTTP and from the queue), and the answers for tokens it does not know, for a
 * missing or unknown operation, and once a record has expired. The stack keeps requests
 * RETENTION_SECONDS only, so that expiry can be seen.
 */

const STACK_START_TIMEOUT_MS = 90_000;
const CREATE = 'CreateInfrastructureConfiguration';
const PROBLEM_JSON = /^application\/problem\+json/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** How long this stack's ledger keeps a request (REQUEST_RETENTION_SECONDS). */
const RETENTION_SECONDS = 20;
/** The emulator's delay on the call the in-progress test looks at. */
const AWS_LATENCY_MS = 4_000;

let stack: RunningStack;
let api: Api;
let outcomes: OutcomeInbox;
let queues: Queues;
/** A request made as the stack came up, to be looked up again once it has expired. */
let expiring: { token: string; createdAt: string; found: ApiResponse };

beforeAll(async () => {
  stack = await startStack({ REQUEST_RETENTION_SECONDS: String(RETENTION_SECONDS) });
  api = new Api(stack.info.httpApi);
  outcomes = await OutcomeInbox.subscribe(stack);
  queues = new Queues(stack);
  const token = unique('lookup-expiring');
  const created = await api.createInfrastructure(infrastructureRequest(token), token);
  if (created.status !== 201) throw new Error(`could not prepare ${token}: ${created.text}`);
  const found = await api.lookup(CREATE, token);
  expiring = { token, createdAt: found.body?.createdAt as string, found };
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

/** The single outcome published for `token`. */
const onlyOutcome = async (token: string, settleMs?: number): Promise<ReceivedOutcome> => {
  const published = await outcomes.waitFor(token, settleMs === undefined ? {} : { settleMs });
  expect(published, `outcomes published for ${token}`).toHaveLength(1);
  return published[0] as ReceivedOutcome;
};

const expectProblem = (response: ApiResponse, status: number, code: string): void => {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
  expect(response.body).toMatchObject({ status, code, requestId: expect.any(String) });
};

// Faults are global to an operation: these tests run one at a time.
describe('the status lookup', () => {
  it('while AWS is still answering: IN_PROGRESS, with who asked and when, no response and no outcome yet; then SUCCEEDED', async () => {
    // Prepare
    const token = unique('lookup-in-progress');
    await stack.emulator.fault({ operation: CREATE, latencyMs: AWS_LATENCY_MS, count: 1 });

    // Act: look the request up while its AWS call is held.
    const answer = api.createInfrastructure(infrastructureRequest(token), token, {
      'x-correlation-id': 'portal-ticket-9001',
    });
    const during = await eventually(
      async () => {
        const found = await api.lookup(CREATE, token);
        return found.status === 200 ? found : undefined;
      },
      { timeoutMs: AWS_LATENCY_MS, intervalMs: 100, what: 'the request in the ledger' },
    );
    await outcomes.drainFor(200);
    const publishedDuring = outcomes.for(token).length;
    const created = await answer;
    const after = await api.lookup(CREATE, token);

    // Assess
    expect(during.headers.get('content-type')).toMatch(/^application\/json/);
    expect(during.body).toEqual({
      operation: CREATE,
      clientToken: token,
      status: 'IN_PROGRESS',
      correlationId: 'portal-ticket-9001',
      channel: 'http',
      createdAt: expect.stringMatching(ISO_TIME),
      updatedAt: expect.stringMatching(ISO_TIME),
      outcomeIds: [],
    });
    expect(publishedDuring).toBe(0);
    expect(created.status, created.text).toBe(201);
    expect(after.body).toMatchObject({
      status: 'SUCCEEDED',
      createdAt: during.body.createdAt,
      response: created.body,
    });
    expect(Date.parse(after.body.updatedAt as string)).toBeGreaterThan(
      Date.parse(during.body.updatedAt as string),
    );
  });

  it('a request that succeeded over HTTP: SUCCEEDED with the AWS response the caller got and the id of its one outcome', async () => {
    // Prepare
    const token = unique('lookup-http');

    // Act
    const created = await api.createInfrastructure(infrastructureRequest(token), token, {
      'x-correlation-id': 'portal-ticket-9002',
    });
    const found = await api.lookup(CREATE, token);

    // Assess
    expect(created.status, created.text).toBe(201);
    expect(found.status, found.text).toBe(200);
    expect(found.body).toEqual({
      operation: CREATE,
      clientToken: token,
      status: 'SUCCEEDED',
      correlationId: 'portal-ticket-9002',
      channel: 'http',
      createdAt: expect.stringMatching(ISO_TIME),
      updatedAt: expect.stringMatching(ISO_TIME),
      response: created.body,
      outcomeIds: [expect.any(String)],
    });
    const outcome = await onlyOutcome(token);
    expect(found.body.outcomeIds).toEqual([outcome.event.id]);
  });

  it('a request that succeeded from the queue: SUCCEEDED, channel sqs, the sender as requestedBy', async () => {
    // Prepare
    const token = unique('lookup-queue');

    // Act
    await queues.send({
      operation: CREATE,
      clientToken: token,
      correlationId: 'portal-ticket-9003',
      request: infrastructureRequest(token),
    });
    const outcome = await onlyOutcome(token, QUEUE_SETTLE_MS);
    const found = await api.lookup(CREATE, token);

    // Assess
    expect(found.status, found.text).toBe(200);
    expect(found.body).toEqual({
      operation: CREATE,
      clientToken: token,
      status: 'SUCCEEDED',
      correlationId: 'portal-ticket-9003',
      // The SQS SenderId of the sending principal (the local SQS reports its account id).
      requestedBy: '000000000000',
      channel: 'sqs',
      createdAt: expect.stringMatching(ISO_TIME),
      updatedAt: expect.stringMatching(ISO_TIME),
      response: outcome.event.data.response,
      outcomeIds: [outcome.event.id],
    });
  });

  it('a request AWS refused over HTTP: FAILED with the error the caller got, and the id of its FAILED outcome', async () => {
    // Prepare
    const token = unique('lookup-failed');
    await stack.emulator.fault({
      operation: CREATE,
      error: 'ServiceQuotaExceededException',
      count: 1,
    });

    // Act
    const refused = await api.createInfrastructure(infrastructureRequest(token), token);
    const found = await api.lookup(CREATE, token);

    // Assess
    expectProblem(refused, 402, 'ServiceQuotaExceededException');
    expect(found.status, found.text).toBe(200);
    expect(found.body).toEqual({
      operation: CREATE,
      clientToken: token,
      status: 'FAILED',
      channel: 'http',
      createdAt: expect.stringMatching(ISO_TIME),
      updatedAt: expect.stringMatching(ISO_TIME),
      error: {
        code: refused.body.code,
        status: refused.body.status,
        title: refused.body.title,
        detail: refused.body.detail,
        retryable: false,
      },
      outcomeIds: [expect.any(String)],
    });
    const outcome = await onlyOutcome(token);
    expect(outcome.event.data).toMatchObject({
      status: 'FAILED',
      error: { code: 'ServiceQuotaExceededException' },
    });
    expect(found.body.outcomeIds).toEqual([outcome.event.id]);
  });

  it('an invalid queue message: FAILED with the validation errors and their paths', async () => {
    // Prepare
    const token = unique('lookup-invalid');

    // Act
    await queues.send({
      operation: CREATE,
      clientToken: token,
      request: { ...infrastructureRequest(token), unknownMember: true },
    });
    const outcome = await onlyOutcome(token, QUEUE_SETTLE_MS);
    const found = await api.lookup(CREATE, token);

    // Assess
    expect(found.status, found.text).toBe(200);
    expect(found.body).toMatchObject({
      operation: CREATE,
      clientToken: token,
      status: 'FAILED',
      channel: 'sqs',
      error: {
        code: 'ValidationException',
        status: 400,
        retryable: false,
        errors: [expect.objectContaining({ path: '/request/unknownMember' })],
      },
      outcomeIds: [outcome.event.id],
    });
    expect(found.body).not.toHaveProperty('response');
  });

  it('a token it does not know, or knows for another operation only: 404 problem+json', async () => {
    // Prepare
    const known = unique('lookup-known');
    const created = await api.createInfrastructure(infrastructureRequest(known), known);

    // Act
    const unknown = await api.lookup(CREATE, unique('lookup-unknown'));
    const otherOperation = await api.lookup('CreateDistributionConfiguration', known);
    const same = await api.lookup(CREATE, known);

    // Assess
    expect(created.status, created.text).toBe(201);
    for (const response of [unknown, otherOperation]) {
      expectProblem(response, 404, 'NotFoundException');
      expect(response.body.type).toBe('urn:image-provisioner:problem:NotFoundException');
    }
    expect(same.status, same.text).toBe(200);
  });

  it('a missing or unknown operation, or an invalid token: 400 problem+json naming what is wrong', async () => {
    // Act
    const missing = await api.send('GET', `/requests/${unique('lookup')}`);
    const unknown = await api.lookup('Unknown', unique('lookup'));
    const wrongCase = await api.lookup('createInfrastructureConfiguration', unique('lookup'));
    const longToken = await api.lookup(CREATE, 'x'.repeat(65));

    // Assess
    for (const response of [missing, unknown, wrongCase, longToken]) {
      expectProblem(response, 400, 'ValidationException');
      expect((response.body.errors as unknown[]).length).toBeGreaterThanOrEqual(1);
    }
    expect(missing.body.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/operation.*required/) }),
    ]);
    for (const response of [unknown, wrongCase]) {
      expect(response.body.errors).toEqual([
        expect.objectContaining({ message: expect.stringContaining(CREATE) }),
      ]);
    }
    expect(longToken.body.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('clientToken') }),
    ]);
  });

  it(
    `a record past its retention (${RETENTION_SECONDS} s here): 404, as for a token never seen`,
    async () => {
      // Prepare: the request made when the stack came up, found then.
      const { token, createdAt, found } = expiring;
      expect(found.status, found.text).toBe(200);
      const expiresAt = Date.parse(createdAt) + RETENTION_SECONDS * 1000;

      // Act: look it up again once its retention is over (a second late, for rounding).
      await sleep(Math.max(0, expiresAt + 1_000 - Date.now()));
      const expired = await api.lookup(CREATE, token);

      // Assess
      expectProblem(expired, 404, 'NotFoundException');
    },
    30_000 + RETENTION_SECONDS * 1000,
  );
});
