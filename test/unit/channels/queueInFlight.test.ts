import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  idempotencyInProgressError,
  type ProvisioningError,
  serviceUnavailableError,
} from '../../../src/basics/errors.js';
import { createQueueHandler } from '../../../src/channels/queue.js';
import type { Pipeline, ProvisioningResult } from '../../../src/provisioning/pipeline.js';
import { lambdaContext, sqsRecord } from '../../support/lambda.js';
import { silentLogger } from '../../support/provisioningFakes.js';

/** A pipeline that answers every request with `error`. */
const failingWith = (error: ProvisioningError): Pipeline => ({
  run: async (): Promise<ProvisioningResult> => ({
    status: 'FAILED',
    operation: undefined,
    clientToken: 'in-flight-1',
    error,
    replayed: false,
  }),
});

const setup = (error: ProvisioningError, delayFails = false) => {
  const delayed: Array<{ messageId: string; seconds: number }> = [];
  const handler = createQueueHandler({
    pipeline: failingWith(error),
    logger: silentLogger(),
    config: { queueMaxReceiveCount: 5, maxRequestBytes: 262_144 },
    messageDelay: {
      async delay(record: SQSRecord, seconds: number) {
        delayed.push({ messageId: record.messageId, seconds });
        if (delayFails) throw new Error('AccessDenied');
      },
    },
  });
  const deliver = (record: SQSRecord) =>
    handler({ Records: [record] }, lambdaContext()) as Promise<SQSBatchResponse>;
  return { delayed, deliver };
};

const message = (messageId: string) =>
  sqsRecord({ operation: 'CreateImageBuilder', request: {} }, { messageId });

describe('a message whose token another attempt holds', () => {
  it("is held back until that attempt's lock has run out (at most the queue function's timeout), and reported for redelivery", async () => {
    // Prepare
    const { delayed, deliver } = setup(idempotencyInProgressError(7));

    // Act
    const response = await deliver(message('held-1'));

    // Assess
    expect(delayed).toEqual([{ messageId: 'held-1', seconds: 30 }]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'held-1' }]);
  });

  it('is still reported for redelivery when it cannot be held back', async () => {
    const { delayed, deliver } = setup(idempotencyInProgressError(3), true);

    const response = await deliver(message('held-2'));

    expect(delayed).toHaveLength(1);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'held-2' }]);
  });
});

describe('a lock known to last longer', () => {
  it('is waited out whole', async () => {
    const { delayed, deliver } = setup(idempotencyInProgressError(45));

    await deliver(message('held-3'));

    expect(delayed).toEqual([{ messageId: 'held-3', seconds: 45 }]);
  });
});

describe('other retryable failures', () => {
  it('come back after the queue’s own visibility timeout: nothing is held back', async () => {
    const { delayed, deliver } = setup(serviceUnavailableError('DynamoDB is down'));

    const response = await deliver(message('retry-1'));

    expect(delayed).toEqual([]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'retry-1' }]);
  });
});
