import type { SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/channels/http.js';
import { createQueueHandler } from '../../src/channels/queue.js';
import { operations } from '../../src/operations/index.js';
import { validRequests } from '../fixtures/requests.js';
import { resolvePointer } from '../support/jsonPointer.js';
import {
  type DecodedResponse,
  httpEvent,
  invokeHttp,
  lambdaContext,
  sqsRecord,
} from '../support/lambda.js';
import { useTestStack } from '../support/localStack.js';
import {
  EXISTING_INFRASTRUCTURE_ARN,
  httpEventFor,
  OPERATION_CASES,
} from '../support/operations.js';

/*
 * Input an attacker chooses, through the real handlers (dynalite, fauxqs, AWS mocked): nothing
 * a caller sends may break an answer, a header, an outcome or the queue's bookkeeping.
 */

const harness = useTestStack();
let http: ReturnType<typeof createHttpHandler>;
let queue: ReturnType<typeof createQueueHandler>;

beforeAll(() => {
  http = createHttpHandler(harness.stack.app);
  queue = createQueueHandler(harness.stack.app);
});

const deliver = async (...records: ReturnType<typeof sqsRecord>[]) =>
  (await queue({ Records: records }, lambdaContext())) as SQSBatchResponse;

const TOKEN_RULE = 'must contain only printable ASCII characters (U+0020 to U+007E)';

/** Tokens that once made every answer a 500 once echoed into the Idempotency-Key header. */
const HOSTILE_TOKENS = [
  ['non-Latin-1 letters', 't-ключ'],
  ['an emoji', 't-🙂'],
  ['CR/LF', 't-1\r\nx-injected: yes'],
  ['NUL', 't-1\u0000'],
] as const;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** A refusal as the README promises it: 400 problem+json at `path`, every header sendable. */
const expectRefused = (response: DecodedResponse, path: string, message?: string) => {
  expect(response.status).toBe(400);
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.body).toMatchObject({ status: 400, code: 'ValidationException' });
  expect(response.body.errors).toContainEqual(
    message === undefined ? expect.objectContaining({ path }) : { path, message },
  );
  for (const value of Object.values(response.headers)) {
    expect(String(value)).toMatch(PRINTABLE_ASCII);
  }
  expect(response.headers).not.toHaveProperty('idempotency-key');
};

const writes = OPERATION_CASES.filter((testCase) => testCase.tokenMember !== undefined);

describe.each(writes)('HTTP $method $route: a token that cannot go into a header', (testCase) => {
  const request = validRequests[testCase.operation];
  const member = testCase.tokenMember as string;

  it.each(HOSTILE_TOKENS)(
    'refuses %s in the Idempotency-Key header with 400 at the token member, every time, without AWS or an outcome',
    async (_, token) => {
      const event = () => httpEvent(httpEventFor(testCase, request, { 'idempotency-key': token }));

      const first = await invokeHttp(http, event());
      const again = await invokeHttp(http, event());

      for (const response of [first, again]) {
        expectRefused(response, `/${member}`, `the Idempotency-Key header ${TOKEN_RULE}`);
      }
      expect(harness.aws.calls()).toHaveLength(0);
      expect(await harness.stack.outcomes(0, 0)).toEqual([]);
    },
  );

  it.each(HOSTILE_TOKENS)(
    'refuses %s in the body token with 400 at its pointer, without AWS or an outcome',
    async (_, token) => {
      const response = await invokeHttp(
        http,
        httpEvent(httpEventFor(testCase, { ...request, [member]: token })),
      );

      expectRefused(response, `/${member}`, TOKEN_RULE);
      expect(harness.aws.calls()).toHaveLength(0);
      expect(await harness.stack.outcomes(0, 0)).toEqual([]);
    },
  );
});

describe('HTTP: every printable ASCII character is a token character', () => {
  it('accepts a 64-character token of them and echoes it unchanged in the Idempotency-Key header', async () => {
    const printable = Array.from({ length: 64 }, (_, i) => String.fromCharCode(0x21 + i)).join('');

    const response = await invokeHttp(
      http,
      httpEvent({
        method: 'POST',
        route: '/image-builders',
        body: validRequests.CreateImageBuilder,
        headers: { 'idempotency-key': printable },
      }),
    );

    expect(response.status).toBe(201);
    expect(response.headers['idempotency-key']).toBe(printable);
    expect(response.body.ClientToken).toBe(printable);
    expect(harness.aws.calls()).toHaveLength(1);
  });
});

describe('HTTP: a correlation id that cannot go into a header', () => {
  it.each(HOSTILE_TOKENS)(
    'refuses %s in X-Correlation-Id with 400 and echoes nothing',
    async (_, id) => {
      const response = await invokeHttp(
        http,
        httpEvent({
          method: 'POST',
          route: '/image-builders',
          body: validRequests.CreateImageBuilder,
          headers: { 'x-correlation-id': id },
        }),
      );

      expectRefused(response, '');
      expect(response.headers).not.toHaveProperty('x-correlation-id');
      expect(harness.aws.calls()).toHaveLength(0);
    },
  );
});

