import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackParts } from '../reliability/support/control.js';
import { unique } from './support/api.js';
import { withToken } from './support/emulator.js';
import type { OutcomeInbox } from './support/outcomes.js';
import { MAX_RECEIVE_COUNT, type Queues, queueMessage } from './support/queues.js';
import { infrastructureRequest } from './support/requests.js';
import { useStack } from './support/session.js';
import type { RunningStack } from './support/stack.js';
import { runTool, type ToolRun } from './support/tool.js';
import { eventually } from './support/wait.js';

/*
 * `npm run redrive` against the offline stack, run as an operator runs it (a process of its own
 * that finds the stack through STACK_DIR): a request dead-lettered while DynamoDB was down goes
 * back to the request queue and succeeds once, and outcomes the outbox's trigger gave up while
 * SNS was down are published once, from the outbox-failures queue.
 */

const COMMAND_TIMEOUT_MS = 60_000;

/** The stream trigger gives a batch up after one retry: an SNS outage reaches the failure queue fast. */
const OUTBOX_GIVES_UP_FAST = { OUTBOX_MAXIMUM_RETRY_ATTEMPTS: '1' };

/** `npm run redrive -- <args>`: scripts/redrive.ts, with the stack found through STACK_DIR. */
const redrive = (stack: RunningStack, ...args: string[]): Promise<ToolRun> =>
  runTool('scripts/redrive.ts', args, { STACK_DIR: stack.stackDir }, COMMAND_TIMEOUT_MS);

const session = useStack(OUTBOX_GIVES_UP_FAST);
let stack: RunningStack;
let queues: Queues;
let parts: StackParts;
let outcomes: OutcomeInbox;

beforeAll(() => {
  ({ stack, queues, outcomes } = session);
  parts = new StackParts(stack.info.control.endpoint);
});

/** Registered after useStack's: after hooks run last-registered first, so before the stack stops. */
afterAll(async () => {
  await parts?.restore().catch(() => undefined);
});

describe('npm run redrive -- requests', () => {
  it('moves a message dead-lettered by an outage back to the request queue; it succeeds once', async () => {
    // Prepare: DynamoDB down for the service, so that every receive fails retryably.
    const token = unique('redrive-requests');
    await parts.set('dynamodb', { available: false });
    await queues.send(
      queueMessage('CreateInfrastructureConfiguration', token, infrastructureRequest(token)),
    );
    await eventually(
      async () => ((await queues.depth(queues.deadLetterQueueUrl)) === 1 ? true : undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 250,
        what: `the message in the DLQ after ${MAX_RECEIVE_COUNT} receives`,
      },
    );
    const beforeRedrive = await stack.emulator.callsOf(
      'CreateInfrastructureConfiguration',
      withToken(token),
    );
    await parts.set('dynamodb', { available: true });

    // Act
    const run = await redrive(stack, 'requests');
    const published = await outcomes.waitFor(token, { timeoutMs: 20_000 });
    await queues.drained(10_000);

    // Assess
    expect(beforeRedrive).toEqual([]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 message(s) to move back');
    expect(run.stdout).toContain('COMPLETED: 1 of 1 moved');
    expect(published.map(({ event }) => event.data.status)).toEqual(['SUCCEEDED']);
    expect(
      await stack.emulator.callsOf('CreateInfrastructureConfiguration', withToken(token)),
    ).toHaveLength(1);
    expect(await queues.depth(queues.deadLetterQueueUrl)).toBe(0);
  }, 90_000);
});

describe('npm run redrive -- outcomes', () => {
  it('publishes the outcomes of a batch the outbox gave up, once, and empties the failure queue', async () => {
    // Prepare: SNS down until the stream trigger gives the batch up.
    const failureQueueUrl = stack.info.sqs.outboxFailureQueueUrl;
    const token = unique('redrive-outcomes');
    await parts.set('sns', { available: false });
    await queues.send(
      queueMessage('CreateInfrastructureConfiguration', token, infrastructureRequest(token)),
    );
    await queues.drained(15_000);
    await eventually(async () => ((await queues.depth(failureQueueUrl)) >= 1 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: 'the given-up batch on outbox-failures',
    });
    await parts.set('sns', { available: true });
    // Nothing leaves by itself: the trigger moved on past the batch.
    const beforeRedrive = await outcomes.waitFor(token, { timeoutMs: 2_000, settleMs: 0 });

    // Act
    const run = await redrive(stack, 'outcomes');
    const published = await outcomes.waitFor(token, { timeoutMs: 15_000 });

    // Assess
    expect(beforeRedrive).toEqual([]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/republished by image-provisioner-\S+-outbox/);
    expect(run.stdout).toContain('0 kept on the queue');
    expect(published).toHaveLength(1);
    expect(published[0]?.event.data).toMatchObject({ clientToken: token, status: 'SUCCEEDED' });
    expect(await queues.depth(failureQueueUrl)).toBe(0);
    // The same event the ledger committed: a second run finds nothing and publishes nothing.
    const again = await redrive(stack, 'outcomes');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 batch(es) republished and deleted, 0 kept');
    expect(await outcomes.waitFor(token, { timeoutMs: 0 })).toHaveLength(1);
  }, 90_000);
});

describe('npm run redrive: what it refuses', () => {
  it('answers a wrong command line with the usage (exit 2) and reaches nothing', async () => {
    const run = await redrive(stack, 'everything');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown target "everything"');
    expect(run.stderr).toContain('usage: npm run redrive --');
  });
});
