import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type HttpGateway,
  MAX_PAYLOAD_BYTES,
  startHttpGateway,
} from '../../local/stack/httpGateway.js';
import { createRouter, readHttpApiRoutes } from '../../local/stack/httpRoutes.js';

/*
 * The offline stack's HTTP API gateway against a stand-in for Lambda's Invoke API: the events it
 * delivers, how it maps results and failures to HTTP, and API Gateway's own answers.
 */

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const HTTP_FUNCTION = 'image-provisioner-local-http';
const ACCOUNT_ID = '000000000000';
const API_ID = 'a1b2c3d4e5';
const INTEGRATION_TIMEOUT_MS = 400;
const ARN = 'arn:aws:imagebuilder:us-east-1:000000000000:infrastructure-configuration/golden-image';
const CLF_TIME = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;
const TRACE_ID = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/;

/** What the stand-in for Lambda answers an invocation with. */
interface LambdaReply {
  status?: number;
  headers?: Record<string, string>;
  body: string;
}

interface Invoked {
  functionName: string;
  event: APIGatewayProxyEventV2;
}

/** Lambda's Invoke API, recording each event; `reply` decides the answer (`undefined`: hang). */
class FakeLambda {
  public readonly invocations: Invoked[] = [];
  public reply: (event: APIGatewayProxyEventV2) => LambdaReply | undefined = () => ({
    body: JSON.stringify({ statusCode: 200, body: 'ok' }),
  });

  private constructor(private readonly server: Server) {}

  public static async start(): Promise<FakeLambda> {
    const server = createServer();
    const lambda = new FakeLambda(server);
    server.on('request', async (incoming, outgoing) => {
      const name = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(incoming.url ?? '')?.[1];
      let text = '';
      for await (const chunk of incoming) text += chunk;
      const event = JSON.parse(text) as APIGatewayProxyEventV2;
      lambda.invocations.push({ functionName: decodeURIComponent(name ?? ''), event });
      const reply = lambda.reply(event);
      if (!reply) return;
      outgoing.writeHead(reply.status ?? 200, reply.headers ?? {});
      outgoing.end(reply.body);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return lambda;
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The only event received so far (fails unless there is exactly one). */
  public onlyEvent(): APIGatewayProxyEventV2 {
    expect(this.invocations).toHaveLength(1);
    const [invoked] = this.invocations;
    expect(invoked?.functionName).toBe(HTTP_FUNCTION);
    return (invoked as Invoked).event;
  }

  public close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((done) => this.server.close(() => done()));
  }
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** One HTTP request with exactly the headers given (name, value, name, value, ...). */
const call = (
  endpoint: string,
  method: string,
  path: string,
  headers: string[],
  body?: Buffer | string,
  { chunked = false } = {},
): Promise<Reply> =>
  new Promise((done, fail) => {
    const { hostname, port } = new URL(endpoint);
    const length = body === undefined || chunked ? [] : ['content-length', String(body.length)];
    const outgoing = request(
      { host: hostname, port, method, path, agent: false, headers: [...headers, ...length] },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const received = Buffer.concat(chunks);
          done({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: received,
            text: received.toString(),
          });
        });
      },
    );
    outgoing.on('error', fail);
    outgoing.end(body);
  });

let lambda: FakeLambda;
let gateway: HttpGateway;
let port: string;
let host: string;
/** Failures of the gateway itself: none is expected. */
const gatewayErrors: unknown[] = [];

beforeAll(async () => {
  lambda = await FakeLambda.start();
  gateway = await startHttpGateway({
    port: 0,
    portVariable: 'HTTP_PORT',
    routes: readHttpApiRoutes(REPO_ROOT, { service: 'image-provisioner', stage: 'local' }),
    lambdaEndpoint: lambda.endpoint,
    accountId: ACCOUNT_ID,
    apiId: API_ID,
    integrationTimeoutMs: INTEGRATION_TIMEOUT_MS,
    onError: (error) => gatewayErrors.push(error),
  });
  port = new URL(gateway.endpoint).port;
  host = `127.0.0.1:${port}`;
});

