import { Logger } from '@aws-lambda-powertools/logger';
import { CreateImageBuilderCommand } from '@aws-sdk/client-appstream';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { localDynamoDbClient } from '../../local/engines/dynamodb.js';
import { createHttpHandler } from '../../src/channels/http.js';
import { createQueueHandler } from '../../src/channels/queue.js';
import { createApp } from '../../src/composition.js';
import { validRequests } from '../fixtures/requests.js';
import { awsServiceError } from '../support/awsErrors.js';
import { infrastructureArn } from '../support/awsMocks.js';
import { httpEvent, invokeHttp, lambdaContext, sqsRecord } from '../support/lambda.js';
import { useTestStack } from '../support/localStack.js';

const harness = useTestStack();
let http: ReturnType<typeof createHttpHandler>;
let queue: ReturnType<typeof createQueueHandler>;

const infra = validRequests.CreateInfrastructureConfiguration;

const post = (body: unknown, headers: Record<string, string> = {}) =>
  invokeHttp(
    http,
    httpEvent({ method: 'POST', route: '/infrastructure-configurations', body, headers }),
  );

const createCalls = () =>
  harness.aws.imagebuilder.commandCalls(CreateInfrastructureConfigurationCommand);

const throttle = () =>
  awsServiceError('CallRateLimitExceededException', 429, { message: 'slow down' });

beforeAll(() => {
  http = createHttpHandler(harness.stack.app);
  queue = createQueueHandler(harness.stack.app);
});

