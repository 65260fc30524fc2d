import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createHttpHandler } from '../../src/channels/http.js';
import { invalidRequests, validRequests } from '../fixtures/requests.js';
import { httpEvent, invokeHttp, lambdaContext } from '../support/lambda.js';
import { useTestStack } from '../support/localStack.js';
import { httpEventFor, OPERATION_CASES, sentToAws } from '../support/operations.js';

const harness = useTestStack();
let handle: ReturnType<typeof createHttpHandler>;

const call = (options: Parameters<typeof httpEvent>[0]) => invokeHttp(handle, httpEvent(options));

beforeAll(() => {
  handle = createHttpHandler(harness.stack.app);
});

describe.each(OPERATION_CASES)('$method $route ($operation)', (testCase) => {
  const request = validRequests[testCase.operation];

  it(`answers ${testCase.successStatus} with the AWS response after exactly one AWS call`, async () => {
    const token = `token-${testCase.operation}`;
    const headers: Record<string, string> = { 'x-correlation-id': 'corr-1' };
    if (testCase.tokenMember) headers['idempotency-key'] = token;

    const response = await call(httpEventFor(testCase, request, headers));

    expect(response.status).toBe(testCase.successStatus);
    expect(response.headers['content-type']).toBe('application/json');
    const calls = harness.aws.calls();
    expect(calls).toHaveLength(1 + testCase.readsFirst);
    const sent = calls.filter((call) => call.args[0] instanceof testCase.command);
    expect(sent).toHaveLength(1);
    const input = sent[0]?.args[0].input as Record<string, unknown>;
    const expected = sentToAws(testCase.operation, request, harness.stack.config.outcomeSource);
    if (testCase.service === 'imagebuilder' && testCase.tokenMember) {
      expect(input).toEqual({ ...expected, clientToken: token });
      expect(response.body.clientToken).toBe(token);
    } else {
      expect(input).toEqual(expected);
    }
    if (testCase.tokenMember) expect(response.headers['idempotency-key']).toBe(token);
  });

  if (testCase.operation === 'GetInfrastructureConfiguration') {
    it('answers the caller only: a read over HTTP publishes no outcome', async () => {
      const response = await call(httpEventFor(testCase, request));

      expect(response.status).toBe(200);
      expect(response.body.infrastructureConfiguration).toMatchObject({
        arn: request.infrastructureConfigurationArn,
      });
      expect(await harness.stack.outcomes(0, 300)).toEqual([]);
    });
  } else {
    it('publishes one SUCCEEDED outcome with the AWS response', async () => {
      const response = await call(
        httpEventFor(testCase, request, {
          'idempotency-key': `outcome-${testCase.operation}`,
          'x-correlation-id': 'corr-42',
        }),
      );

      const outcomes = await harness.stack.outcomes(1);
      expect(outcomes).toHaveLength(1);
      const [{ event, attributes }] = outcomes as [(typeof outcomes)[number]];
      expect(event).toMatchObject({
        specversion: '1.0',
        source: 'image-provisioner.test',
        type: 'image-provisioner.provisioning.outcome.v1',
        datacontenttype: 'application/json',
        data: {
          operation: testCase.operation,
          clientToken: `outcome-${testCase.operation}`,
          correlationId: 'corr-42',
          channel: 'http',
          status: 'SUCCEEDED',
        },
      });
      const { ClientToken: _token, ...awsBody } = response.body;
      expect(event.data.response).toEqual(JSON.parse(JSON.stringify(awsBody)));
      expect(event.subject).toMatch(/^arn:aws:(imagebuilder|appstream):/);
      expect(typeof event.id).toBe('string');
      expect(Number.isNaN(Date.parse(event.time))).toBe(false);
      expect(attributes).toMatchObject({ operation: testCase.operation, status: 'SUCCEEDED' });
    });

    it('generates a clientToken when none is given and returns it in body and header', async () => {
      const response = await call(httpEventFor(testCase, request));

      const token = response.headers['idempotency-key'];
      expect(token).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.body[testCase.tokenMember]).toBe(token);
      if (testCase.service === 'imagebuilder') {
        const sent = harness.aws.calls().filter((c) => c.args[0] instanceof testCase.command);
        expect(sent[0]?.args[0].input).toMatchObject({ clientToken: token });
      }
    });

    it('takes the token from the body and rejects a different Idempotency-Key with 400', async () => {
      const body = { ...request, [testCase.tokenMember]: 'body-token' };

      const response = await call(
        httpEventFor(testCase, body, { 'idempotency-key': 'header-token' }),
      );

      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { path: `/${testCase.tokenMember}`, message: 'differs from the Idempotency-Key header' },
      ]);
      expect(harness.aws.calls()).toHaveLength(0);
    });

    it('rejects a 65-character token with 400 and accepts 64', async () => {
      const tooLong = await call(
        httpEventFor(testCase, { ...request, [testCase.tokenMember]: 'x'.repeat(65) }),
      );
      const longest = await call(
        httpEventFor(testCase, { ...request, [testCase.tokenMember]: 'y'.repeat(64) }),
      );

      expect(tooLong.status).toBe(400);
      expect(tooLong.body.errors).toContainEqual(
        expect.objectContaining({ path: `/${testCase.tokenMember}` }),
      );
      expect(longest.status).toBe(testCase.successStatus);
      expect(harness.aws.calls()).toHaveLength(1 + testCase.readsFirst);
    });
  }

  // A GET carries nothing but the ARN in its path: only ARN cases can travel over HTTP.
  const invalidOverHttp = invalidRequests[testCase.operation].filter(
    ({ request: invalid, path }) =>
      testCase.method !== 'GET' ||
      (path === '/infrastructureConfigurationArn' &&
        typeof (invalid as Record<string, unknown>)?.infrastructureConfigurationArn === 'string'),
  );

  it.each(invalidOverHttp)(
    'rejects $name with 400 at $path and calls AWS zero times',
    async ({ request: invalid, path }) => {
      const response = await call(httpEventFor(testCase, invalid));

      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body).toMatchObject({
        status: 400,
        code: 'ValidationException',
        title: expect.any(String),
        detail: expect.any(String),
        requestId: expect.any(String),
      });
      expect(response.body.errors).toContainEqual(expect.objectContaining({ path }));
      expect(harness.aws.calls()).toHaveLength(0);
      expect(await harness.stack.outcomes(0, 0)).toEqual([]);
    },
  );
});