afterAll(async () => {
  await gateway?.close();
  await lambda?.close();
});

afterEach(() => {
  expect(gatewayErrors).toEqual([]);
});

beforeEach(() => {
  lambda.invocations.length = 0;
  lambda.reply = () => ({ body: JSON.stringify({ statusCode: 200, body: 'ok' }) });
});

/** The headers API Gateway adds to every request it passes on. */
const forwarded = () => ({
  'x-forwarded-for': '127.0.0.1',
  'x-forwarded-port': port,
  'x-forwarded-proto': 'http',
  'x-amzn-trace-id': expect.stringMatching(TRACE_ID),
});

describe('the routes', () => {
  it('are the httpApi events of the service definition, each to its function', () => {
    // Act
    const routes = readHttpApiRoutes(REPO_ROOT, { service: 'image-provisioner', stage: 'local' });

    // Assess
    expect(routes).toEqual(
      [
        'POST /infrastructure-configurations',
        'GET /infrastructure-configurations',
        'PUT /infrastructure-configurations/{arn}',
        'GET /infrastructure-configurations/{arn}',
        'DELETE /infrastructure-configurations/{arn}',
        'POST /distribution-configurations',
        'GET /distribution-configurations',
        'GET /distribution-configurations/{arn}',
        'PUT /distribution-configurations/{arn}',
        'DELETE /distribution-configurations/{arn}',
        'POST /image-builders',
        'GET /image-builders',
        'GET /image-builders/{name}',
        'POST /image-builders/{name}/stop',
        'POST /image-builders/{name}/start',
        'DELETE /image-builders/{name}',
        'GET /requests/{clientToken}',
      ].map((routeKey) => ({ routeKey, functionKey: 'http', functionName: HTTP_FUNCTION })),
    );
  });

  it('are selected as API Gateway selects them: static, then {param}, then {proxy+}, then $default', () => {
    // Prepare
    const route = createRouter(
      [
        'GET /pets/dog/1',
        'GET /pets/dog/{id}',
        'GET /pets/{proxy+}',
        'ANY /{proxy+}',
        '$default',
      ].map((routeKey) => ({ routeKey, functionKey: 'fn', functionName: 'fn' })),
    );
    const selected = (method: string, path: string) => route(method, path)?.route.routeKey;

    // Act & Assess
    expect(selected('GET', '/pets/dog/1')).toBe('GET /pets/dog/1');
    expect(selected('GET', '/pets/dog/2')).toBe('GET /pets/dog/{id}');
    expect(route('GET', '/pets/dog/a%20b')?.pathParameters).toEqual({ id: 'a b' });
    expect(selected('GET', '/pets/cat/1')).toBe('GET /pets/{proxy+}');
    expect(route('GET', '/pets/cat/1')?.pathParameters).toEqual({ proxy: 'cat/1' });
    expect(selected('POST', '/pets/cat/1')).toBe('ANY /{proxy+}');
    expect(selected('GET', '/')).toBe('$default');
  });
});

