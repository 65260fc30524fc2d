import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { toProvisioningRequest } from '../../../src/channels/queueMessage.js';
import { validRequests } from '../../fixtures/requests.js';
import { resolvePointer } from '../../support/jsonPointer.js';
import { sqsRecord } from '../../support/lambda.js';

const builder = validRequests.CreateImageBuilder;
const MAX_REQUEST_BYTES = 262_144;
const MAX_RECEIVE_COUNT = 5;

/** Reads `record` the way the queue handler does. */
const read = (
  record: SQSRecord,
  {
    maxRequestBytes = MAX_REQUEST_BYTES,
    queueMaxReceiveCount = MAX_RECEIVE_COUNT,
    remainingTimeMs = 25_000,
  } = {},
) => toProvisioningRequest(record, { maxRequestBytes, queueMaxReceiveCount }, remainingTimeMs);

const envelope = (members: Record<string, unknown> = {}) => ({
  operation: 'CreateImageBuilder',
  request: builder,
  ...members,
});

describe('toProvisioningRequest (SQS): the envelope', () => {
  it('hands over operation, request, clientToken and correlationId from their members', () => {
    // Prepare
    const record = sqsRecord(
      envelope({ clientToken: 'portal-req-0002', correlationId: 'portal-ticket-4712' }),
    );

    // Act
    const request = read(record);

    // Assess
    expect(request.operation).toBe('CreateImageBuilder');
    expect(request.input).toEqual(builder);
    expect(request.inputPointer).toBe('/request');
    expect(request.clientToken).toEqual({
      value: 'portal-req-0002',
      label: 'the message clientToken',
      path: '/clientToken',
    });
    expect(request.correlationId).toBe('portal-ticket-4712');
    expect(request.errors).toEqual([]);
    expect(request).not.toHaveProperty('rejection');
  });

  it('leaves the token and the correlation id out when the message has none', () => {
    // Prepare
    const record = sqsRecord(envelope());

    // Act
    const request = read(record);

    // Assess
    expect(request).not.toHaveProperty('clientToken');
    expect(request).not.toHaveProperty('correlationId');
  });

  it('offers a clientToken that is no string as it is, for admission to refuse', () => {
    // Prepare
    const record = sqsRecord(envelope({ clientToken: 42 }));

    // Act
    const request = read(record);

    // Assess
    expect(request.clientToken?.value).toBe(42);
  });

  it('hands over no operation when the sender named none of ours, naming it in the error', () => {
    // Prepare
    const record = sqsRecord({ operation: 'DeleteEverything', request: {} });

    // Act
    const request = read(record);

    // Assess
    expect(request.operation).toBeUndefined();
    expect(request.errors).toEqual([
      {
        path: '/operation',
        message:
          'must be one of: CreateInfrastructureConfiguration, UpdateInfrastructureConfiguration, ' +
          'GetInfrastructureConfiguration, ListInfrastructureConfigurations, ' +
          'DeleteInfrastructureConfiguration, CreateDistributionConfiguration, ' +
          'ListDistributionConfigurations, GetDistributionConfiguration, ' +
          'UpdateDistributionConfiguration, DeleteDistributionConfiguration, CreateImageBuilder, ' +
          'DescribeImageBuilders, StopImageBuilder, StartImageBuilder, DeleteImageBuilder ' +
          '(got "DeleteEverything")',
      },
    ]);
  });

  it.each([
    ['a 200 KB name, cut to 64 characters', 'x'.repeat(200_000), `"${'x'.repeat(64)}"…`],
    ['a lone surrogate, escaped', '\ud800', '"\\ud800"'],
    ['quotes and a line break, escaped', 'a"b\nc', '"a\\"b\\nc"'],
    ['an ANSI escape, escaped', '\u001b[31mred', '"\\u001b[31mred"'],
    ['a C1 control, escaped', 'a\u009bb', '"a\\u009bb"'],
    ['a number', 7, '7'],
    ['an object', { name: 'CreateImageBuilder' }, 'an object'],
    ['a known name in the wrong case', 'createimagebuilder', '"createimagebuilder"'],
  ])('names an unknown operation (%s) bounded and escaped', (_, operation, shown) => {
    // Prepare
    const record = sqsRecord(envelope({ operation }));

    // Act
    const request = read(record);

    // Assess
    expect(request.operation).toBeUndefined();
    expect(request.errors).toHaveLength(1);
    expect(request.errors?.[0]?.path).toBe('/operation');
    expect(request.errors?.[0]?.message.endsWith(`(got ${shown})`)).toBe(true);
  });

  it('reports a missing operation at /operation, naming nothing', () => {
    // Prepare
    const record = sqsRecord({ request: builder });

    // Act
    const request = read(record);

    // Assess
    expect(request.operation).toBeUndefined();
    expect(request.errors).toEqual([
      { path: '/operation', message: expect.stringMatching(/^must be one of: [^(]+$/) },
    ]);
  });

  it('keeps the pointer of a long unknown member whole, and reports at most 20 members, then a count', () => {
    // Prepare
    const members = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`extra-${i}`, i]));
    const longKey = `k/${'~'.repeat(300)}`;
    const long = sqsRecord(envelope({ [longKey]: 1 }));
    const many = sqsRecord(envelope(members));

    // Act
    const longRequest = read(long);
    const manyRequest = read(many);

    // Assess
    expect(longRequest.errors).toEqual([
      { path: `/k~1${'~0'.repeat(300)}`, message: 'unknown field' },
    ]);
    expect(resolvePointer(JSON.parse(long.body), longRequest.errors?.[0]?.path ?? '')).toBe(1);
    expect(manyRequest.errors).toHaveLength(21);
    expect(manyRequest.errors?.[20]).toEqual({
      path: '',
      message: '10 more unknown field(s) not shown',
    });
  });

  it('counts an unknown member whose pointer alone is beyond the size of a list of errors, and lists the others', () => {
    // Prepare
    const record = sqsRecord(envelope({ ['k'.repeat(250_000)]: 1, priority: 'high' }));

    // Act
    const request = read(record);

    // Assess
    expect(request.errors).toEqual([
      { path: '/priority', message: 'unknown field' },
      { path: '', message: '1 more unknown field(s) not shown' },
    ]);
  });

  it('reports each unknown envelope member at its own escaped JSON Pointer', () => {
    // Prepare
    const record = sqsRecord(envelope({ 'a/b': 1, 'c~d': 2, priority: 'high' }));

    // Act
    const request = read(record);

    // Assess
    expect(request.errors).toEqual([
      { path: '/a~1b', message: 'unknown field' },
      { path: '/c~0d', message: 'unknown field' },
      { path: '/priority', message: 'unknown field' },
    ]);
    expect(request.operation).toBe('CreateImageBuilder');
  });

  it.each([
    ['empty', ''],
    ['257 characters', 'c'.repeat(257)],
    ['a number', 4712],
    ['with a tab', 'ticket\t1'],
  ])('reports a correlationId (%s) at /correlationId, and drops it', (_, correlationId) => {
    // Prepare
    const record = sqsRecord(envelope({ correlationId }));

    // Act
    const request = read(record);

    // Assess
    expect(request).not.toHaveProperty('correlationId');
    expect(request.errors).toEqual([
      { path: '/correlationId', message: 'must be 1 to 256 printable ASCII characters' },
    ]);
  });
});