describe('bodies that are not requests', () => {
  it.each([
    ['no body', undefined, ''],
    ['invalid JSON', '{"name": ', ''],
    ['JSON null', 'null', ''],
    ['a JSON array', '[{"name":"my-infra"}]', ''],
    ['a JSON number', '42', ''],
    ['a JSON string', '"my-infra"', ''],
    ['deeply nested junk', `${'{"a":'.repeat(200)}1${'}'.repeat(200)}`, '/a'],
  ])(
    'answers %s with a 400 problem, never a 5xx, and calls AWS zero times',
    async (_, rawBody, path) => {
      const response = await call({
        method: 'POST',
        route: '/infrastructure-configurations',
        ...(rawBody === undefined ? {} : { rawBody }),
      });

      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body.code).toBe('ValidationException');
      expect(response.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ path })]),
      );
      expect(harness.aws.calls()).toHaveLength(0);
    },
  );

  it.each([
    ['malformed JSON', '{"name": "x",', 'must be valid JSON'],
    ['no body', undefined, 'a JSON request body is required'],
  ])(
    'answers %s with exactly one error at the root, nothing after it',
    async (_, rawBody, message) => {
      const response = await call({
        method: 'POST',
        route: '/infrastructure-configurations',
        ...(rawBody === undefined ? {} : { rawBody }),
      });

      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        code: 'ValidationException',
        detail: 'The request has 1 invalid field.',
        errors: [{ path: '', message }],
      });
      expect(response.body.errors).toHaveLength(1);
    },
  );

  it('answers a body above the size limit with 413 RequestTooLargeException, unparsed', async () => {
    const padding = 'x'.repeat(harness.stack.config.maxRequestBytes);
    const response = await call({
      method: 'POST',
      route: '/image-builders',
      body: { ...validRequests.CreateImageBuilder, Description: padding },
    });

    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ code: 'RequestTooLargeException', status: 413 });
    expect(harness.aws.calls()).toHaveLength(0);
  });

  it.each([
    ['null', null],
    ['false', false],
    ['an already parsed object', { Name: '' }],
  ])('answers a body a local emulator handed over as %s with a 400 problem', async (_, body) => {
    const event = httpEvent({ method: 'POST', route: '/image-builders' });
    (event as { body?: unknown }).body = body;

    const response = (await handle(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body ?? '{}').code).toBe('ValidationException');
    expect(harness.aws.calls()).toHaveLength(0);
  });

  it('decodes a base64-encoded body', async () => {
    const event = httpEvent({ method: 'POST', route: '/image-builders' });
    event.body = Buffer.from(JSON.stringify(validRequests.CreateImageBuilder)).toString('base64');
    event.isBase64Encoded = true;

    const response = (await handle(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;

    expect(response.statusCode).toBe(201);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const event = httpEvent({ method: 'POST', route: '/unknown' });
    event.routeKey = '$default';

    const response = (await handle(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;

    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body ?? '{}').code).toBe('NotFoundException');
  });

  it('rejects an X-Correlation-Id with control characters', async () => {
    const response = await call({
      method: 'POST',
      route: '/image-builders',
      body: validRequests.CreateImageBuilder,
      headers: { 'x-correlation-id': 'line\nbreak' },
    });

    expect(response.status).toBe(400);
    expect(harness.aws.calls()).toHaveLength(0);
  });
});