describe('the event a function receives', () => {
  it('POST with a JSON body: the body as text, headers lower-cased, the full request context', async () => {
    // Prepare
    const body = JSON.stringify({ name: 'golden-image', instanceTypes: ['m7i.large'] });

    // Act
    const response = await call(
      gateway.endpoint,
      'POST',
      '/infrastructure-configurations',
      [
        'Host',
        host,
        'Content-Type',
        'application/json',
        'Idempotency-Key',
        'portal-req-0001',
        'User-Agent',
        'portal/1.0',
      ],
      body,
    );

    // Assess
    expect(response.status, response.text).toBe(200);
    const requestId = response.headers['apigw-requestid'];
    expect(requestId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(lambda.onlyEvent()).toStrictEqual({
      version: '2.0',
      routeKey: 'POST /infrastructure-configurations',
      rawPath: '/infrastructure-configurations',
      rawQueryString: '',
      headers: {
        host,
        'content-type': 'application/json',
        'idempotency-key': 'portal-req-0001',
        'user-agent': 'portal/1.0',
        'content-length': String(body.length),
        ...forwarded(),
      },
      requestContext: {
        accountId: ACCOUNT_ID,
        apiId: API_ID,
        domainName: '127.0.0.1',
        domainPrefix: '127',
        http: {
          method: 'POST',
          path: '/infrastructure-configurations',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'portal/1.0',
        },
        requestId,
        routeKey: 'POST /infrastructure-configurations',
        stage: '$default',
        time: expect.stringMatching(CLF_TIME),
        timeEpoch: expect.any(Number),
      },
      body,
      isBase64Encoded: false,
    });
  });

  it('GET without a body: no body member; the percent-encoded {arn} decoded; query, repeated headers and cookies as API Gateway passes them', async () => {
    // Prepare
    const rawPath = `/infrastructure-configurations/${encodeURIComponent(ARN)}`;

    // Act
    const response = await call(gateway.endpoint, 'GET', `${rawPath}?view=full&tag=a&tag=b%20c`, [
      'Host',
      host,
      'Accept',
      'application/json',
      'X-Tag',
      'one',
      'x-tag',
      'two',
      'Cookie',
      'session=abc; theme=dark',
    ]);

    // Assess
    expect(response.status, response.text).toBe(200);
    const event = lambda.onlyEvent();
    expect(event).toStrictEqual({
      version: '2.0',
      routeKey: 'GET /infrastructure-configurations/{arn}',
      rawPath,
      rawQueryString: 'view=full&tag=a&tag=b%20c',
      cookies: ['session=abc', 'theme=dark'],
      headers: { host, accept: 'application/json', 'x-tag': 'one,two', ...forwarded() },
      queryStringParameters: { view: 'full', tag: 'a,b c' },
      requestContext: expect.objectContaining({
        http: {
          method: 'GET',
          path: rawPath,
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: '',
        },
        routeKey: 'GET /infrastructure-configurations/{arn}',
      }),
      pathParameters: { arn: ARN },
      isBase64Encoded: false,
    });
    expect(event).not.toHaveProperty('body');
  });

  it('an {arn} sent percent-encoded twice (%253A) is decoded once, as API Gateway does: %3A', async () => {
    // Act
    await call(
      gateway.endpoint,
      'GET',
      `/infrastructure-configurations/${encodeURIComponent(encodeURIComponent(ARN))}`,
      ['Host', host],
    );

    // Assess
    expect(lambda.onlyEvent().pathParameters).toEqual({ arn: encodeURIComponent(ARN) });
  });

  it('any header or query name is passed as a name, __proto__ and constructor included', async () => {
    // Act
    await call(
      gateway.endpoint,
      'POST',
      '/image-builders?constructor=a&__proto__=b',
      ['Host', host, '__proto__', 'c'],
      '{}',
    );

    // Assess
    const event = lambda.onlyEvent();
    expect(event.queryStringParameters).toEqual({ constructor: 'a', ['__proto__']: 'b' });
    expect(Object.getOwnPropertyDescriptor(event.headers, '__proto__')?.value).toBe('c');
  });

  it('each request has its own request id', async () => {
    // Act
    const first = await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], '{}');
    const second = await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], '{}');

    // Assess
    const ids = lambda.invocations.map(({ event }) => event.requestContext.requestId);
    expect(ids).toEqual([first.headers['apigw-requestid'], second.headers['apigw-requestid']]);
    expect(new Set(ids).size).toBe(2);
  });

  it('a body that is not text arrives base64-encoded, text bodies as they are', async () => {
    // Prepare
    const bytes = Buffer.from([0, 1, 2, 255]);

    // Act
    await call(
      gateway.endpoint,
      'POST',
      '/image-builders',
      ['Host', host, 'Content-Type', 'application/octet-stream'],
      bytes,
    );
    await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], 'a=1&b=2');
    await call(
      gateway.endpoint,
      'POST',
      '/image-builders',
      ['Host', host, 'Content-Type', 'text/plain; charset=utf-8'],
      'plain text',
    );

    // Assess
    expect(lambda.invocations.map(({ event }) => [event.body, event.isBase64Encoded])).toEqual([
      [bytes.toString('base64'), true],
      [Buffer.from('a=1&b=2').toString('base64'), true],
      ['plain text', false],
    ]);
  });
});

