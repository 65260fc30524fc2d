import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { validationError } from '../../../src/basics/errors.js';
import { createHttpHandler } from '../../../src/channels/http.js';
import type { Pipeline, ProvisioningResult } from '../../../src/provisioning/pipeline.js';
import { validRequests } from '../../fixtures/requests.js';
import { httpEvent, invokeHttp, lambdaContext } from '../../support/lambda.js';
import { recordingMetrics } from '../../support/metrics.js';

const LAMBDA_REQUEST_ID = '7d4c7f0e-6b7a-4a1e-9c1d-0f6f2b3c4d5e';
const GATEWAY_REQUEST_ID = 'Qx1AjkLMoAMEdey=';
/** What serverless-offline's own HTTP API puts in every event. */
const OFFLINE_CONSTANT = 'offlineContext_resourceId';

/** The JSON lines a logger wrote (errors go to standard error, the rest to standard output). */
const captureLogs = () => {
  const lines: Record<string, unknown>[] = [];
  const capture = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) {
      if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  return lines;
};

/** A pipeline that logs one line and refuses every request as invalid; or throws (a bug). */
const pipelineOf = (logger: Logger, fails: 'refuses' | 'throws'): Pipeline => ({
  run: async (): Promise<ProvisioningResult> => {
    logger.info('provisioning request');
    if (fails === 'throws') throw new TypeError('a bug');
    return {
      status: 'FAILED',
      operation: undefined,
      clientToken: undefined,
      error: validationError([{ path: '/name', message: 'is required' }]),
      replayed: false,
    };
  },
});

const setup = (fails: 'refuses' | 'throws' = 'refuses') => {
  const logs = captureLogs();
  const logger = new Logger({ serviceName: 'image-provisioner', logLevel: 'INFO' });
  const metrics = recordingMetrics();
  const handler = createHttpHandler({
    pipeline: pipelineOf(logger, fails),
    lookup: { find: async () => ({ found: false }) },
    config: { maxRequestBytes: 262_144 },
    logger,
    metrics,
  });
  const invoke = async (requestId: string | undefined) => {
    const event = httpEvent({
      method: 'POST',
      route: '/infrastructure-configurations',
      body: validRequests.CreateInfrastructureConfiguration,
    });
    if (requestId === undefined) Reflect.deleteProperty(event.requestContext, 'requestId');
    else event.requestContext.requestId = requestId;
    const context = { ...lambdaContext(), awsRequestId: LAMBDA_REQUEST_ID };
    return invokeHttp(handler, event, context);
  };
  return { logs, metrics, invoke };
};

describe('the request id of an HTTP request', () => {
  it("answers API Gateway's request id and logs it beside the Lambda request id", async () => {
    // Prepare
    const { logs, invoke } = setup();

    // Act
    const response = await invoke(GATEWAY_REQUEST_ID);

    // Assess
    expect(response.body.requestId).toBe(GATEWAY_REQUEST_ID);
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'provisioning request',
        requestId: GATEWAY_REQUEST_ID,
        function_request_id: LAMBDA_REQUEST_ID,
      }),
    );
  });

  it.each([
    ["serverless-offline's constant", OFFLINE_CONSTANT],
    ['no request id at all', undefined],
  ])('answers and logs the Lambda request id for %s', async (_, given) => {
    // Prepare
    const { logs, invoke } = setup();

    // Act
    const response = await invoke(given);

    // Assess
    expect(response.body.requestId).toBe(LAMBDA_REQUEST_ID);
    const line = logs.find(({ message }) => message === 'provisioning request');
    expect(line).toMatchObject({
      requestId: LAMBDA_REQUEST_ID,
      function_request_id: LAMBDA_REQUEST_ID,
    });
    expect(JSON.stringify(logs)).not.toContain(OFFLINE_CONSTANT);
  });

  it('answers an unexpected failure with the id it logged it under', async () => {
    // Prepare
    const { logs, invoke } = setup('throws');

    // Act
    const response = await invoke(OFFLINE_CONSTANT);

    // Assess
    expect(response.status).toBe(500);
    expect(response.body.requestId).toBe(LAMBDA_REQUEST_ID);
    expect(logs).toContainEqual(
      expect.objectContaining({ message: 'unexpected failure', requestId: LAMBDA_REQUEST_ID }),
    );
  });

  it('leaves no request id behind for the next invocation', async () => {
    // Prepare
    const { logs, invoke } = setup();
    await invoke(GATEWAY_REQUEST_ID);

    // Act
    await invoke(undefined);

    // Assess
    const ids = logs
      .filter(({ message }) => message === 'provisioning request')
      .map(({ requestId }) => requestId);
    expect(ids).toEqual([GATEWAY_REQUEST_ID, LAMBDA_REQUEST_ID]);
  });
});

describe('the metrics of an invocation', () => {
  it('are flushed once when the invocation ends, and once when it fails', async () => {
    // Prepare
    const answered = setup();
    const failed = setup('throws');

    // Act
    await answered.invoke(GATEWAY_REQUEST_ID);
    await failed.invoke(GATEWAY_REQUEST_ID);

    // Assess
    expect(answered.metrics.flushes).toBe(1);
    expect(failed.metrics.flushes).toBe(1);
  });
});
