import { DescribeImageBuildersCommand } from '@aws-sdk/client-appstream';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createWatchHandler, toWatchCheck } from '../../../src/channels/watchQueue.js';
import type { LedgerEntry } from '../../../src/ledger/record.js';
import { DEFAULT_WATCH_TIMING, startWatch } from '../../../src/ledger/watch.js';
import {
  type CheckResult,
  createReadinessWatch,
  type ReadinessWatch,
  type WatchCheck,
} from '../../../src/readiness/watch.js';
import { imageBuilderArn } from '../../support/awsMocks.js';
import { lambdaContext, sqsRecord } from '../../support/lambda.js';
import { fakeLedger, mockedAwsClients, silentLogger } from '../../support/provisioningFakes.js';

const CHECK: WatchCheck = {
  operation: 'CreateImageBuilder',
  clientToken: 'portal-req-0002',
  checks: 2,
};

describe('toWatchCheck', () => {
  it('reads the operation, the token and the check count', () => {
    // Act
    const check = toWatchCheck(JSON.stringify(CHECK));

    // Assess
    expect(check).toStrictEqual(CHECK);
  });

  it('reads the first check, count 0', () => {
    // Act
    const check = toWatchCheck(JSON.stringify({ ...CHECK, checks: 0 }));

    // Assess
    expect(check).toStrictEqual({ ...CHECK, checks: 0 });
  });

  it('keeps only the members of a check', () => {
    // Act
    const check = toWatchCheck(JSON.stringify({ ...CHECK, extra: 'ignored', state: 'READY' }));

    // Assess
    expect(check).toStrictEqual(CHECK);
  });

  it.each([
    ['a body that is not JSON', 'not json'],
    ['an empty body', ''],
    ['a JSON string', JSON.stringify('CreateImageBuilder')],
    ['JSON null', 'null'],
    ['a JSON array', JSON.stringify([CHECK])],
    ['no operation', JSON.stringify({ ...CHECK, operation: undefined })],
    ['an operation that is no string', JSON.stringify({ ...CHECK, operation: 7 })],
    ['no clientToken', JSON.stringify({ ...CHECK, clientToken: undefined })],
    ['a clientToken that is no string', JSON.stringify({ ...CHECK, clientToken: ['t'] })],
    ['no check count', JSON.stringify({ ...CHECK, checks: undefined })],
    ['a check count in a string', JSON.stringify({ ...CHECK, checks: '2' })],
    ['a negative check count', JSON.stringify({ ...CHECK, checks: -1 })],
    ['a fractional check count', JSON.stringify({ ...CHECK, checks: 1.5 })],
    ['a check count beyond safe integers', JSON.stringify({ ...CHECK, checks: 2 ** 53 })],
  ])('reads no check from %s', (_, body) => {
    // Act
    const check = toWatchCheck(body);

    // Assess
    expect(check).toBeUndefined();
  });
});

const eventOf = (...records: ReturnType<typeof sqsRecord>[]): SQSEvent => ({ Records: records });

/** The handler on a watch the test stands in for, recording what it was asked. */
const stubbedHandler = (answer: (check: WatchCheck) => Promise<CheckResult>) => {
  const asked: Array<{ check: WatchCheck; signal: AbortSignal | undefined }> = [];
  const watch: ReadinessWatch = {
    check: (check, signal) => {
      asked.push({ check, signal });
      return answer(check);
    },
  };
  const logger = silentLogger();
  const error = vi.spyOn(logger, 'error');
  const handler = createWatchHandler({ watch, logger });
  const deliver = (event: SQSEvent) =>
    handler(event, lambdaContext('image-provisioner-watch')) as Promise<SQSBatchResponse>;
  return { asked, error, deliver };
};

