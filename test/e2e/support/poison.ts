import type { Message } from '@aws-sdk/client-sqs';
import { expect } from 'vitest';
import { type EmulatorCall, withToken } from './emulator.js';
import type { OutcomeInbox, ReceivedOutcome } from './outcomes.js';
import { QUEUE_SETTLE_MS, Queues, queueMessage } from './queues.js';
import type { RunningStack } from './stack.js';

/*
 * A poison message: a request queue message whose operation AWS refuses on every call, so that
 * every receive fails until the queue moves it to the DLQ after maxReceiveCount receives. One
 * helper for each phase of a test, and the checks that hold for every such message.
 */

/** How long a poison message may take to reach the DLQ (after maxReceiveCount receives). */
const DEAD_LETTER_TIMEOUT_MS = 45_000;

export interface PoisonMessage {
  operation: string;
  /** The AWS error code every call of `operation` fails with. */
  error: string;
  token: string;
  /** The message body as sent (and as found in the DLQ). */
  body: string;
}

export interface DeadLettered {
  /** The message as taken from the DLQ. */
  message: Message;
  /** From sending it to finding it in the DLQ. */
  elapsedMs: number;
  /** The outcomes published for it, listened for `QUEUE_SETTLE_MS` past the first. */
  published: ReceivedOutcome[];
  /** The calls of its operation that AWS received with its token. */
  calls: EmulatorCall[];
}

/** Prepare: the message, and AWS failing its operation with `error` until faults are cleared. */
export const preparePoisonMessage = async (
  stack: RunningStack,
  {
    operation,
    error,
    token,
    request,
  }: { operation: string; error: string; token: string; request: Record<string, unknown> },
): Promise<PoisonMessage> => {
  await stack.emulator.fault({ operation, error, count: -1 });
  return { operation, error, token, body: queueMessage(operation, token, request) };
};

/** Act: sends the message, takes it from the DLQ, then collects what it left behind. */
export const sendUntilDeadLettered = async (
  stack: RunningStack,
  outcomes: OutcomeInbox,
  poison: PoisonMessage,
): Promise<DeadLettered> => {
  const queues = new Queues(stack);
  const started = performance.now();
  await queues.send(poison.body);
  const message = await queues.takeFromDeadLetterQueue(poison.body, DEAD_LETTER_TIMEOUT_MS);
  const elapsedMs = Math.round(performance.now() - started);
  const published = await outcomes.waitFor(poison.token, { settleMs: QUEUE_SETTLE_MS });
  const calls = await stack.emulator.callsOf(poison.operation, withToken(poison.token));
  return { message, elapsedMs, published, calls };
};

/**
 * Assess what holds for every poison message: it is the message in the DLQ, it was announced
 * exactly once, FAILED and retryable with the AWS error, and every AWS call failed with that error.
 */
export const expectDeadLetteredOnce = (poison: PoisonMessage, deadLettered: DeadLettered): void => {
  expect(deadLettered.message.Body).toBe(poison.body);
  expect(deadLettered.published).toHaveLength(1);
  expect(deadLettered.published[0]?.event.data).toMatchObject({
    channel: 'sqs',
    status: 'FAILED',
    error: { code: poison.error, retryable: true },
  });
  expect(new Set(deadLettered.calls.map((call) => call.error))).toEqual(new Set([poison.error]));
};
