import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toProvisioningRequest } from '../../../src/channels/httpRequest.js';
import { matchRoute } from '../../../src/channels/httpRoutes.js';
import { validRequests } from '../../fixtures/requests.js';
import { type HttpEventOptions, httpEvent } from '../../support/lambda.js';
import { EXISTING_INFRASTRUCTURE_ARN } from '../../support/operations.js';

const infra = validRequests.CreateInfrastructureConfiguration;
const update = validRequests.UpdateInfrastructureConfiguration;
const ARN = EXISTING_INFRASTRUCTURE_ARN;
const MAX_REQUEST_BYTES = 262_144;

/** Reads `event` the way the HTTP handler does: through the route API Gateway matched. */
const read = (
  event: APIGatewayProxyEventV2,
  { maxRequestBytes = MAX_REQUEST_BYTES, remainingTimeMs = 9_000 } = {},
) => {
  const route = matchRoute(event.routeKey);
  if (!route) throw new Error(`no route for ${event.routeKey}`);
  return toProvisioningRequest(event, route, { maxRequestBytes }, remainingTimeMs);
};

const post = (options: Partial<HttpEventOptions> = {}) =>
  httpEvent({ method: 'POST', route: '/infrastructure-configurations', ...options });
const put = (options: Partial<HttpEventOptions> = {}) =>
  httpEvent({
    method: 'PUT',
    route: '/infrastructure-configurations/{arn}',
    arn: ARN,
    ...options,
  });
const get = (options: Partial<HttpEventOptions> = {}) =>
  httpEvent({
    method: 'GET',
    route: '/infrastructure-configurations/{arn}',
    arn: ARN,
    ...options,
  });

/** The event as an authorizer would have let it in. */
const authorized = (event: APIGatewayProxyEventV2, authorizer: unknown): APIGatewayProxyEventV2 =>
  Object.assign(event, { requestContext: { ...event.requestContext, authorizer } });

describe('toProvisioningRequest (HTTP): the body', () => {
  it('hands over the parsed body as the request, for the route operation, with no errors', () => {
    // Prepare
    const event = post({ body: infra });

    // Act
    const request = read(event);

    // Assess
    expect(request.operation).toBe('CreateInfrastructureConfiguration');
    expect(request.input).toEqual(infra);
    expect(request.inputPointer).toBe('');
    expect(request.errors).toEqual([]);
    expect(request).not.toHaveProperty('rejection');
  });

  it.each([
    ['absent', {}],
    ['empty', { rawBody: '' }],
  ])('requires a JSON body when it is %s', (_, options) => {
    // Prepare
    const event = post(options);

    // Act
    const request = read(event);

    // Assess
    expect(request.input).toBeUndefined();
    expect(request.errors).toEqual([{ path: '', message: 'a JSON request body is required' }]);
    expect(request.inputUnreadable).toBe(true);
  });

  it('requires a JSON body when the event carries a body that is no string', () => {
    // Prepare
    const event = Object.assign(post(), { body: { name: 'my-infra' } as unknown as string });

    // Act
    const request = read(event);

    // Assess
    expect(request.input).toBeUndefined();
    expect(request.errors).toEqual([{ path: '', message: 'a JSON request body is required' }]);
  });

  it('decodes a base64-encoded body before parsing it', () => {
    // Prepare
    const event = post({ rawBody: Buffer.from(JSON.stringify(infra)).toString('base64') });
    event.isBase64Encoded = true;

    // Act
    const request = read(event);

    // Assess
    expect(request.input).toEqual(infra);
    expect(request.errors).toEqual([]);
  });

  it('reports invalid JSON at the root without quoting the body', () => {
    // Prepare
    const event = post({ rawBody: '{"name": "secret-value' });

    // Act
    const request = read(event);

    // Assess
    expect(request.input).toBeUndefined();
    expect(request.errors).toEqual([{ path: '', message: 'must be valid JSON' }]);
    expect(request.inputUnreadable).toBe(true);
  });

  it.each([
    ['an object', infra],
    ['JSON null', null],
    ['a JSON array', []],
  ])('hands over a body that is %s as readable, for the schema to check', (_, body) => {
    // Prepare
    const event = post({ rawBody: JSON.stringify(body) });

    // Act
    const request = read(event);

    // Assess
    expect(request.input).toEqual(body);
    expect(request).not.toHaveProperty('inputUnreadable');
  });

  it('rejects a body above maxRequestBytes with 413, before parsing it', () => {
    // Prepare
    const event = post({ rawBody: `{not json${' '.repeat(100)}` });

    // Act
    const request = read(event, { maxRequestBytes: 100 });

    // Assess
    expect(request.rejection).toMatchObject({
      code: 'RequestTooLargeException',
      status: 413,
      retryable: false,
    });
    expect(request.rejection?.message).toContain('100 bytes');
    expect(request.input).toBeUndefined();
    expect(request.errors).toEqual([]);
  });

  it('measures the body in bytes, not characters', () => {
    // Prepare: 6 characters, 10 bytes in UTF-8.
    const body = JSON.stringify('éééé');

    // Act
    const atTheLimit = read(post({ rawBody: body }), { maxRequestBytes: 10 });
    const aboveIt = read(post({ rawBody: body }), { maxRequestBytes: 9 });

    // Assess
    expect(Buffer.byteLength(body)).toBe(10);
    expect(atTheLimit).not.toHaveProperty('rejection');
    expect(atTheLimit.input).toBe('éééé');
    expect(aboveIt.rejection?.code).toBe('RequestTooLargeException');
  });

  it('measures a base64 body once decoded', () => {
    // Prepare: 10 bytes of JSON, 16 characters of base64.
    const event = post({ rawBody: Buffer.from('"12345678"').toString('base64') });
    event.isBase64Encoded = true;

    // Act
    const request = read(event, { maxRequestBytes: 10 });

    // Assess
    expect(event.body).toHaveLength(16);
    expect(request).not.toHaveProperty('rejection');
    expect(request.input).toBe('12345678');
  });

  it('reads no body on a GET, whatever the event carries', () => {
    // Prepare
    const event = get({ rawBody: '{not json' });

    // Act
    const request = read(event);

    // Assess
    expect(request.operation).toBe('GetInfrastructureConfiguration');
    expect(request.input).toEqual({ infrastructureConfigurationArn: ARN });
    expect(request.errors).toEqual([]);
  });
});