describe('createWatchHandler', () => {
  it('makes the check each message carries, with a signal bounded by the invocation, and reports none failed', async () => {
    // Prepare
    const { asked, deliver } = stubbedHandler(async () => ({
      status: 'advanced',
      state: 'WATCHING',
    }));

    // Act
    const response = await deliver(
      eventOf(sqsRecord(CHECK, { messageId: 'm-1' }), sqsRecord({ ...CHECK, checks: 3 })),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(asked.map(({ check }) => check)).toStrictEqual([CHECK, { ...CHECK, checks: 3 }]);
    expect(asked[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(asked[0]?.signal?.aborted).toBe(false);
  });

  it('drops a body that is no check: logged, not checked, not reported for redelivery', async () => {
    // Prepare
    const { asked, error, deliver } = stubbedHandler(async () => ({ status: 'stale' }));

    // Act
    const response = await deliver(
      eventOf(
        sqsRecord('not a check', { messageId: 'garbage-1' }),
        sqsRecord(CHECK, { messageId: 'm-2' }),
      ),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(asked.map(({ check }) => check)).toStrictEqual([CHECK]);
    expect(error).toHaveBeenCalledWith('not a check; dropped', { messageId: 'garbage-1' });
  });

  it('reports a check that rejected as a batch item failure, and only that one', async () => {
    // Prepare
    const { deliver } = stubbedHandler(async (check) => {
      if (check.checks === 3) throw new Error('DynamoDB unavailable');
      return { status: 'stale' };
    });

    // Act
    const response = await deliver(
      eventOf(
        sqsRecord(CHECK, { messageId: 'm-ok' }),
        sqsRecord({ ...CHECK, checks: 3 }, { messageId: 'm-down' }),
      ),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-down' }]);
  });

  it('reports every check of a batch the ledger failed, without throwing', async () => {
    // Prepare
    const { deliver } = stubbedHandler(async () => {
      throw new Error('DynamoDB unavailable');
    });

    // Act
    const response = await deliver(
      eventOf(sqsRecord(CHECK, { messageId: 'a' }), sqsRecord(CHECK, { messageId: 'b' })),
    );

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
  });
});

describe('createWatchHandler on the readiness watch', () => {
  const entry: LedgerEntry = {
    operation: 'CreateImageBuilder',
    clientToken: 'portal-req-0002',
    channel: 'sqs',
  };
  const NAME = 'finance-apps-builder';
  const T0 = new Date('2026-11-21T10:00:00.000Z');

  const setup = async () => {
    const clock = new Date(T0.getTime() + 60_000);
    const ledger = fakeLedger({ now: () => clock });
    const { clients, aws } = mockedAwsClients();
    aws.appstream.on(DescribeImageBuildersCommand).resolves({
      ImageBuilders: [{ Name: NAME, Arn: imageBuilderArn(NAME), State: 'RUNNING' }],
    });
    await ledger.settle(entry, {
      status: 'SUCCEEDED',
      response: {},
      watch: startWatch({ name: NAME, arn: imageBuilderArn(NAME) }, DEFAULT_WATCH_TIMING, T0),
    });
    const logger = silentLogger();
    const watch = createReadinessWatch({
      clients,
      ledger,
      timing: DEFAULT_WATCH_TIMING,
      logger,
      now: () => clock,
    });
    const handler = createWatchHandler({ watch, logger });
    const deliver = (event: SQSEvent) =>
      handler(event, lambdaContext('image-provisioner-watch')) as Promise<SQSBatchResponse>;
    return { ledger, deliver };
  };

  it('reports the check for redelivery when the ledger cannot commit it', async () => {
    // Prepare
    const { ledger, deliver } = await setup();
    ledger.failWith('advanceWatch', new Error('DynamoDB unavailable'));

    // Act
    const response = await deliver(eventOf(sqsRecord({ ...entry, checks: 0 }, { messageId: 'c' })));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'c' }]);
    expect(ledger.committed).toEqual([]);
  });

  it('commits the check it carries, and a copy of it commits nothing more', async () => {
    // Prepare
    const { ledger, deliver } = await setup();
    const message = { operation: entry.operation, clientToken: entry.clientToken, checks: 0 };

    // Act
    const first = await deliver(eventOf(sqsRecord(message)));
    const copy = await deliver(eventOf(sqsRecord(message)));

    // Assess
    expect(first.batchItemFailures).toEqual([]);
    expect(copy.batchItemFailures).toEqual([]);
    expect(ledger.committed.map(({ event }) => event)).toEqual(['ImageBuilderReady']);
    expect(ledger.records.get('CreateImageBuilder#portal-req-0002')?.watch?.state).toBe('READY');
  });
});
