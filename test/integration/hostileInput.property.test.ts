import type { SQSBatchResponse } from 'aws-lambda';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/channels/http.js';
import { createQueueHandler } from '../../src/channels/queue.js';
import { isOperationName } from '../../src/operations/index.js';
import { validRequests } from '../fixtures/requests.js';
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
  operationNames,
} from '../support/operations.js';

/*
 * Properties over input an attacker chooses (random Unicode tokens, correlation ids, `{arn}` path
 * segments, queue operation names), through the real handlers on dynalite and fauxqs with AWS
 * mocked: never a 5xx, every non-2xx answer problem+json, every header sendable, no AWS call for a
 * refused request; on the queue no record reported as failed and exactly one outcome each.
 * Seeded and bounded, so a failure reproduces and the file stays within seconds.
 */

const SEED = 20_261_121;
const RUNS = 300;

const harness = useTestStack();
let http: ReturnType<typeof createHttpHandler>;
let queue: ReturnType<typeof createQueueHandler>;

beforeAll(() => {
  http = createHttpHandler(harness.stack.app);
  queue = createQueueHandler(harness.stack.app);
});

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const TOKEN = /^[\x20-\x7e]{1,64}$/;

const char = (code: number) => String.fromCharCode(code);

/** One unit of hostile text: printable ASCII, C0 and C1 controls, lone surrogates, any code point. */
const hostileUnit = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map(char) },
  fc.integer({ min: 0x00, max: 0x1f }).map(char),
  fc.constantFrom('\u007f', '\u0085', '\u009b', 'é', 'ключ', '🙂', '\u2028', '\u202e', '\ufeff'),
  fc.integer({ min: 0xd800, max: 0xdfff }).map(char),
  fc.integer({ min: 0x80, max: 0x10ffff }).map((code) => String.fromCodePoint(code)),
);
const hostileString = (maxLength: number) => fc.string({ unit: hostileUnit, maxLength });
/** Strings that follow the printable-ASCII rule, of any length around its bound. */
const printableString = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map(char),
  maxLength: 70,
});
const textAround = fc.oneof(hostileString(80), printableString);

/** Every answer a caller can read: never 5xx, problem+json when not 2xx, sendable headers. */
const checkAnswer = (response: DecodedResponse) => {
  expect(response.status).toBeLessThan(500);
  if ((response.status ?? 0) >= 300) {
    expect(response.headers['content-type']).toBe('application/problem+json');
  }
  for (const value of Object.values(response.headers)) {
    expect(String(value)).toMatch(PRINTABLE_ASCII);
  }
};

const writes = OPERATION_CASES.filter((testCase) => testCase.tokenMember !== undefined);

