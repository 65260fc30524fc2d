import { CreateInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createQueueHandler, propagationWaitSeconds } from '../../../src/channels/queue.js';
import { toProvisioningRequest as fromQueue } from '../../../src/channels/queueMessage.js';
import { createGuardrails } from '../../../src/guardrails/evaluate.js';
import { iamPropagationPendingError } from '../../../src/provisioning/awsErrors.js';
import { createPipeline, type Pipeline } from '../../../src/provisioning/pipeline.js';
import { validRequests } from '../../fixtures/requests.js';
import { awsServiceError } from '../../support/awsErrors.js';
import { lambdaContext, sqsRecord } from '../../support/lambda.js';
import { recordingMetrics } from '../../support/metrics.js';
import {
  fakeIdempotencyStore,
  fakeLedger,
  mockedAwsClients,
  silentLogger,
} from '../../support/provisioningFakes.js';

const MAX_RECEIVE_COUNT = 5;
const WINDOW_SECONDS = 120;
const T0 = Date.UTC(2026, 10, 30, 10, 0, 0);
const AWS_CALL_MS = 1_000;
const SETTINGS = { queueMaxReceiveCount: MAX_RECEIVE_COUNT, maxRequestBytes: 262_144 };

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  vi.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** A receive of the message `messageId`, first sent at `sentAt`. */
const receiveOf = (messageId: string, receiveCount: number, sentAt: number): SQSRecord => {
  const record = sqsRecord(
    {
      operation: 'CreateInfrastructureConfiguration',
      clientToken: messageId,
      request: validRequests.CreateInfrastructureConfiguration,
    },
    { messageId, receiveCount },
  );
  record.attributes.SentTimestamp = String(sentAt);
  return record;
};

const contextWith = (remainingMs: number): Context => ({
  ...lambdaContext(),
  getRemainingTimeInMillis: () => remainingMs,
});

const handlerWith = (pipeline: Pipeline) => {
  const delayed: Array<{ messageId: string; seconds: number }> = [];
  const handler = createQueueHandler({
    pipeline,
    logger: silentLogger(),
    config: SETTINGS,
    messageDelay: {
      async delay(record: SQSRecord, seconds: number) {
        delayed.push({ messageId: record.messageId, seconds });
      },
    },
  });
  const deliver = (record: SQSRecord, context = lambdaContext()) =>
    handler({ Records: [record] }, context) as Promise<SQSBatchResponse>;
  return { delayed, deliver };
};

describe('propagationWaitSeconds', () => {
  it.each([
    [120, 1, 30],
    [92, 1, 23],
    [41, 3, 21],
    [23, 4, 23],
    [12, 2, 5],
    [1, 4, 5],
  ])('spreads %i s left over the receives after receive %i: %i s', (left, receive, wait) => {
    expect(propagationWaitSeconds(left, receive, MAX_RECEIVE_COUNT)).toBe(wait);
  });

  it('waits the whole rest when the count is off, and never past what SQS allows', () => {
    expect(propagationWaitSeconds(60, 5, MAX_RECEIVE_COUNT)).toBe(60);
    expect(propagationWaitSeconds(60, Number.NaN, MAX_RECEIVE_COUNT)).toBe(60);
    expect(propagationWaitSeconds(100_000, 4, MAX_RECEIVE_COUNT)).toBe(43_200);
  });
});

describe('a message whose IAM role AWS does not see yet', () => {
  const pending = (secondsLeft: number): Pipeline => ({
    run: async () => ({
      status: 'FAILED',
      operation: undefined,
      clientToken: 'iam-1',
      error: iamPropagationPendingError(
        'imagebuilder',
        new Error('no profile'),
        secondsLeft * 1000,
      ),
      replayed: false,
    }),
  });

  it('is held back for its share of the window left and reported for redelivery', async () => {
    // Prepare
    const { delayed, deliver } = handlerWith(pending(92));

    // Act
    const response = await deliver(receiveOf('iam-1', 1, T0));

    // Assess
    expect(delayed).toEqual([{ messageId: 'iam-1', seconds: 23 }]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'iam-1' }]);
  });

  it('waits the whole window left before its last receive', async () => {
    const { delayed, deliver } = handlerWith(pending(30));

    await deliver(receiveOf('iam-2', 4, T0));

    expect(delayed).toEqual([{ messageId: 'iam-2', seconds: 30 }]);
  });
});

/*
 * The real pipeline on in-memory fakes. Time moves only while AWS answers (AWS_CALL_MS a call)
 * and while a message is held back, and the jitter is drawn as 0.
 */
const profileNotVisible = () =>
  awsServiceError('InvalidParameterValueException', 400, {
    message: 'The provided instance profile does not exist.',
  });

