import { describe, expect, it } from 'vitest';
import { ApiDocuments, type DocumentSet, type HttpExchange } from './support/documents.js';

/*
 * The check every e2e answer and outcome goes through (support/documents.ts): it passes what the
 * documents describe and fails everything else, so an e2e test cannot pass by checking nothing.
 * First on small documents of its own (each way an answer or a message can differ), then on the
 * committed ones.
 */

const PROBLEM = {
  type: 'object',
  required: ['type', 'status', 'code'],
  properties: {
    type: { type: 'string', format: 'uri' },
    status: { type: 'integer' },
    code: { type: 'string' },
  },
};

const DOCUMENTS: DocumentSet = {
  openapi: {
    openapi: '3.1.0',
    info: { title: 'test', version: '1' },
    paths: {
      '/things': {
        post: {
          responses: {
            '201': {
              description: 'Created',
              headers: {
                Location: { required: true, schema: { type: 'string', pattern: '^/things/' } },
                'Retry-After': { schema: { type: 'integer', minimum: 1 } },
              },
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/Thing' } },
              },
            },
            '4XX': { $ref: '#/components/responses/Problem' },
          },
        },
      },
      '/things/{id}': {
        get: { responses: { '200': { $ref: '#/components/responses/Thing' } } },
      },
      '/things/special': { get: { responses: { '204': { description: 'nothing' } } } },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          required: ['id', 'createdAt'],
          additionalProperties: false,
          properties: {
            id: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
          },
        },
        Problem: PROBLEM,
      },
      responses: {
        Problem: {
          description: 'problem',
          content: {
            'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
          },
        },
        Thing: {
          description: 'a thing',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
        },
      },
    },
  },
  asyncapi: {
    asyncapi: '3.0.0',
    info: { title: 'test', version: '1' },
    channels: {
      outcomes: {
        messages: {
          Outcome: { $ref: '#/components/messages/Outcome' },
          Ready: { $ref: '#/components/messages/Ready' },
        },
      },
    },
    components: {
      messages: {
        Outcome: {
          headers: {
            type: 'object',
            required: ['status'],
            properties: { status: { enum: ['SUCCEEDED', 'FAILED'] } },
          },
          payload: {
            schemaFormat: 'application/schema+json;version=draft-2020-12',
            schema: { $ref: '#/components/schemas/Outcome' },
          },
        },
        Ready: {
          headers: { type: 'object', not: { required: ['status'] } },
          payload: {
            type: 'object',
            required: ['type'],
            properties: { type: { const: 'ready' } },
          },
        },
      },
      schemas: {
        Outcome: {
          type: 'object',
          required: ['type', 'time'],
          properties: { type: { const: 'outcome' }, time: { type: 'string', format: 'date-time' } },
        },
      },
    },
  },
  schemas: {},
};

const documents = new ApiDocuments(DOCUMENTS);

const THING = { id: 't-1', createdAt: '2026-11-30T10:00:00.000Z' };

const exchange = (
  overrides: Partial<Omit<HttpExchange, 'headers'>> & {
    headers?: Record<string, string>;
  } = {},
): HttpExchange => ({
  method: 'POST',
  path: '/things',
  status: 201,
  text: JSON.stringify(THING),
  ...overrides,
  headers: new Headers(
    overrides.headers ?? { 'content-type': 'application/json', location: '/things/t-1' },
  ),
});

describe('ApiDocuments.responseProblems', () => {
  it('passes an answer the documents describe (status, headers, content type, body)', () => {
    expect(documents.responseProblems(exchange())).toEqual([]);
    expect(
      documents.responseProblems(
        exchange({
          headers: {
            'content-type': 'application/json; charset=utf-8',
            location: '/things/t-1',
            'retry-after': '3',
          },
        }),
      ),
    ).toEqual([]);
    expect(
      documents.responseProblems(
        exchange({ method: 'GET', path: '/things/t%2F1?x=1', status: 200 }),
      ),
    ).toEqual([]);
  });

  it.each([
    ['a body member missing', exchange({ text: JSON.stringify({ id: 't-1' }) }), /createdAt/],
    [
      'a member the schema does not allow',
      exchange({ text: JSON.stringify({ ...THING, x: 1 }) }),
      /additional properties.*"x"/,
    ],
    [
      'a format broken',
      exchange({ text: JSON.stringify({ ...THING, createdAt: 'yesterday' }) }),
      /date-time/,
    ],
    ['a status not documented', exchange({ status: 200 }), /documents no 200 answer/],
    ['a path not documented', exchange({ path: '/other' }), /no documented path matches \/other/],
    ['a method not documented', exchange({ method: 'DELETE' }), /documents no DELETE/],
    [
      'a required header missing',
      exchange({ headers: { 'content-type': 'application/json' } }),
      /required header Location is missing/,
    ],
    [
      'a header that breaks its schema',
      exchange({
        headers: { 'content-type': 'application/json', location: '/x', 'retry-after': 'soon' },
      }),
      /header Location|header Retry-After/,
    ],
    [
      'another content type',
      exchange({ headers: { 'content-type': 'text/plain', location: '/things/t-1' } }),
      /not text\/plain/,
    ],
    ['a body that is no JSON', exchange({ text: '{"id":' }), /not JSON/],
    ['no body where one is documented', exchange({ text: '' }), /documents a body, got none/],
    [
      'a body where none is documented',
      exchange({ method: 'GET', path: '/things/special', status: 204 }),
      /documents no body/,
    ],
    [
      'a problem through a status range and a $ref',
      exchange({
        status: 409,
        headers: { 'content-type': 'application/problem+json' },
        text: JSON.stringify({ type: 'x', status: 409 }),
      }),
      /code/,
    ],
  ])('fails %s', (_, answer, problem) => {
    const problems = documents.responseProblems(answer);
    expect(problems.join('\n')).toMatch(problem);
    expect(() => documents.checkResponse(answer)).toThrow(/does not match the documents/);
  });

  it('matches a literal path segment before a parameter', () => {
    expect(
      documents.responseProblems(
        exchange({ method: 'GET', path: '/things/special', status: 204, text: '', headers: {} }),
      ),
    ).toEqual([]);
  });
});

describe('ApiDocuments.messageProblems', () => {
  const outcome = { type: 'outcome', time: '2026-11-30T10:00:00.000Z' };

  it('passes a message that one documented message describes, payload and attributes', () => {
    expect(
      documents.messageProblems({
        body: JSON.stringify(outcome),
        attributes: { status: 'FAILED' },
      }),
    ).toEqual([]);
    expect(
      documents.messageProblems({ body: JSON.stringify({ type: 'ready' }), attributes: {} }),
    ).toEqual([]);
  });

  it.each([
    ['a payload no message describes', { body: JSON.stringify({ type: 'other' }), attributes: {} }],
    [
      'a payload member broken',
      { body: JSON.stringify({ ...outcome, time: 'now' }), attributes: { status: 'FAILED' } },
    ],
    ['attributes of another message', { body: JSON.stringify(outcome), attributes: {} }],
    [
      'an attribute value not documented',
      { body: JSON.stringify(outcome), attributes: { status: 'DONE' } },
    ],
    ['a body that is no JSON', { body: 'outcome', attributes: { status: 'FAILED' } }],
  ])('fails %s', (_, message) => {
    expect(documents.messageProblems(message)).not.toEqual([]);
    expect(() => documents.checkMessage(message)).toThrow(/does not match the documents/);
  });
});
