import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  failedOutcomeExample,
  readinessEventExample,
  succeededOutcomeExample,
} from '../../../scripts/docs/examples.js';
import {
  type FieldError,
  OPERATION_NAMES,
  type Problem,
  requestInputs,
} from '../../../scripts/docs/shapes.js';
import { routeNotFound } from '../../../src/channels/httpResponse.js';
import type { Problem as ProblemDocument } from '../../../src/channels/problem.js';
import type { LedgerRecord } from '../../../src/ledger/record.js';
import { type OperationName, operations } from '../../../src/operations/index.js';
import type { OutcomeEvent, ReadinessEvent } from '../../../src/outcomes/outcome.js';
import { createSnsOutcomePublisher, fitForSns } from '../../../src/outcomes/snsOutcomePublisher.js';
import { createRequestLookup } from '../../../src/provisioning/lookup.js';
import {
  edgeValidRequests,
  invalidRequests,
  maximalRequests,
  validRequests,
} from '../../fixtures/requests.js';
import { fakeLedger } from '../../support/provisioningFakes.js';
import { component, createAjv, ROOT, readDocument, resolvable } from './support.js';

const ajv = createAjv();
const check = (schema: object, value: unknown): string[] => {
  const validator = ajv.compile(schema);
  return validator(value)
    ? []
    : (validator.errors ?? []).map(({ instancePath, message }) => `${instancePath} ${message}`);
};

/** Every `{schema, example(s)}` pair of a document, with where it is. */
const examplesOf = (node: unknown, at = ''): { at: string; schema: object; value: unknown }[] => {
  if (typeof node !== 'object' || node === null) return [];
  const found: { at: string; schema: object; value: unknown }[] = [];
  const record = node as Record<string, unknown>;
  if (typeof record.schema === 'object' && record.schema !== null) {
    if ('example' in record) found.push({ at, schema: record.schema, value: record.example });
    for (const [name, example] of Object.entries(record.examples ?? {})) {
      found.push({ at: `${at}/examples/${name}`, schema: record.schema, value: example.value });
    }
  }
  for (const [key, value] of Object.entries(record)) {
    if (key !== 'schema' && key !== 'examples') found.push(...examplesOf(value, `${at}/${key}`));
  }
  return found;
};

describe('request schemas: the documents and the service agree', () => {
  it('documents the very schemas the registry validates with', () => {
    for (const name of OPERATION_NAMES) expect(requestInputs[name]).toBe(operations[name].schema);
  });

  const cases = (name: OperationName) => [
    ...[
      validRequests[name],
      maximalRequests[name],
      ...edgeValidRequests[name].map((c) => c.request),
    ].map((request) => ({ request, valid: true })),
    ...invalidRequests[name].map(({ request }) => ({ request, valid: false })),
  ];

  it.each(OPERATION_NAMES)('%s: every fixture is accepted by both or rejected by both', (name) => {
    // Prepare
    const validate = ajv.compile(component(`${name}Request`));

    // Act
    const verdicts = cases(name).map(({ request, valid }) => ({
      valid,
      zod: operations[name].schema.safeParse(structuredClone(request)).success,
      jsonSchema: validate(structuredClone(request)),
      request,
    }));

    // Assess
    expect(verdicts.length).toBeGreaterThan(10);
    expect(
      verdicts.filter(({ valid, zod, jsonSchema }) => zod !== valid || jsonSchema !== valid),
    ).toEqual([]);
  });

  it('the HTTP body of a PUT may leave out the ARN the path carries', () => {
    const { infrastructureConfigurationArn: _arn, ...body } =
      validRequests.UpdateInfrastructureConfiguration;
    expect(check(component('UpdateInfrastructureConfigurationBody'), body)).toEqual([]);
    expect(check(component('UpdateInfrastructureConfigurationRequest'), body)).not.toEqual([]);
  });
});