describe('HTTP', () => {
  it('random tokens (header or body) and correlation ids: answered, never a 5xx, AWS only for what was admitted', async () => {
    const announced = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writes),
        fc.constantFrom('header', 'body'),
        textAround,
        fc.option(textAround, { nil: undefined }),
        async (testCase, where, token, correlationId) => {
          const member = testCase.tokenMember as string;
          const request = validRequests[testCase.operation];
          const headers: Record<string, string> = {};
          if (where === 'header') headers['idempotency-key'] = token;
          if (correlationId !== undefined) headers['x-correlation-id'] = correlationId;
          const body = where === 'body' ? { ...request, [member]: token } : request;
          const callsBefore = harness.aws.calls().length;

          const response = await invokeHttp(http, httpEvent(httpEventFor(testCase, body, headers)));

          checkAnswer(response);
          const admitted =
            TOKEN.test(token) &&
            (correlationId === undefined || /^[\x20-\x7e]{1,256}$/.test(correlationId));
          expect(response.status).toBe(admitted ? testCase.successStatus : 400);
          const key = `${testCase.operation}\u0000${token}`;
          const replay = announced.has(key);
          if (!admitted) {
            expect(response.body.errors).toEqual(
              expect.arrayContaining([
                expect.objectContaining({ path: expect.stringMatching(/^(\/\w+)?$/) }),
              ]),
            );
            expect(harness.aws.calls()).toHaveLength(callsBefore);
            expect(await harness.stack.outcomes(0, 0)).toEqual([]);
            return;
          }
          expect(response.headers['idempotency-key']).toBe(token);
          if (correlationId !== undefined) {
            expect(response.headers['x-correlation-id']).toBe(correlationId);
          }
          expect(harness.aws.calls()).toHaveLength(
            callsBefore + (replay ? 0 : 1 + testCase.readsFirst),
          );
          const outcomes = await harness.stack.outcomes(replay ? 0 : 1, 2_000);
          expect(outcomes.map(({ event }) => event.data.clientToken)).toEqual(
            replay ? [] : [token],
          );
          announced.add(key);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('random {arn} path segments (as API Gateway hands them over, decoded once): never a 5xx, no AWS call when refused', async () => {
    const arnVariants = fc.constantFrom(
      EXISTING_INFRASTRUCTURE_ARN,
      EXISTING_INFRASTRUCTURE_ARN.replaceAll(':', '%3A'),
      encodeURIComponent(EXISTING_INFRASTRUCTURE_ARN),
      `${EXISTING_INFRASTRUCTURE_ARN}\n`,
      `${EXISTING_INFRASTRUCTURE_ARN}/../x`,
    );
    const { infrastructureConfigurationArn: _arn, ...update } =
      validRequests.UpdateInfrastructureConfiguration as Record<string, unknown>;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT'),
        fc.oneof(
          arnVariants,
          hostileString(200).filter((arn) => arn !== ''),
        ),
        async (method, arn) => {
          const callsBefore = harness.aws.calls().length;

          const event = httpEvent({
            method,
            route: '/infrastructure-configurations/{arn}',
            ...(method === 'PUT' ? { body: update } : {}),
          });
          // As given: a lone surrogate has no percent-encoding to build a raw path from.
          event.pathParameters = { arn };

          const response = await invokeHttp(http, event);

          checkAnswer(response);
          if (arn === EXISTING_INFRASTRUCTURE_ARN) {
            expect(response.status).toBe(200);
            await harness.stack.outcomes(method === 'PUT' ? 1 : 0, 2_000);
            return;
          }
          expect(response.status).toBe(400);
          expect(response.body.errors).toContainEqual(
            expect.objectContaining({ path: '/infrastructureConfigurationArn' }),
          );
          expect(harness.aws.calls()).toHaveLength(callsBefore);
          expect(await harness.stack.outcomes(0, 0)).toEqual([]);
        },
      ),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });
});

describe('queue', () => {
  it('random operation names, tokens and correlation ids: no record reported as failed, exactly one outcome each', async () => {
    const operation = fc.oneof(
      fc.constantFrom(...operationNames),
      fc.constantFrom(...operationNames).map((name) => name.toLowerCase()),
      hostileString(100),
      fc.nat({ max: 200_000 }).map((length) => 'x'.repeat(length)),
      fc.jsonValue({ maxDepth: 2 }),
    );
    let index = 0;
    await fc.assert(
      fc.asyncProperty(
        operation,
        fc.option(textAround, { nil: undefined }),
        fc.option(textAround, { nil: undefined }),
        async (name, token, correlationId) => {
          index += 1;
          const messageId = `property-message-${index}`;
          const clientToken = token === undefined ? undefined : `${index}-${token}`;
          const known = isOperationName(name);
          const record = sqsRecord(
            {
              operation: name,
              ...(clientToken === undefined ? {} : { clientToken }),
              ...(correlationId === undefined ? {} : { correlationId }),
              request: known ? validRequests[name] : {},
            },
            { messageId },
          );
          const callsBefore = harness.aws.calls().length;

          const result = (await queue({ Records: [record] }, lambdaContext())) as SQSBatchResponse;

          expect(result.batchItemFailures).toEqual([]);
          const outcomes = await harness.stack.outcomes(1, 2_000);
          expect(outcomes).toHaveLength(1);
          const [{ event, attributes }] = outcomes as [(typeof outcomes)[number]];
          const tokenValid = clientToken !== undefined && TOKEN.test(clientToken);
          const correlationValid =
            correlationId !== undefined && /^[\x20-\x7e]{1,256}$/.test(correlationId);
          expect(event.data.clientToken).toBe(tokenValid ? clientToken : messageId);
          expect(event.data.correlationId).toBe(correlationValid ? correlationId : undefined);
          expect(attributes.operation).toBe(known ? name : 'Unknown');
          expect(event.data.operation).toBe(known ? name : 'Unknown');
          if (!known) {
            expect(event.data.status).toBe('FAILED');
            expect(harness.aws.calls()).toHaveLength(callsBefore);
            const operationError = event.data.error?.errors?.find(
              ({ path }) => path === '/operation',
            );
            // The names it takes, and what it got cut to 64 characters, JSON-escaped.
            const rule = `must be one of: ${operationNames.join(', ')} (got "")`;
            expect(operationError?.message.length).toBeLessThan(rule.length + 64 * 6);
          }
          if (event.data.status === 'FAILED') {
            expect(event.data.error?.retryable).toBe(false);
          }
        },
      ),
      { seed: SEED + 2, numRuns: RUNS },
    );
  });
});