describe("the function's result", () => {
  it('a structured result is the response: status, headers, cookies, body', async () => {
    // Prepare
    lambda.reply = () => ({
      body: JSON.stringify({
        statusCode: 201,
        headers: { 'content-type': 'application/json', location: '/things/1', 'x-count': 3 },
        cookies: ['a=1; Path=/', 'b=2'],
        body: '{"created":true}',
      }),
    });

    // Act
    const response = await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], '{}');

    // Assess
    expect(response.status).toBe(201);
    expect(response.headers).toMatchObject({
      'content-type': 'application/json',
      location: '/things/1',
      'x-count': '3',
      'set-cookie': ['a=1; Path=/', 'b=2'],
      'apigw-requestid': expect.any(String),
    });
    expect(response.text).toBe('{"created":true}');
  });

  it('a base64-encoded result body is decoded', async () => {
    // Prepare
    lambda.reply = () => ({
      body: JSON.stringify({
        statusCode: 200,
        body: Buffer.from([0, 255]).toString('base64'),
        isBase64Encoded: true,
      }),
    });

    // Act
    const response = await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], '{}');

    // Assess
    expect([...response.body]).toEqual([0, 255]);
  });

  it('a result without statusCode is a 200 application/json with the result as body', async () => {
    // Prepare
    const replies = [{ message: 'hello' }, 'Hello from Lambda!'];

    // Act
    const responses = [];
    for (const result of replies) {
      lambda.reply = () => ({ body: JSON.stringify(result) });
      responses.push(await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], '{}'));
    }

    // Assess
    expect(
      responses.map(({ status, headers, text }) => [status, headers['content-type'], text]),
    ).toEqual([
      [200, 'application/json', '{"message":"hello"}'],
      [200, 'application/json', 'Hello from Lambda!'],
    ]);
  });
});