describe('toProvisioningRequest (HTTP): the ARN in the path', () => {
  it('merges the path ARN into a body that leaves it out', () => {
    // Prepare
    const { infrastructureConfigurationArn: _arn, ...body } = update;
    const event = put({ body });

    // Act
    const request = read(event);

    // Assess
    expect(request.input).toEqual({ ...body, infrastructureConfigurationArn: ARN });
    expect(request.errors).toEqual([]);
  });

  it('accepts a body ARN equal to the path ARN', () => {
    // Prepare
    const event = put({ body: { ...update, infrastructureConfigurationArn: ARN } });

    // Act
    const request = read(event);

    // Assess
    expect(request.errors).toEqual([]);
  });

  it('reports a body ARN that differs from the path ARN at its member', () => {
    // Prepare
    const other = ARN.replace('my-infra', 'other-infra');
    const event = put({ body: { ...update, infrastructureConfigurationArn: other } });

    // Act
    const request = read(event);

    // Assess
    expect(request.errors).toEqual([
      {
        path: '/infrastructureConfigurationArn',
        message: 'must equal the ARN in the request path',
      },
    ]);
  });

  it('takes the path ARN as API Gateway hands it over (decoded once), never decoding it again', () => {
    // Prepare: the client sent `%253A`, which API Gateway decoded to `%3A`.
    const event = get();
    event.pathParameters = { arn: encodeURIComponent(ARN) };

    // Act
    const request = read(event);

    // Assess
    expect(request.input).toEqual({ infrastructureConfigurationArn: encodeURIComponent(ARN) });
  });
});

