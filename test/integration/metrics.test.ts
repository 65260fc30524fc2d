import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { AppStreamClient } from '@aws-sdk/client-appstream';
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../local/emulator/index.js';
import { LOCAL_CREDENTIALS } from '../../local/engines/credentials.js';
import { createEmfMetrics } from '../../src/aws/emfMetrics.js';
import { createHttpHandler } from '../../src/channels/http.js';
import { createQueueHandler } from '../../src/channels/queue.js';
import { createApp } from '../../src/composition.js';
import { validRequests } from '../fixtures/requests.js';
import { httpEvent, invokeHttp, lambdaContext, sqsRecord } from '../support/lambda.js';
import { startTestStack, type TestStack } from '../support/localStack.js';

/*
 * Real invocations of the HTTP, queue and outbox functions, their AWS calls answered by the Image
 * Builder emulator, and the EMF lines and log lines they wrote read back from standard output.
 */

const NAMESPACE = 'image-provisioner/test';
const OPERATION = 'CreateInfrastructureConfiguration';
const infra = validRequests.CreateInfrastructureConfiguration;

/** One EMF line as CloudWatch reads it. */
interface EmfLine {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [member: string]: unknown;
}

let stack: TestStack;
let emulator: RunningEmulator;
let http: ReturnType<typeof createHttpHandler>;
let queue: ReturnType<typeof createQueueHandler>;
/** Every JSON line written to standard output during the test. */
let lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', NAMESPACE);
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'image-provisioner');
  [stack, emulator] = await Promise.all([
    startTestStack({ metrics: () => createEmfMetrics() }),
    startEmulator({ port: 0 }),
  ]);
  const aws = { endpoint: emulator.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  const app = createApp(stack.config, {
    clients: {
      ...stack.clients,
      imagebuilder: new ImagebuilderClient({ ...aws, maxAttempts: 1 }),
      appstream: new AppStreamClient({ ...aws, maxAttempts: 1 }),
    },
    logger: new Logger({ serviceName: 'image-provisioner', logLevel: 'INFO' }),
  });
  http = createHttpHandler(app);
  queue = createQueueHandler(app);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await stack?.stop();
  await emulator?.close();
});

beforeEach(() => {
  lines = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) {
      if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    return true;
  });
});

// The outbox publishes what a test committed before the next test reads its lines.
afterEach(() => stack.outcomes(0, 0));

const emfLines = () => lines.filter((line): line is EmfLine => '_aws' in line);

/** The EMF lines that carry `name`, checked for the namespace, unit and dimensions. */
const linesOf = (name: string, unit: 'Count' | 'Milliseconds', dimensions: string[]) => {
  const found = emfLines().filter((line) =>
    line._aws.CloudWatchMetrics[0]?.Metrics.some(({ Name }) => Name === name),
  );
  for (const line of found) {
    const [directive] = line._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe(NAMESPACE);
    expect(directive?.Dimensions).toEqual([['service', ...dimensions]]);
    expect(directive?.Metrics).toContainEqual({ Name: name, Unit: unit });
    expect(line.service).toBe('image-provisioner');
  }
  return found;
};

/** Every value of `name` in the lines, a line's array spread. */
const valuesOf = (found: EmfLine[], name: string): number[] =>
  found.flatMap((line) => line[name] as number | number[]);

/** The request under a name of its own: the emulator, as AWS, takes each name once. */
const infraNamed = (token: string) => ({ ...infra, name: token });

const create = (token: string, body: unknown = infraNamed(token)) =>
  invokeHttp(
    http,
    httpEvent({
      method: 'POST',
      route: '/infrastructure-configurations',
      body,
      headers: { 'idempotency-key': token },
    }),
  );

const REQUEST_DIMENSIONS = ['Operation', 'Channel', 'Result'];
const OPERATION_DIMENSIONS = ['Operation'];

