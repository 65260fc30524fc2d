import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Lambda from 'serverless-offline/lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpGateway, startHttpGateway } from '../../../local/stack/httpGateway.js';
import { invokeLambda } from '../../../local/stack/lambdaInvoke.js';
import { claimPort } from '../../../local/stack/ports.js';

/*
 * The offline stack's HTTP API gateway in front of serverless-offline's own Lambda Invoke API,
 * running real functions in worker threads as `npm start` does: what that API answers when a
 * function fails or runs out of time, and what the gateway makes of it, as API Gateway would.
 */

const LAMBDA_TIMEOUT_SECONDS = 0.3;
const INTEGRATION_TIMEOUT_MS = 1_500;

/** Sleeps for the `sleepMs` of the request body, then answers 200; or throws. */
const HANDLERS = `
export const sleep = async (event) => {
  const { sleepMs = 0 } = JSON.parse(event.body ?? '{}');
  await new Promise((resolve) => setTimeout(resolve, sleepMs));
  return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'done' };
};
export const fail = async () => {
  throw new Error('boom');
};
`;

const FUNCTIONS = [
  { key: 'timeout', handler: 'handlers.sleep', timeout: LAMBDA_TIMEOUT_SECONDS },
  { key: 'throw', handler: 'handlers.fail', timeout: 5 },
  { key: 'slow', handler: 'handlers.sleep', timeout: 10 },
];
const nameOf = (key: string) => `gateway-errors-${key}`;

let directory: string;
let lambda: Lambda;
let lambdaEndpoint: string;
let gateway: HttpGateway;
const gatewayErrors: unknown[] = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'gateway-errors-'));
  await writeFile(join(directory, 'handlers.mjs'), HANDLERS);
  const lambdaPort = await claimPort(0, 'LAMBDA_PORT');
  lambda = new Lambda(
    {
      config: { servicePath: directory, serverlessPath: directory },
      service: {
        service: 'gateway-errors',
        provider: { name: 'aws', runtime: 'nodejs22.x', region: 'us-east-1' },
        package: {},
      },
    },
    { host: '127.0.0.1', lambdaPort, noTimeout: false, terminateIdleLambdaTime: 60 },
  );
  lambda.create(
    FUNCTIONS.map(({ key, handler, timeout }) => ({
      functionKey: key,
      functionDefinition: { name: nameOf(key), handler, timeout },
    })),
  );
  await lambda.start();
  lambdaEndpoint = `http://127.0.0.1:${lambdaPort}`;
  gateway = await startHttpGateway({
    port: 0,
    portVariable: 'HTTP_PORT',
    routes: FUNCTIONS.map(({ key }) => ({
      routeKey: `POST /${key}`,
      functionKey: key,
      functionName: nameOf(key),
    })),
    lambdaEndpoint,
    accountId: '000000000000',
    apiId: 'a1b2c3d4e5',
    integrationTimeoutMs: INTEGRATION_TIMEOUT_MS,
    onError: (error) => gatewayErrors.push(error),
  });
});

afterAll(async () => {
  await gateway?.close();
  await lambda?.stop(0);
  await lambda?.cleanup();
  if (directory) await rm(directory, { recursive: true, force: true });
});

/** A POST through the gateway, as a client sends it. */
const post = async (path: string, body: unknown) => {
  const response = await fetch(`${gateway.endpoint}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text: await response.text(),
  };
};

describe("serverless-offline's Invoke API, for a function that runs past its timeout", () => {
  it('answers 200 with X-Amz-Function-Error: Unhandled and the error as the payload', async () => {
    // Act
    const invocation = await invokeLambda(lambdaEndpoint, nameOf('timeout'), {
      body: JSON.stringify({ sleepMs: 5_000 }),
    });

    // Assess
    expect(invocation.statusCode).toBe(200);
    expect(invocation.functionError).toBe('Unhandled');
    expect(JSON.parse(invocation.payload)).toMatchObject({
      errorMessage: '[504] - Lambda timeout.',
      errorType: 'Error',
      trace: expect.any(Array),
    });
  });
});

describe('the gateway in front of it', () => {
  it('answers a function that ran past its timeout as API Gateway does: 500, not 200 or 504', async () => {
    // Act
    const response = await post('/timeout', { sleepMs: 5_000 });

    // Assess
    expect(response.status).toBe(500);
    expect(response.contentType).toBe('application/json');
    expect(JSON.parse(response.text)).toEqual({ message: 'Internal Server Error' });
  });

  it('answers a function that threw with the same 500', async () => {
    // Act
    const response = await post('/throw', {});

    // Assess
    expect(response.status).toBe(500);
    expect(JSON.parse(response.text)).toEqual({ message: 'Internal Server Error' });
  });

  it('answers 503 when the function, within its own timeout, outlasts the integration timeout', async () => {
    // Act
    const response = await post('/slow', { sleepMs: INTEGRATION_TIMEOUT_MS + 1_000 });

    // Assess
    expect(response.status).toBe(503);
    expect(JSON.parse(response.text)).toEqual({ message: 'Service Unavailable' });
  });

  it('passes a function that answers in time through', async () => {
    // Act
    const response = await post('/slow', { sleepMs: 0 });

    // Assess
    expect(response.status).toBe(200);
    expect(response.text).toBe('done');
    expect(gatewayErrors).toEqual([]);
  });
});