describe('toProvisioningRequest (HTTP): headers', () => {
  it('offers the Idempotency-Key header as the token of a write, naming the header', () => {
    // Prepare
    const event = post({ body: infra, headers: { 'idempotency-key': 'key-1' } });

    // Act
    const request = read(event);

    // Assess
    expect(request.clientToken).toEqual({ value: 'key-1', label: 'the Idempotency-Key header' });
  });

  it('ignores the Idempotency-Key header on a read', () => {
    // Prepare
    const event = get({ headers: { 'idempotency-key': 'key-1' } });

    // Act
    const request = read(event);

    // Assess
    expect(request).not.toHaveProperty('clientToken');
  });

  it('offers no token when the write has no Idempotency-Key header', () => {
    // Prepare
    const event = post({ body: infra });

    // Act
    const request = read(event);

    // Assess
    expect(request).not.toHaveProperty('clientToken');
  });

  it('carries a valid X-Correlation-Id', () => {
    // Prepare
    const event = post({ body: infra, headers: { 'x-correlation-id': 'portal-ticket-4712' } });

    // Act
    const request = read(event);

    // Assess
    expect(request.correlationId).toBe('portal-ticket-4712');
    expect(request.errors).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['257 characters', 'c'.repeat(257)],
    ['with a line break', 'ticket\n1'],
    ['not ASCII', 'ticket-é'],
  ])('reports an X-Correlation-Id (%s) before the body errors, and drops it', (_, value) => {
    // Prepare
    const event = post({ rawBody: '{', headers: { 'x-correlation-id': value } });

    // Act
    const request = read(event);

    // Assess
    expect(request).not.toHaveProperty('correlationId');
    expect(request.errors).toEqual([
      {
        path: '',
        message: 'the X-Correlation-Id header must be 1 to 256 printable ASCII characters',
      },
      { path: '', message: 'must be valid JSON' },
    ]);
  });

  it('accepts an X-Correlation-Id of 256 printable characters', () => {
    // Prepare
    const value = `~ ${'c'.repeat(254)}`;
    const event = post({ body: infra, headers: { 'x-correlation-id': value } });

    // Act
    const request = read(event);

    // Assess
    expect(request.correlationId).toBe(value);
  });
});

describe('toProvisioningRequest (HTTP): the caller', () => {
  it('names the IAM principal the authorizer let in', () => {
    // Prepare
    const userArn = 'arn:aws:iam::123456789012:user/portal';
    const event = authorized(post({ body: infra }), { iam: { userArn } });

    // Act
    const request = read(event);

    // Assess
    expect(request.requestedBy).toBe(userArn);
  });

  it.each([
    ['a string', 'portal-client-7', 'portal-client-7'],
    ['a number', 7, '7'],
  ])('names the JWT subject when it is %s', (_, sub, expected) => {
    // Prepare
    const event = authorized(post({ body: infra }), { jwt: { claims: { sub }, scopes: [] } });

    // Act
    const request = read(event);

    // Assess
    expect(request.requestedBy).toBe(expected);
  });

  it('prefers the IAM principal to a JWT subject', () => {
    // Prepare
    const event = authorized(post({ body: infra }), {
      iam: { userArn: 'arn:aws:iam::123456789012:role/portal' },
      jwt: { claims: { sub: 'portal-client-7' } },
    });

    // Act
    const request = read(event);

    // Assess
    expect(request.requestedBy).toBe('arn:aws:iam::123456789012:role/portal');
  });

  it.each([
    ['no authorizer', undefined],
    ['a JWT without a subject', { jwt: { claims: { scope: 'provision' } } }],
  ])('names nobody when there is %s', (_, authorizer) => {
    // Prepare
    const event =
      authorizer === undefined
        ? post({ body: infra })
        : authorized(post({ body: infra }), authorizer);

    // Act
    const request = read(event);

    // Assess
    expect(request).not.toHaveProperty('requestedBy');
  });
});

describe('toProvisioningRequest (HTTP): channel data', () => {
  it('tells the pipeline a caller waits for the answer: final attempt, no announced rejections, direct reads', () => {
    // Prepare
    const event = post({ body: infra });

    // Act
    const request = read(event, { remainingTimeMs: 8_765 });

    // Assess
    expect(request).toMatchObject({
      channel: 'http',
      finalAttempt: true,
      announcesRejections: false,
      idempotentReads: false,
      remainingTimeMs: 8_765,
    });
  });

  it('generates a fresh UUID each time the pipeline needs a token', () => {
    // Prepare
    const request = read(post({ body: infra }));

    // Act
    const first = request.fallbackToken();
    const second = request.fallbackToken();

    // Assess
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second).not.toBe(first);
  });
});
