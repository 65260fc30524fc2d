import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sendRaw } from '../reliability/support/control.js';
import { Api } from './support/api.js';
import { generatedClient } from './support/client.js';
import {
  ApiDocuments,
  apiDocuments,
  type DocumentSet,
  type HttpExchange,
  type ReceivedMessage,
  readDocuments,
} from './support/documents.js';

/*
 * The check every e2e answer and outcome goes through (support/documents.ts): it passes what the
 * documents describe and fails everything else, so an e2e test cannot pass by checking nothing.
 * First on small documents of its own (each way an answer or a message can differ), then on the
 * committed ones, then through the shared helpers that call it.
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
      requests: { messages: { Request: { $ref: '#/components/messages/Request' } } },
      outcomes: {
        messages: {
          Outcome: { $ref: '#/components/messages/Outcome' },
          Ready: { $ref: '#/components/messages/Ready' },
        },
      },
    },
    operations: {
      receive: { action: 'receive', channel: { $ref: '#/channels/requests' } },
      sendOutcome: {
        action: 'send',
        channel: { $ref: '#/channels/outcomes' },
        messages: [{ $ref: '#/channels/outcomes/messages/Outcome' }],
      },
      sendReady: { action: 'send', channel: { $ref: '#/channels/outcomes' } },
    },
    components: {
      messages: {
        Request: { payload: { type: 'object' } },
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
    ['a message only a channel the service receives on names', { body: '{}', attributes: {} }],
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

describe('the committed documents, through the same check', () => {
  const committed = apiDocuments();
  const { openapi, asyncapi } = readDocuments();

  /** Every example of a numbered response of docs/openapi.json, as the answer it shows. */
  const responseExamples = (): Array<{ name: string; exchange: HttpExchange }> => {
    const resolveRef = (value: unknown): Record<string, unknown> => {
      let node = value as Record<string, unknown>;
      while (typeof node?.$ref === 'string') {
        node = (node.$ref as string)
          .slice(2)
          .split('/')
          .reduce<unknown>(
            (at, token) => (at as Record<string, unknown>)[token.replaceAll('~1', '/')],
            openapi,
          ) as Record<string, unknown>;
      }
      return node;
    };
    const found: Array<{ name: string; exchange: HttpExchange }> = [];
    for (const [template, item] of Object.entries(openapi.paths as Record<string, unknown>)) {
      for (const [method, operation] of Object.entries(item as Record<string, unknown>)) {
        const responses = (operation as { responses?: Record<string, unknown> }).responses ?? {};
        for (const [status, reference] of Object.entries(responses)) {
          if (!/^\d{3}$/.test(status)) continue;
          const content = (resolveRef(reference).content ?? {}) as Record<string, unknown>;
          for (const [mediaType, entry] of Object.entries(content)) {
            const { example, examples = {} } = entry as {
              example?: unknown;
              examples?: Record<string, { value?: unknown }>;
            };
            const values = [
              ...(example === undefined ? [] : [example]),
              ...Object.values(examples).map(({ value }) => value),
            ];
            for (const value of values) {
              found.push({
                name: `${method.toUpperCase()} ${template} ${status} ${mediaType}`,
                exchange: {
                  method,
                  path: template.replaceAll(/\{[^}]+\}/g, 'x'),
                  status: Number(status),
                  headers: new Headers({ 'content-type': mediaType }),
                  text: JSON.stringify(value),
                },
              });
            }
          }
        }
      }
    }
    return found;
  };

  /** Every example of every message the service sends, with its attributes. */
  const messageExamples = (): Array<{ name: string; message: ReceivedMessage }> => {
    const messages = (asyncapi.components as { messages: Record<string, unknown> }).messages;
    return Object.entries(messages).flatMap(([name, message]) =>
      (
        (message as { examples?: Array<{ headers?: Record<string, string>; payload: unknown }> })
          .examples ?? []
      ).map(({ headers = {}, payload }) => ({
        name,
        message: { body: JSON.stringify(payload), attributes: headers },
      })),
    );
  };

  it('passes every response example of docs/openapi.json, and fails each as a JSON array', () => {
    const examples = responseExamples();
    expect(examples.length).toBeGreaterThan(10);
    for (const { name, exchange } of examples) {
      expect(committed.responseProblems(exchange), name).toEqual([]);
      expect(committed.responseProblems({ ...exchange, text: '[]' }), name).not.toEqual([]);
    }
  });

  it('passes every example of the outcomes the service sends, and fails each altered', () => {
    const sent = messageExamples().filter(({ message }) => message.body.includes('"specversion"'));
    expect(sent.length).toBeGreaterThan(10);
    for (const { name, message } of sent) {
      const payload = JSON.parse(message.body) as Record<string, unknown>;
      expect(committed.messageProblems(message), name).toEqual([]);
      expect(
        committed.messageProblems({
          ...message,
          body: JSON.stringify({ ...payload, time: 'now' }),
        }),
        name,
      ).not.toEqual([]);
      expect(
        committed.messageProblems({
          ...message,
          attributes: { ...message.attributes, channel: 'email' },
        }),
        name,
      ).not.toEqual([]);
    }
  });

  it('finds every outcome example in docs/schemas too, and no altered one', () => {
    const sent = messageExamples().filter(({ message }) => message.body.includes('"specversion"'));
    for (const { name, message } of sent) {
      const payload = JSON.parse(message.body) as Record<string, unknown>;
      expect(committed.standaloneProblems(payload), name).toEqual([]);
      expect(committed.standaloneProblems({ ...payload, specversion: '0.3' }), name).not.toEqual(
        [],
      );
    }
  });

  it('fails a 201 whose ARN is no string, and a status lookup answered with an undocumented status', () => {
    const created: HttpExchange = {
      method: 'POST',
      path: '/infrastructure-configurations',
      status: 201,
      headers: new Headers({ 'content-type': 'application/json', 'idempotency-key': 'k-1' }),
      text: JSON.stringify({
        requestId: 'r-1',
        clientToken: 'k-1',
        infrastructureConfigurationArn: 'arn:x',
      }),
    };
    expect(committed.responseProblems(created)).toEqual([]);
    expect(
      committed.responseProblems({
        ...created,
        text: JSON.stringify({
          requestId: 'r-1',
          clientToken: 'k-1',
          infrastructureConfigurationArn: 42,
        }),
      }),
    ).toEqual([expect.stringMatching(/infrastructureConfigurationArn must be string/)]);
    expect(
      committed.responseProblems({
        ...created,
        method: 'GET',
        path: '/requests/k-1?operation=CreateImageBuilder',
        status: 409,
      }),
    ).toEqual([expect.stringMatching(/documents no 409 answer/)]);
  });
});

describe('the shared helpers that receive answers', () => {
  /** Answers every request 201 with a body the document does not describe. */
  const undocumented = async (): Promise<{ endpoint: string; close(): Promise<void> }> => {
    const server = createServer((incoming, outgoing) => {
      incoming.resume();
      outgoing.writeHead(201, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify({ requestId: 42 }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return {
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((done) => server.close(() => done())),
    };
  };

  it('fail the test on an answer docs/openapi.json does not describe (Api, sendRaw, the generated client)', async () => {
    // Prepare
    const server = await undocumented();
    const request = { name: 'x', instanceProfileName: 'y' };

    try {
      // Act + Assess
      await expect(
        new Api(server.endpoint).createInfrastructure(request, 'token-1'),
      ).rejects.toThrow(/requestId must be string/);
      await expect(
        sendRaw(server.endpoint, 'POST', '/infrastructure-configurations', JSON.stringify(request)),
      ).rejects.toThrow(/requestId must be string/);
      await expect(
        generatedClient(server.endpoint).POST('/infrastructure-configurations', { body: request }),
      ).rejects.toThrow(/requestId must be string/);
    } finally {
      await server.close();
    }
  });
});