describe('toProvisioningRequest (SQS): messages that cannot be read', () => {
  it('reports a body that is not JSON at the root, with no operation or request', () => {
    // Prepare
    const record = sqsRecord('{"operation": "CreateImageBuilder"');

    // Act
    const request = read(record);

    // Assess
    expect(request.operation).toBeUndefined();
    expect(request.input).toBeUndefined();
    expect(request).not.toHaveProperty('clientToken');
    expect(request.errors).toEqual([{ path: '', message: 'must be valid JSON' }]);
    expect(request.inputUnreadable).toBe(true);
  });

  it('reports an envelope that is not JSON once, however fine the request inside it', () => {
    // Prepare
    const record = sqsRecord(
      `{"operation": "CreateImageBuilder", "request": ${JSON.stringify(builder)},`,
    );

    // Act
    const request = read(record);

    // Assess
    expect(request.errors).toEqual([{ path: '', message: 'must be valid JSON' }]);
    expect(request.inputUnreadable).toBe(true);
  });

  it.each([
    ['an array', '[{"operation":"CreateImageBuilder"}]'],
    ['a string', '"CreateImageBuilder"'],
    ['a number', '42'],
    ['null', 'null'],
  ])('reports JSON that is %s as no object', (_, body) => {
    // Prepare
    const record = sqsRecord(body);

    // Act
    const request = read(record);

    // Assess
    expect(request.operation).toBeUndefined();
    expect(request.input).toBeUndefined();
    expect(request.errors).toEqual([{ path: '', message: 'must be a JSON object' }]);
  });

  it('rejects a message above maxRequestBytes with 413, before parsing it', () => {
    // Prepare
    const record = sqsRecord(`{not json${' '.repeat(100)}`);

    // Act
    const request = read(record, { maxRequestBytes: 100 });

    // Assess
    expect(request.rejection).toMatchObject({
      code: 'RequestTooLargeException',
      status: 413,
      retryable: false,
    });
    expect(request.operation).toBeUndefined();
    expect(request.input).toBeUndefined();
    expect(request.errors ?? []).toEqual([]);
  });

  it('measures the message in bytes, not characters', () => {
    // Prepare
    const body = JSON.stringify(envelope({ correlationId: 'x' }));
    const withAccents = body.replace('"x"', '"é"');

    // Act
    const atTheLimit = read(sqsRecord(body), { maxRequestBytes: Buffer.byteLength(body) });
    const aboveIt = read(sqsRecord(withAccents), { maxRequestBytes: Buffer.byteLength(body) });

    // Assess
    expect(withAccents).toHaveLength(body.length);
    expect(atTheLimit).not.toHaveProperty('rejection');
    expect(aboveIt.rejection?.code).toBe('RequestTooLargeException');
  });
});