describe('examples pass their schemas', () => {
  it('docs/openapi.json: every media type and parameter example', () => {
    // Prepare
    const examples = examplesOf(readDocument('docs/openapi.json'));

    // Assess
    expect(examples.length).toBeGreaterThan(10);
    for (const { at, schema, value } of examples)
      expect(check(resolvable(schema), value), at).toEqual([]);
  });

  it('docs/asyncapi.json: every message example, payload and SNS attributes', () => {
    // Prepare
    const { messages } = readDocument('docs/asyncapi.json').components as {
      messages: Record<
        string,
        { payload: object; headers?: object; examples: { payload: unknown; headers?: unknown }[] }
      >;
    };

    // Assess
    // A request, a success and a failure per operation, the Unknown failure, 5 follow-through events.
    expect(Object.keys(messages)).toHaveLength(51);
    for (const [name, message] of Object.entries(messages)) {
      expect(message.examples.length, name).toBeGreaterThan(0);
      for (const example of message.examples) {
        expect(check(resolvable(message.payload), example.payload), name).toEqual([]);
        if (message.headers) expect(check(message.headers, example.headers), name).toEqual([]);
      }
    }
  });

  it('every sample queue message of events/sqs passes docs/schemas/request-message.json', () => {
    // Prepare
    const validate = createAjv().compile(readDocument('docs/schemas/request-message.json'));
    const files = [
      'batch.json',
      // One sample per operation: a missing one fails the read.
      ...OPERATION_NAMES.map(
        (name) => `${name.replace(/(?<=[a-z])(?=[A-Z])/g, '-').toLowerCase()}.json`,
      ),
    ];
    const bodies = files.flatMap((file) =>
      JSON.parse(readFileSync(join(ROOT, 'events', 'sqs', file), 'utf8')).Records.map(
        (record: { body: string }) => JSON.parse(record.body),
      ),
    );

    // Assess
    // The batch's three creates, and one message per operation.
    expect(bodies).toHaveLength(3 + OPERATION_NAMES.length);
    for (const body of bodies) expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...bodies[0], priority: 'high' })).toBe(false);
    expect(validate({ ...bodies[0], operation: 'DeleteEverything' })).toBe(false);
  });
});