describe('HTTP: the {arn} path segment is decoded once, by API Gateway', () => {
  // The client sent `%253A`; API Gateway hands the function `%3A`, which is no ARN.
  const onceDecoded = EXISTING_INFRASTRUCTURE_ARN.replaceAll(':', '%3A');
  const { infrastructureConfigurationArn: _arn, ...update } =
    validRequests.UpdateInfrastructureConfiguration as Record<string, unknown>;

  it.each([
    ['GET', undefined],
    ['PUT', update],
  ] as const)(
    '%s with %253A in the path is a 400 at /infrastructureConfigurationArn without AWS',
    async (method, body) => {
      const event = httpEvent({
        method,
        route: '/infrastructure-configurations/{arn}',
        arn: onceDecoded,
        ...(body === undefined ? {} : { body }),
      });

      const response = await invokeHttp(http, event);

      expect(event.rawPath).toContain('%253A');
      expectRefused(response, '/infrastructureConfigurationArn');
      expect(harness.aws.calls()).toHaveLength(0);
    },
  );

  it('a path ARN encoded once reaches AWS as the ARN', async () => {
    const response = await invokeHttp(
      http,
      httpEvent({
        method: 'GET',
        route: '/infrastructure-configurations/{arn}',
        arn: EXISTING_INFRASTRUCTURE_ARN,
      }),
    );

    expect(response.status).toBe(200);
    expect(harness.aws.calls()[0]?.args[0].input).toEqual({
      infrastructureConfigurationArn: EXISTING_INFRASTRUCTURE_ARN,
    });
  });
});

/** The one outcome a message published (fails unless there is exactly one). */
const onlyOutcome = async () => {
  const outcomes = await harness.stack.outcomes(1);
  expect(outcomes).toHaveLength(1);
  return outcomes[0] as (typeof outcomes)[number];
};

describe('queue: a token that cannot go into a header or a log line', () => {
  it.each(HOSTILE_TOKENS)(
    'announces %s in the message clientToken as one FAILED outcome at /clientToken, under the message id, and deletes it',
    async (name, token) => {
      // One message per case: a message id is a token, and a token announces once.
      const messageId = `hostile-token-1-${HOSTILE_TOKENS.findIndex(([n]) => n === name)}`;
      const record = sqsRecord(
        {
          operation: 'CreateImageBuilder',
          clientToken: token,
          correlationId: 'corr-hostile',
          request: validRequests.CreateImageBuilder,
        },
        { messageId },
      );

      const result = await deliver(record);

      expect(result.batchItemFailures).toEqual([]);
      expect(harness.aws.calls()).toHaveLength(0);
      const { event } = await onlyOutcome();
      expect(event.data).toMatchObject({
        operation: 'CreateImageBuilder',
        clientToken: messageId,
        correlationId: 'corr-hostile',
        status: 'FAILED',
        error: { code: 'ValidationException', retryable: false },
      });
      expect(event.data.error?.errors).toEqual([{ path: '/clientToken', message: TOKEN_RULE }]);
    },
  );

  it.each(HOSTILE_TOKENS)(
    'announces %s in the request token as one FAILED outcome at /request/clientToken and deletes it',
    async (name, token) => {
      const messageId = `hostile-token-2-${HOSTILE_TOKENS.findIndex(([n]) => n === name)}`;
      const record = sqsRecord(
        {
          operation: 'CreateInfrastructureConfiguration',
          request: { ...validRequests.CreateInfrastructureConfiguration, clientToken: token },
        },
        { messageId },
      );

      const result = await deliver(record);

      expect(result.batchItemFailures).toEqual([]);
      expect(harness.aws.calls()).toHaveLength(0);
      const { event } = await onlyOutcome();
      expect(event.data).toMatchObject({ clientToken: messageId, status: 'FAILED' });
      expect(event.data.error?.errors).toEqual([
        { path: '/request/clientToken', message: TOKEN_RULE },
      ]);
    },
  );
});