describe('toProvisioningRequest (SQS): the receive', () => {
  it.each([
    [1, false],
    [MAX_RECEIVE_COUNT - 1, false],
    [MAX_RECEIVE_COUNT, true],
    [MAX_RECEIVE_COUNT + 1, true],
  ])(`on receive %i of ${MAX_RECEIVE_COUNT}, finalAttempt is %s`, (receiveCount, finalAttempt) => {
    // Prepare
    const record = sqsRecord(envelope(), { receiveCount });

    // Act
    const request = read(record, { queueMaxReceiveCount: MAX_RECEIVE_COUNT });

    // Assess
    expect(request.finalAttempt).toBe(finalAttempt);
  });

  it('makes the first receive the final one on a queue that delivers once', () => {
    // Prepare
    const record = sqsRecord(envelope(), { receiveCount: 1 });

    // Act
    const request = read(record, { queueMaxReceiveCount: 1 });

    // Assess
    expect(request.finalAttempt).toBe(true);
  });

  it('counts a record without ApproximateReceiveCount as its first receive', () => {
    // Prepare
    const record = sqsRecord(envelope(), { receiveCount: MAX_RECEIVE_COUNT });
    Reflect.deleteProperty(record.attributes, 'ApproximateReceiveCount');

    // Act
    const onFirst = read(record, { queueMaxReceiveCount: 2 });
    const onOnly = read(record, { queueMaxReceiveCount: 1 });

    // Assess
    expect(onFirst.finalAttempt).toBe(false);
    expect(onOnly.finalAttempt).toBe(true);
  });

  it('names the sender from SenderId', () => {
    // Prepare
    const record = sqsRecord(envelope());
    record.attributes.SenderId = 'AROAEXAMPLE:portal-session';

    // Act
    const request = read(record);

    // Assess
    expect(request.requestedBy).toBe('AROAEXAMPLE:portal-session');
  });

  it('names nobody when the record has no SenderId', () => {
    // Prepare
    const record = sqsRecord(envelope());
    Reflect.deleteProperty(record.attributes, 'SenderId');

    // Act
    const request = read(record);

    // Assess
    expect(request).not.toHaveProperty('requestedBy');
  });

  it('falls back to the message id as the token, even for a message it cannot read', () => {
    // Prepare
    const record = sqsRecord('not json', { messageId: '059f36b4-87a3-44ab-83d2-661975830a7d' });

    // Act
    const request = read(record);

    // Assess
    expect(request.fallbackToken()).toBe('059f36b4-87a3-44ab-83d2-661975830a7d');
  });

  it('tells the pipeline nobody waits for an answer: rejections announced, reads once per token', () => {
    // Prepare
    const record = sqsRecord(envelope());

    // Act
    const request = read(record, { remainingTimeMs: 12_345 });

    // Assess
    expect(request).toMatchObject({
      channel: 'sqs',
      announcesRejections: true,
      idempotentReads: true,
      remainingTimeMs: 12_345,
    });
  });
});