describe('what the service builds matches the documents', () => {
  const sns = mockClient(SNSClient);
  afterEach(() => sns.reset());

  it('the zod shapes have the types of what the code builds', () => {
    expectTypeOf<z.output<typeof Problem>>().toEqualTypeOf<ProblemDocument>();
    expectTypeOf<z.output<typeof FieldError>>().toEqualTypeOf<{ path: string; message: string }>();
  });

  it('a problem the function answers for an unknown route', () => {
    expect(check(component('Problem'), JSON.parse(String(routeNotFound('req-1').body)))).toEqual(
      [],
    );
  });

  it('an outcome or event too large for SNS, as it travels', () => {
    // Prepare
    const outcome: OutcomeEvent = succeededOutcomeExample('CreateImageBuilder');
    const huge = {
      ...outcome,
      data: { ...outcome.data, response: { ImageBuilder: { Name: 'x'.repeat(300_000) } } },
    };
    const readiness: ReadinessEvent = readinessEventExample('ImageBuilderReady', 'id-1');
    const hugeReadiness = {
      ...readiness,
      data: { ...readiness.data, resource: { Name: 'x'.repeat(300_000) } },
    };

    // Act
    const travelled = JSON.parse(fitForSns(huge));
    const travelledReadiness = JSON.parse(fitForSns(hugeReadiness));

    // Assess
    expect(travelled.data.responseLocation).toBeDefined();
    expect(check(component('ProvisioningOutcome'), travelled)).toEqual([]);
    expect(check(component('ImageBuilderReadyEvent'), travelledReadiness)).toEqual([]);
  });

  it('the SNS message attributes of every event match the message headers of docs/asyncapi.json', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({});
    const publisher = createSnsOutcomePublisher({
      sns: new SNSClient({}),
      topicArn: 'arn:aws:sns:us-east-1:123456789012:outcomes',
    });
    const { messages } = readDocument('docs/asyncapi.json').components as {
      messages: Record<string, { headers: object }>;
    };
    const events = {
      ...Object.fromEntries(
        OPERATION_NAMES.map((name) => [`${name}Succeeded`, succeededOutcomeExample(name)]),
      ),
      ...Object.fromEntries(
        [...OPERATION_NAMES, 'Unknown' as const].map((name) => [
          `${name}Failed`,
          failedOutcomeExample(name),
        ]),
      ),
      ImageBuilderReady: readinessEventExample('ImageBuilderReady', 'id-1'),
      ImageBuilderFailed: readinessEventExample('ImageBuilderFailed', 'id-2'),
      ImageBuilderWaitTimedOut: readinessEventExample('ImageBuilderWaitTimedOut', 'id-3'),
      ImageBuilderStopped: readinessEventExample('ImageBuilderStopped', 'id-4', 'StopImageBuilder'),
      ImageBuilderDeleted: readinessEventExample(
        'ImageBuilderDeleted',
        'id-5',
        'DeleteImageBuilder',
      ),
    };

    // Act
    for (const event of Object.values(events)) await publisher.publish(event);

    // Assess
    const published = sns
      .commandCalls(PublishCommand)
      .map(({ args: [command] }) =>
        Object.fromEntries(
          Object.entries(command.input.MessageAttributes ?? {}).map(([key, { StringValue }]) => [
            key,
            StringValue,
          ]),
        ),
      );
    expect(published).toHaveLength(Object.keys(messages).length - OPERATION_NAMES.length);
    Object.keys(events).forEach((name, index) => {
      const headers = messages[name]?.headers;
      expect(headers, name).toBeDefined();
      expect(check(headers ?? {}, published[index]), name).toEqual([]);
    });
  });

  it('the status lookup of a followed request matches RequestStatus', async () => {
    // Prepare
    const record: LedgerRecord = {
      operation: 'CreateImageBuilder',
      clientToken: 'portal-req-0002',
      correlationId: 'portal-ticket-4712',
      requestedBy: 'AIDAEXAMPLE',
      channel: 'sqs',
      status: 'SUCCEEDED',
      createdAt: '2026-11-21T10:00:00.000Z',
      updatedAt: '2026-11-21T10:01:00.000Z',
      response: { ImageBuilder: { Name: 'design-team-builder', State: 'PENDING' } },
      outcomes: [{ id: 'a', status: 'SUCCEEDED', time: '2026-11-21T10:00:00.000Z' }],
      watch: {
        name: 'design-team-builder',
        state: 'WATCHING',
        startedAt: '2026-11-21T10:00:00.000Z',
        deadline: '2026-11-21T11:00:00.000Z',
        checks: 1,
        nextCheckAt: '2026-11-21T10:03:00.000Z',
        lastSeenState: 'PENDING',
        lastSeenAt: '2026-11-21T10:01:00.000Z',
      },
      expiresAt: 1_800_000_000,
    };
    const failed: LedgerRecord = {
      ...record,
      status: 'FAILED',
      response: undefined,
      watch: undefined,
      error: {
        code: 'ValidationException',
        status: 400,
        title: 'Invalid request',
        detail: 'x',
        retryable: false,
        errors: [{ path: '/Name', message: 'is required' }],
      },
    };
    const lookup = (found: LedgerRecord) =>
      createRequestLookup({ ...fakeLedger(), find: async () => found }).find(
        'CreateImageBuilder',
        'portal-req-0002',
      );

    // Act
    const results = [await lookup(record), await lookup(failed)];

    // Assess
    for (const result of results) {
      expect(result.found).toBe(true);
      if (result.found) expect(check(component('RequestStatus'), result.request)).toEqual([]);
    }
  });
});