describe("API Gateway's own answers", () => {
  const expectAnswer = (response: Reply, status: number, message: string) => {
    expect(response.status, response.text).toBe(status);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.text)).toEqual({ message });
  };

  it('a function error (thrown, crashed or timed out in Lambda) is a 500, never a 200', async () => {
    // Prepare
    const errors = [
      { errorType: 'Error', errorMessage: 'boom', trace: [] },
      { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 10.00 seconds' },
    ];

    // Act
    const responses = [];
    for (const error of errors) {
      lambda.reply = () => ({
        headers: { 'x-amz-function-error': 'Unhandled' },
        body: JSON.stringify(error),
      });
      responses.push(await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], '{}'));
    }

    // Assess
    for (const response of responses) expectAnswer(response, 500, 'Internal Server Error');
  });

  it("serverless-offline's answer for a function it timed out is a 500, not a 200 and not a 504", async () => {
    // Prepare: its Invoke API's answer, byte for byte apart from the stack trace.
    lambda.reply = () => ({
      status: 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'X-Amz-Function-Error': 'Unhandled',
      },
      body: JSON.stringify({
        errorMessage: '[504] - Lambda timeout.',
        errorType: 'Error',
        trace: [
          'Error: [504] - Lambda timeout.',
          '    at #timeoutAndTerminate (LambdaFunction.js)',
        ],
      }),
    });

    // Act
    const response = await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], '{}');

    // Assess
    expectAnswer(response, 500, 'Internal Server Error');
    expect(response.text).not.toContain('504');
  });

  it('a result API Gateway cannot read is a 500', async () => {
    // Prepare
    const results = [{ statusCode: 'created' }, { statusCode: 200, body: { nested: true } }];

    // Act
    const responses = [];
    for (const result of results) {
      lambda.reply = () => ({ body: JSON.stringify(result) });
      responses.push(await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], '{}'));
    }

    // Assess
    for (const response of responses) expectAnswer(response, 500, 'Internal Server Error');
  });

  it('no answer from the integration within its timeout is a 503', async () => {
    // Prepare
    lambda.reply = () => undefined;
    const started = performance.now();

    // Act
    const response = await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], '{}');

    // Assess
    expectAnswer(response, 503, 'Service Unavailable');
    expect(performance.now() - started).toBeGreaterThanOrEqual(INTEGRATION_TIMEOUT_MS - 20);
  });

  it('an unknown route is a 404 and invokes nothing', async () => {
    // Act
    const responses = [
      await call(gateway.endpoint, 'GET', '/nothing-here', ['Host', host]),
      await call(gateway.endpoint, 'PATCH', `/infrastructure-configurations/x`, ['Host', host]),
      await call(gateway.endpoint, 'POST', '/image-builders/x/reboot', ['Host', host], '{}'),
      await call(gateway.endpoint, 'GET', '/infrastructure-configurations/a/b', ['Host', host]),
      await call(gateway.endpoint, 'GET', '/infrastructure-configurations/', ['Host', host]),
      await call(gateway.endpoint, 'POST', '/image-builders/', ['Host', host], '{}'),
    ];

    // Assess
    for (const response of responses) expectAnswer(response, 404, 'Not Found');
    expect(lambda.invocations).toEqual([]);
  });

  it('a body above 10 MB is a 413 and invokes nothing, with or without a content-length; the gateway keeps serving', async () => {
    // Prepare
    const oversized = Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 'a');
    const headers = ['Host', host, 'Content-Type', 'text/plain'];

    // Act
    const declared = await call(gateway.endpoint, 'POST', '/image-builders', headers, oversized);
    const streamed = await call(gateway.endpoint, 'POST', '/image-builders', headers, oversized, {
      chunked: true,
    });
    const next = await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], '{}');

    // Assess
    expectAnswer(declared, 413, 'Request Entity Too Large');
    expectAnswer(streamed, 413, 'Request Entity Too Large');
    expect(next.status).toBe(200);
    expect(lambda.invocations).toHaveLength(1);
  });

  it('request headers of 100 KB: a bare 431 and the connection closed, nothing invoked; the gateway keeps serving', async () => {
    // Prepare
    const head = `GET /infrastructure-configurations/x HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(100 * 1024)}\r\n\r\n`;

    // Act: a raw socket, since the gateway may close it before the client has sent everything.
    const received = await new Promise<string>((done) => {
      let text = '';
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(head));
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
      });
      socket.on('error', () => undefined);
      socket.on('close', () => done(text));
    });
    const next = await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], '{}');

    // Assess: the answer (unless the reset overtook it) is Node's, with no body.
    if (received !== '') {
      expect(received).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
      expect(received.endsWith('\r\n\r\n')).toBe(true);
    }
    expect(next.status).toBe(200);
    expect(lambda.invocations).toHaveLength(1);
  });

  it('a body of exactly 10 MB reaches the function', async () => {
    // Prepare
    const body = Buffer.alloc(MAX_PAYLOAD_BYTES, 'a');

    // Act
    const response = await call(
      gateway.endpoint,
      'POST',
      '/image-builders',
      ['Host', host, 'Content-Type', 'text/plain'],
      body,
    );

    // Assess
    expect(response.status).toBe(200);
    expect(lambda.onlyEvent().body).toHaveLength(MAX_PAYLOAD_BYTES);
  });

  it('a request Lambda refuses as too large (its 6 MB invocation limit) is a 413', async () => {
    // Prepare
    lambda.reply = () => ({
      status: 413,
      body: JSON.stringify({ message: 'Request must be smaller than 6291456 bytes' }),
    });

    // Act
    const response = await call(gateway.endpoint, 'POST', '/image-builders', ['Host', host], '{}');

    // Assess
    expectAnswer(response, 413, 'Request Entity Too Large');
  });
});