const setup = () => {
  const ledger = fakeLedger();
  const { clients, aws } = mockedAwsClients();
  const pipeline = createPipeline({
    clients,
    ledger,
    idempotency: fakeIdempotencyStore(),
    metrics: recordingMetrics(),
    logger: silentLogger(),
    retryPolicy: {
      maxAttempts: 3,
      baseDelayMs: 100,
      maxDelayMs: 2_000,
      iamPropagationWindowMs: WINDOW_SECONDS * 1000,
    },
    guardrails: createGuardrails({}, { accountId: '123456789012' }),
  });
  aws.imagebuilder.on(CreateInfrastructureConfigurationCommand).callsFake(async () => {
    vi.setSystemTime(Date.now() + AWS_CALL_MS);
    throw profileNotVisible();
  });
  return { ledger, aws, ...handlerWith(pipeline) };
};

interface Receive {
  receive: number;
  startedAt: number;
  redelivered: boolean;
}

/** Delivers the message as SQS would: again after each hold-back, until done or the last receive. */
const deliverUntilDone = async (
  { delayed, deliver }: ReturnType<typeof setup>,
  sentAt: number,
  budgetMs: number,
): Promise<Receive[]> => {
  const receives: Receive[] = [];
  for (let receive = 1; receive <= MAX_RECEIVE_COUNT; receive++) {
    const startedAt = Date.now();
    const response = await deliver(receiveOf('iam-3', receive, sentAt), contextWith(budgetMs));
    const redelivered = response.batchItemFailures.length > 0;
    receives.push({ receive, startedAt, redelivered });
    if (!redelivered) break;
    vi.setSystemTime(Date.now() + (delayed.at(-1)?.seconds ?? 0) * 1000);
  }
  return receives;
};

describe('the IAM propagation window on the queue', () => {
  it('is counted from SentTimestamp: the held-back receives use it up, and the last receive comes after it', async () => {
    // Prepare
    const stack = setup();

    // Act
    const receives = await deliverUntilDone(stack, T0, 5_000);

    // Assess
    expect(receives.map(({ redelivered }) => redelivered)).toEqual([true, true, true, true, false]);
    expect(stack.delayed.map(({ seconds }) => seconds)).toEqual([30, 28, 27, 23]);
    expect(receives.at(-1)?.startedAt).toBeGreaterThanOrEqual(T0 + WINDOW_SECONDS * 1000);
    expect(stack.ledger.committed).toHaveLength(1);
    expect(stack.ledger.committed[0]).toMatchObject({
      status: 'FAILED',
      error: { code: 'InvalidParameterValueException', retryable: false },
    });
  });

  it('ends with the permanent error as soon as the window passes within a receive', async () => {
    const stack = setup();

    const receives = await deliverUntilDone(stack, T0, 30_000);

    expect(receives.map(({ redelivered }) => redelivered)).toEqual([true, true, false]);
    expect(stack.delayed.map(({ seconds }) => seconds)).toEqual([23, 14]);
    expect(stack.ledger.committed.map(({ error }) => error?.code)).toEqual([
      'InvalidParameterValueException',
    ]);
  });

  it('is already over for a message sent long ago, however few receives it has had', async () => {
    const stack = setup();

    const response = await stack.deliver(receiveOf('iam-4', 1, T0 - WINDOW_SECONDS * 1000));

    expect(response.batchItemFailures).toEqual([]);
    expect(stack.aws.imagebuilder.calls()).toHaveLength(1);
    expect(stack.delayed).toEqual([]);
    expect(stack.ledger.committed.map(({ status }) => status)).toEqual(['FAILED']);
  });
});

describe('the queue reader', () => {
  it('carries SentTimestamp as firstSentAt, the same on every receive', () => {
    const sentAt = T0 - 45_000;

    const first = fromQueue(receiveOf('m-1', 1, sentAt), SETTINGS, 30_000);
    const third = fromQueue(receiveOf('m-1', 3, sentAt), SETTINGS, 30_000);

    expect(first.firstSentAt).toBe(sentAt);
    expect(third.firstSentAt).toBe(sentAt);
  });

  it('counts from now when SentTimestamp is missing, malformed or in the future', () => {
    const missing = receiveOf('m-2', 1, T0);
    Reflect.deleteProperty(missing.attributes, 'SentTimestamp');

    expect(fromQueue(missing, SETTINGS, 30_000).firstSentAt).toBe(T0);
    expect(fromQueue(receiveOf('m-3', 1, Number.NaN), SETTINGS, 30_000).firstSentAt).toBe(T0);
    expect(fromQueue(receiveOf('m-4', 1, T0 + 60_000), SETTINGS, 30_000).firstSentAt).toBe(T0);
  });
});