describe('queue: an operation that is none of ours', () => {
  it.each([
    { name: 'a 200 KB name', operation: 'x'.repeat(200_000), shown: `"${'x'.repeat(64)}"…` },
    { name: 'a lone surrogate', operation: '\ud800', shown: '"\\ud800"' },
    { name: 'a number', operation: 7, shown: '7' },
    {
      name: 'a known name in the wrong case',
      operation: 'createimagebuilder',
      shown: '"createimagebuilder"',
    },
    { name: 'a name with a line break and quotes', operation: 'a"\r\nb', shown: '"a\\"\\r\\nb"' },
    { name: 'null', operation: null, shown: 'null' },
    { name: 'an object', operation: { name: 'CreateImageBuilder' }, shown: 'an object' },
    { name: 'the prototype', operation: '__proto__', shown: '"__proto__"' },
  ])(
    'announces $name as one FAILED outcome named Unknown, with the message token and correlation id, and deletes it',
    async ({ name, operation, shown }) => {
      // One token per case: a token announces once.
      const clientToken = `hostile-op-${name.replaceAll(' ', '-')}`;
      const record = sqsRecord(
        {
          operation,
          clientToken,
          correlationId: 'corr-hostile',
          request: validRequests.CreateImageBuilder,
        },
        { messageId: `message-${clientToken}` },
      );

      const result = await deliver(record);

      expect(result.batchItemFailures).toEqual([]);
      expect(harness.aws.calls()).toHaveLength(0);
      const { event, attributes } = await onlyOutcome();
      expect(attributes).toMatchObject({ operation: 'Unknown', status: 'FAILED', channel: 'sqs' });
      expect(event.data).toMatchObject({
        operation: 'Unknown',
        clientToken,
        correlationId: 'corr-hostile',
        channel: 'sqs',
        status: 'FAILED',
        error: { code: 'ValidationException', retryable: false },
      });
      const errors = event.data.error?.errors ?? [];
      expect(errors).toHaveLength(1);
      expect(errors[0]?.path).toBe('/operation');
      expect(errors[0]?.message).toMatch(/^must be one of: CreateInfrastructureConfiguration, /);
      expect(errors[0]?.message.endsWith(`(got ${shown})`)).toBe(true);
      // The names it takes, and what it got cut to 64 characters, JSON-escaped.
      const rule = `must be one of: ${Object.keys(operations).join(', ')} (got "")`;
      expect(errors[0]?.message.length).toBeLessThan(rule.length + 80);
    },
  );

  it('falls back to the message id when the clientToken is not valid either', async () => {
    const record = sqsRecord(
      { operation: '\ud800', clientToken: 't-ключ', correlationId: 'corr-hostile', request: {} },
      { messageId: 'message-hostile-op-2' },
    );

    const result = await deliver(record);

    expect(result.batchItemFailures).toEqual([]);
    const { event } = await onlyOutcome();
    expect(event.data).toMatchObject({
      operation: 'Unknown',
      clientToken: 'message-hostile-op-2',
      correlationId: 'corr-hostile',
    });
    expect(event.data.error?.errors?.map(({ path }) => path)).toEqual([
      '/operation',
      '/clientToken',
    ]);
  });
});

describe('queue: envelopes built to make the outcome too large to publish', () => {
  it('counts a 250 KB unknown member rather than list a pointer that long: one FAILED outcome, deleted', async () => {
    const body = JSON.stringify({
      operation: 'CreateImageBuilder',
      request: validRequests.CreateImageBuilder,
      ['k'.repeat(250_000)]: 1,
    });

    const result = await deliver(sqsRecord(body, { messageId: 'long-key-1' }));

    expect(result.batchItemFailures).toEqual([]);
    const { event } = await onlyOutcome();
    expect(event.data.error?.errors).toEqual([
      { path: '', message: '1 unknown field(s) not shown' },
    ]);
  });

  it('lists a 10,000-character unknown member at its whole pointer: one FAILED outcome, deleted', async () => {
    const key = `k/${'~'.repeat(9_998)}`;
    const message = {
      operation: 'CreateImageBuilder',
      request: validRequests.CreateImageBuilder,
      [key]: 1,
    };

    const result = await deliver(sqsRecord(message, { messageId: 'long-key-2' }));

    expect(result.batchItemFailures).toEqual([]);
    const { event } = await onlyOutcome();
    const errors = event.data.error?.errors ?? [];
    expect(errors).toEqual([{ path: `/k~1${'~0'.repeat(9_998)}`, message: 'unknown field' }]);
    expect(resolvePointer(message, errors[0]?.path ?? '')).toBe(1);
  });

  it('reports 20 of 20,000 unknown members and counts the rest: one FAILED outcome, deleted', async () => {
    const message: Record<string, unknown> = {
      operation: 'CreateImageBuilder',
      request: validRequests.CreateImageBuilder,
    };
    for (let index = 0; index < 20_000; index++) message[`k${index}`] = 0;

    const result = await deliver(sqsRecord(message, { messageId: 'many-keys-1' }));

    expect(result.batchItemFailures).toEqual([]);
    const { event } = await onlyOutcome();
    const errors = event.data.error?.errors ?? [];
    expect(errors).toHaveLength(21);
    expect(errors[20]).toEqual({ path: '', message: '19980 more unknown field(s) not shown' });
  });
});