describe('metrics of a real invocation', () => {
  it('counts a create over HTTP as Succeeded, times its AWS call, and the outbox its publication', async () => {
    // Act
    const response = await create(`metrics-${randomUUID()}`);
    const outcomes = await stack.outcomes(1);

    // Assess
    expect(response.status).toBe(201);
    expect(outcomes).toHaveLength(1);
    const requests = linesOf('Requests', 'Count', REQUEST_DIMENSIONS);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      Operation: OPERATION,
      Channel: 'http',
      Result: 'Succeeded',
      Requests: 1,
    });
    const latency = linesOf('AwsCallLatency', 'Milliseconds', OPERATION_DIMENSIONS);
    expect(latency.map((line) => line.Operation)).toEqual([OPERATION]);
    expect(valuesOf(latency, 'AwsCallLatency')).toEqual([expect.any(Number)]);
    expect(linesOf('AwsThrottles', 'Count', OPERATION_DIMENSIONS)).toEqual([]);
    expect(linesOf('AwsCallRetries', 'Count', OPERATION_DIMENSIONS)).toEqual([]);
    const lag = valuesOf(linesOf('OutcomePublishLag', 'Milliseconds', []), 'OutcomePublishLag');
    expect(lag).toHaveLength(1);
    expect(lag[0]).toBeGreaterThanOrEqual(0);
  });

  it('counts a replay as Replayed and as an idempotent replay, without an AWS call', async () => {
    // Prepare
    const token = `metrics-${randomUUID()}`;
    await create(token);
    lines = [];

    // Act
    const response = await create(token);

    // Assess
    expect(response.headers['idempotent-replayed']).toBe('true');
    expect(linesOf('Requests', 'Count', REQUEST_DIMENSIONS)).toEqual([
      expect.objectContaining({ Operation: OPERATION, Channel: 'http', Result: 'Replayed' }),
    ]);
    expect(linesOf('IdempotentReplays', 'Count', ['Operation', 'Channel'])).toEqual([
      expect.objectContaining({ Operation: OPERATION, Channel: 'http', IdempotentReplays: 1 }),
    ]);
    expect(linesOf('AwsCallLatency', 'Milliseconds', OPERATION_DIMENSIONS)).toEqual([]);
  });

  it('counts the token used with another request as Rejected and as an idempotency mismatch', async () => {
    // Prepare
    const token = `metrics-${randomUUID()}`;
    await create(token);
    lines = [];

    // Act
    const response = await create(token, { ...infraNamed(token), description: 'another request' });

    // Assess
    expect(response.status).toBe(422);
    expect(linesOf('Requests', 'Count', REQUEST_DIMENSIONS)).toEqual([
      expect.objectContaining({ Operation: OPERATION, Channel: 'http', Result: 'Rejected' }),
    ]);
    expect(linesOf('IdempotencyMismatches', 'Count', ['Operation', 'Channel'])).toEqual([
      expect.objectContaining({ Operation: OPERATION, Channel: 'http', IdempotencyMismatches: 1 }),
    ]);
  });

  it('counts a throttle from AWS and the retry that got past it, timing both attempts', async () => {
    // Prepare
    const fault = await fetch(`${emulator.endpoint}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        operation: OPERATION,
        error: 'CallRateLimitExceededException',
        count: 1,
      }),
    });
    expect(fault.status).toBe(201);

    // Act
    const response = await create(`metrics-${randomUUID()}`);

    // Assess
    expect(response.status).toBe(201);
    expect(linesOf('AwsThrottles', 'Count', OPERATION_DIMENSIONS)).toEqual([
      expect.objectContaining({ Operation: OPERATION, AwsThrottles: 1 }),
    ]);
    expect(linesOf('AwsCallRetries', 'Count', OPERATION_DIMENSIONS)).toEqual([
      expect.objectContaining({ Operation: OPERATION, AwsCallRetries: 1 }),
    ]);
    const latency = linesOf('AwsCallLatency', 'Milliseconds', OPERATION_DIMENSIONS);
    expect(valuesOf(latency, 'AwsCallLatency')).toHaveLength(2);
    expect(linesOf('Requests', 'Count', REQUEST_DIMENSIONS)).toEqual([
      expect.objectContaining({ Result: 'Succeeded' }),
    ]);
  });

  it('counts a queue message under the sqs channel', async () => {
    // Act
    await queue(
      {
        Records: [
          sqsRecord({ operation: OPERATION, request: infraNamed(`metrics-${randomUUID()}`) }),
        ],
      },
      lambdaContext(),
    );

    // Assess
    expect(linesOf('Requests', 'Count', REQUEST_DIMENSIONS)).toEqual([
      expect.objectContaining({ Operation: OPERATION, Channel: 'sqs', Result: 'Succeeded' }),
    ]);
  });

  it('writes no EMF line for an invocation that recorded nothing', async () => {
    // Act
    const response = await invokeHttp(
      http,
      httpEvent({ method: 'GET', route: '/requests/{clientToken}' }),
    );

    // Assess
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(emfLines()).toEqual([]);
  });
});

describe('request ids in the logs of a real invocation', () => {
  it("carries API Gateway's request id and the Lambda request id on the request's log line", async () => {
    // Prepare
    const token = `metrics-${randomUUID()}`;
    const event = httpEvent({
      method: 'POST',
      route: '/infrastructure-configurations',
      body: infraNamed(token),
      headers: { 'idempotency-key': token },
    });
    const context = lambdaContext();

    // Act
    const response = await invokeHttp(http, event, context);

    // Assess
    expect(response.status).toBe(201);
    const line = lines.find(({ message }) => message === 'provisioning request');
    expect(line).toMatchObject({
      requestId: event.requestContext.requestId,
      function_request_id: context.awsRequestId,
      operation: OPERATION,
      channel: 'http',
    });
  });
});