describe('idempotency on clientToken (Powertools on a real DynamoDB-compatible engine)', () => {
  it('replays the first response without a second AWS call or a second outcome', async () => {
    const first = await post({ ...infra, clientToken: 'replay-1' });
    const firstOutcomes = await harness.stack.outcomes(1);

    const second = await post({ ...infra, clientToken: 'replay-1' });

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(createCalls()).toHaveLength(1);
    expect(firstOutcomes).toHaveLength(1);
    expect(await harness.stack.outcomes(0, 300)).toEqual([]);
  });

  it('returns 422 IdempotentParameterMismatchException for the same token with another payload', async () => {
    await post({ ...infra, clientToken: 'mismatch-1' });
    await harness.stack.outcomes(1);

    const mismatch = await post({ ...infra, clientToken: 'mismatch-1', description: 'changed' });
    const replay = await post({ ...infra, clientToken: 'mismatch-1' });

    expect(mismatch.status).toBe(422);
    expect(mismatch.headers['content-type']).toBe('application/problem+json');
    expect(mismatch.body).toMatchObject({
      code: 'IdempotentParameterMismatchException',
      status: 422,
    });
    // The rejected duplicate must leave the stored response in place.
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(createCalls()).toHaveLength(1);
    expect(await harness.stack.outcomes(0, 300)).toEqual([]);
  });

  it('makes one AWS call for concurrent duplicates; the others get 409 with Retry-After or the replay', async () => {
    harness.aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .callsFake(async (input) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return {
          clientToken: input.clientToken,
          infrastructureConfigurationArn: infrastructureArn(input.name),
        };
      });

    const responses = await Promise.all(
      Array.from({ length: 8 }, () => post({ ...infra, clientToken: 'concurrent-1' })),
    );

    expect(createCalls()).toHaveLength(1);
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    for (const conflict of responses.filter((r) => r.status === 409)) {
      expect(conflict.body.code).toBe('IdempotencyInProgressException');
      expect(Number(conflict.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(await harness.stack.outcomes(1)).toHaveLength(1);
  });

  it('keeps the in-flight record when it rejects a duplicate: later duplicates still see it', async () => {
    let release: () => void = () => undefined;
    harness.aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .callsFake(async (input) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return {
          clientToken: input.clientToken,
          infrastructureConfigurationArn: infrastructureArn(input.name),
        };
      });

    const first = post({ ...infra, clientToken: 'inflight-1' });
    await vi.waitFor(() => expect(createCalls()).toHaveLength(1), { timeout: 5_000 });
    const duplicate = await post({ ...infra, clientToken: 'inflight-1' });
    const mismatch = await post({ ...infra, clientToken: 'inflight-1', description: 'other' });
    const again = await post({ ...infra, clientToken: 'inflight-1' });
    release();
    const original = await first;
    const replay = await post({ ...infra, clientToken: 'inflight-1' });

    expect(duplicate.status).toBe(409);
    expect(mismatch.status).toBe(422);
    expect(again.status).toBe(409);
    expect(original.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(original.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(createCalls()).toHaveLength(1);
    expect(await harness.stack.outcomes(2, 1_000)).toHaveLength(1);
  });

  it('frees the token of an invocation that ran out of time: its remaining time bounds the lock', async () => {
    harness.aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .callsFakeOnce(() => new Promise(() => undefined))
      .callsFake(async (input) => ({
        clientToken: input.clientToken,
        infrastructureConfigurationArn: infrastructureArn(input.name),
      }));
    const dying = { ...lambdaContext(), getRemainingTimeInMillis: () => 3_000 };

    // The first invocation never finishes, as if Lambda had stopped it at its timeout.
    void http(
      httpEvent({
        method: 'POST',
        route: '/infrastructure-configurations',
        body: { ...infra, clientToken: 'crashed-1' },
      }),
      dying,
    );
    await vi.waitFor(() => expect(createCalls()).toHaveLength(1), { timeout: 5_000 });
    const whileLocked = await post({ ...infra, clientToken: 'crashed-1' });
    const afterExpiry = await vi.waitFor(
      async () => {
        const response = await post({ ...infra, clientToken: 'crashed-1' });
        if (response.status === 409) throw new Error('still locked');
        return response;
      },
      { timeout: 8_000, interval: 250 },
    );

    expect(whileLocked.status).toBe(409);
    expect(afterExpiry.status).toBe(201);
    expect(createCalls()).toHaveLength(2);
  });

  it('shares one key space per operation across HTTP and the queue', async () => {
    const viaHttp = await post(infra, { 'idempotency-key': 'cross-1' });
    const viaQueue = (await queue(
      {
        Records: [
          sqsRecord({
            operation: 'CreateInfrastructureConfiguration',
            clientToken: 'cross-1',
            request: infra,
          }),
        ],
      },
      lambdaContext(),
    )) as SQSBatchResponse;

    expect(viaHttp.status).toBe(201);
    expect(viaQueue.batchItemFailures).toEqual([]);
    expect(createCalls()).toHaveLength(1);
    expect(await harness.stack.outcomes(2, 1_000)).toHaveLength(1);
  });

  it('replays correctly while records of other operations run in the same batch', async () => {
    await post(infra, { 'idempotency-key': 'batch-replay-1' });
    await harness.stack.outcomes(1);

    const result = (await queue(
      {
        Records: [
          sqsRecord({
            operation: 'CreateInfrastructureConfiguration',
            clientToken: 'batch-replay-1',
            request: infra,
          }),
          sqsRecord({
            operation: 'CreateImageBuilder',
            clientToken: 'batch-other-1',
            request: validRequests.CreateImageBuilder,
          }),
          sqsRecord({
            operation: 'CreateDistributionConfiguration',
            clientToken: 'batch-other-2',
            request: validRequests.CreateDistributionConfiguration,
          }),
        ],
      },
      lambdaContext(),
    )) as SQSBatchResponse;

    expect(result.batchItemFailures).toEqual([]);
    expect(createCalls()).toHaveLength(1);
    const outcomes = await harness.stack.outcomes(2);
    expect(outcomes.map((o) => o.event.data.operation).sort()).toEqual([
      'CreateDistributionConfiguration',
      'CreateImageBuilder',
    ]);
  });

  it('keeps operations apart: the same token on two operations calls AWS for each', async () => {
    await post(infra, { 'idempotency-key': 'shared-token' });
    const builder = (await http(
      httpEvent({
        method: 'POST',
        route: '/image-builders',
        body: validRequests.CreateImageBuilder,
        headers: { 'idempotency-key': 'shared-token' },
      }),
      lambdaContext(),
    )) as APIGatewayProxyStructuredResultV2;

    expect(builder.statusCode).toBe(201);
    expect(createCalls()).toHaveLength(1);
    expect(harness.aws.appstream.commandCalls(CreateImageBuilderCommand)).toHaveLength(1);
    expect(await harness.stack.outcomes(2)).toHaveLength(2);
  });

  it('stores a permanent AWS failure: a retry replays it without calling AWS again', async () => {
    harness.aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .rejects(
        awsServiceError('InvalidRequestException', 400, { message: 'instance profile not found' }),
      );

    const first = await post(infra, { 'idempotency-key': 'permanent-1' });
    const retry = await post(infra, { 'idempotency-key': 'permanent-1' });

    expect(first.status).toBe(400);
    expect(first.body).toMatchObject({
      code: 'InvalidRequestException',
      detail: 'instance profile not found',
    });
    expect(retry.status).toBe(400);
    expect(retry.body.code).toBe('InvalidRequestException');
    expect(createCalls()).toHaveLength(1);
    expect(await harness.stack.outcomes(2, 1_000)).toHaveLength(1);
  });

  it('retries a throttled AWS call within the request and answers with its success', async () => {
    harness.aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .rejectsOnce(throttle())
      .rejectsOnce(throttle())
      .callsFake(async (input) => ({
        clientToken: input.clientToken,
        infrastructureConfigurationArn: infrastructureArn(input.name),
      }));

    const response = await post(infra, { 'idempotency-key': 'retried-1' });

    expect(response.status).toBe(201);
    expect(createCalls()).toHaveLength(3);
    expect(createCalls().every((c) => c.args[0].input.clientToken === 'retried-1')).toBe(true);
    const outcomes = await harness.stack.outcomes(1);
    expect(outcomes.map((o) => o.event.data.status)).toEqual(['SUCCEEDED']);
  });

  it('does not store a retryable failure: once retries are spent, a later retry calls AWS again', async () => {
    const attempts = harness.stack.config.retryPolicy.maxAttempts;
    let mock = harness.aws.imagebuilder.on(CreateInfrastructureConfigurationCommand);
    for (let i = 0; i < attempts; i++) mock = mock.rejectsOnce(throttle());
    mock.callsFake(async (input) => ({
      clientToken: input.clientToken,
      infrastructureConfigurationArn: infrastructureArn(input.name),
    }));

    const throttled = await post(infra, { 'idempotency-key': 'retryable-1' });
    const retry = await post(infra, { 'idempotency-key': 'retryable-1' });

    expect(throttled.status).toBe(429);
    expect(throttled.body.code).toBe('CallRateLimitExceededException');
    expect(throttled.headers['retry-after']).toBeDefined();
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(createCalls()).toHaveLength(attempts + 1);
    const outcomes = await harness.stack.outcomes(2);
    expect(outcomes.map((o) => o.event.data.status)).toEqual(['FAILED', 'SUCCEEDED']);
    expect(outcomes[0]?.event.data.error).toMatchObject({ retryable: true });
  });

  it('never retries AppStream LimitExceededException: a quota, answered 400 at once', async () => {
    harness.aws.appstream
      .on(CreateImageBuilderCommand)
      .rejects(awsServiceError('LimitExceededException', 400, { message: 'quota reached' }));

    const response = (await http(
      httpEvent({
        method: 'POST',
        route: '/image-builders',
        body: validRequests.CreateImageBuilder,
      }),
      lambdaContext(),
    )) as APIGatewayProxyStructuredResultV2;

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body ?? '{}').code).toBe('LimitExceededException');
    expect(harness.aws.appstream.commandCalls(CreateImageBuilderCommand)).toHaveLength(1);
  });

  it('writes records that expire after the configured TTL', async () => {
    const dynamodb = localDynamoDbClient(
      harness.stack.dynamodbEndpoint,
      harness.stack.config.region,
    );
    const scan = async () =>
      (
        await dynamodb.send(
          new ScanCommand({ TableName: harness.stack.config.idempotencyTableName }),
        )
      ).Items ?? [];
    const existing = new Set((await scan()).map((item) => item.id?.S));
    const before = Math.floor(Date.now() / 1000);

    await post(infra, { 'idempotency-key': 'ttl-1' });

    const added = (await scan()).filter((item) => !existing.has(item.id?.S));
    dynamodb.destroy();
    expect(added).toHaveLength(1);
    const [record] = added;
    expect(record?.id?.S).toMatch(/^CreateInfrastructureConfiguration#/);
    expect(record?.status?.S).toBe('COMPLETED');
    const expiration = Number(record?.expiration?.N);
    expect(expiration).toBeGreaterThanOrEqual(before + harness.stack.config.idempotencyTtlSeconds);
    expect(expiration).toBeLessThanOrEqual(
      before + harness.stack.config.idempotencyTtlSeconds + 60,
    );
  });

  it('fails closed when DynamoDB is unreachable: 503 with Retry-After and no AWS call', async () => {
    const unreachable = localDynamoDbClient('http://127.0.0.1:9', harness.stack.config.region);
    const app = createApp(harness.stack.config, {
      clients: { ...harness.stack.clients, dynamodb: unreachable },
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: harness.stack.app.metrics,
    });
    const handler = createHttpHandler(app);

    const response = (await handler(
      httpEvent({ method: 'POST', route: '/infrastructure-configurations', body: infra }),
      lambdaContext(),
    )) as APIGatewayProxyStructuredResultV2;

    unreachable.destroy();
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBeDefined();
    expect(JSON.parse(response.body ?? '{}').code).toBe('ServiceUnavailableException');
    expect(harness.aws.calls()).toHaveLength(0);
  });
});