describe('caller identity', () => {
  it('carries the IAM principal of the caller into the outcome as requestedBy', async () => {
    const event = httpEvent({
      method: 'POST',
      route: '/image-builders',
      body: validRequests.CreateImageBuilder,
    });
    Object.assign(event.requestContext, {
      authorizer: { iam: { userArn: 'arn:aws:sts::123456789012:assumed-role/portal/session' } },
    });

    await handle(event, lambdaContext());

    const outcomes = await harness.stack.outcomes(1);
    expect(outcomes[0]?.event.data.requestedBy).toBe(
      'arn:aws:sts::123456789012:assumed-role/portal/session',
    );
  });

  it('carries the JWT subject when a JWT authorizer admitted the caller', async () => {
    const event = httpEvent({
      method: 'POST',
      route: '/image-builders',
      body: validRequests.CreateImageBuilder,
    });
    Object.assign(event.requestContext, {
      authorizer: { jwt: { claims: { sub: 'portal-client-7' }, scopes: [] } },
    });

    await handle(event, lambdaContext());

    const outcomes = await harness.stack.outcomes(1);
    expect(outcomes[0]?.event.data.requestedBy).toBe('portal-client-7');
  });
});

describe('request logging', () => {
  it('writes one structured line per request with operation, token, channel, outcome and duration', async () => {
    const info = vi.spyOn(harness.stack.app.logger, 'info');

    await call({
      method: 'POST',
      route: '/image-builders',
      body: validRequests.CreateImageBuilder,
      headers: { 'idempotency-key': 'log-1', 'x-correlation-id': 'corr-log' },
    });

    const lines = info.mock.calls.filter(([message]) => message === 'provisioning request');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.[1]).toMatchObject({
      operation: 'CreateImageBuilder',
      clientToken: 'log-1',
      channel: 'http',
      correlationId: 'corr-log',
      outcome: 'SUCCEEDED',
      replayed: false,
      durationMs: expect.any(Number),
    });
  });
});
