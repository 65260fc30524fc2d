import { describe, expect, it } from 'vitest';
import { DEFAULT_WATCH_TIMING, endWatch, startWatch } from '../../../src/ledger/watch.js';
import { createRequestLookup } from '../../../src/provisioning/lookup.js';
import { fakeLedger } from '../../support/provisioningFakes.js';

const entry = {
  operation: 'CreateImageBuilder',
  clientToken: 'lookup-1',
  channel: 'sqs' as const,
  correlationId: 'ticket-1',
  requestedBy: 'AIDAEXAMPLE',
};

describe('the status lookup', () => {
  it('answers a succeeded request with its response and the outcomes committed', async () => {
    // Prepare
    const ledger = fakeLedger();
    await ledger.begin(entry);
    await ledger.settle(entry, {
      status: 'SUCCEEDED',
      response: { ImageBuilder: { Name: 'b' } },
      outcome: { id: 'outcome-1', status: 'SUCCEEDED', time: '2026-11-29T10:00:00.000Z' },
    });

    // Act
    const result = await createRequestLookup(ledger).find('CreateImageBuilder', 'lookup-1');

    // Assess
    expect(result).toEqual({
      found: true,
      request: {
        operation: 'CreateImageBuilder',
        clientToken: 'lookup-1',
        status: 'SUCCEEDED',
        correlationId: 'ticket-1',
        requestedBy: 'AIDAEXAMPLE',
        channel: 'sqs',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        response: { ImageBuilder: { Name: 'b' } },
        outcomeIds: ['outcome-1'],
      },
    });
  });

  it('answers a request in progress without response or error', async () => {
    const ledger = fakeLedger();
    await ledger.begin(entry);

    const result = await createRequestLookup(ledger).find('CreateImageBuilder', 'lookup-1');

    expect(result).toMatchObject({
      found: true,
      request: { status: 'IN_PROGRESS', outcomeIds: [] },
    });
    expect(result.found && 'response' in result.request).toBe(false);
  });

  it('answers a failed request with what the caller was answered', async () => {
    const ledger = fakeLedger();
    const error = {
      code: 'ValidationException',
      status: 400,
      title: 'Invalid request',
      detail: 'The request has 1 invalid field.',
      retryable: false,
    };
    await ledger.settle(entry, { status: 'FAILED', error });

    const result = await createRequestLookup(ledger).find('CreateImageBuilder', 'lookup-1');

    expect(result).toMatchObject({ found: true, request: { status: 'FAILED', error } });
  });

  it('finds nothing for an unknown token, and for a token of another operation', async () => {
    const ledger = fakeLedger();
    await ledger.begin(entry);
    const lookup = createRequestLookup(ledger);

    expect(await lookup.find('CreateImageBuilder', 'other')).toEqual({ found: false });
    expect(await lookup.find('CreateInfrastructureConfiguration', 'lookup-1')).toEqual({
      found: false,
    });
  });

  it.each([
    ['a missing operation', undefined, 'lookup-1', 'the operation query parameter is required'],
    [
      'an unknown operation',
      'DeleteEverything',
      'lookup-1',
      'the operation query parameter must be one of',
    ],
    ['the fixed name of unreadable messages', 'Unknown', 'lookup-1', 'must be one of'],
    [
      'a token that cannot be one',
      'CreateImageBuilder',
      't-ключ',
      'the clientToken must contain only',
    ],
  ])('refuses %s with a 400 and reads nothing', async (_, operation, token, message) => {
    const ledger = fakeLedger();

    const result = await createRequestLookup(ledger).find(operation, token);

    expect(result.found).toBe(false);
    expect(result.found ? undefined : result.error).toMatchObject({
      code: 'ValidationException',
      status: 400,
      errors: [{ path: '', message: expect.stringContaining(message) }],
    });
    expect(ledger.attempts('find')).toBe(0);
  });

  it('answers 503 when the ledger cannot be read', async () => {
    const ledger = fakeLedger();
    ledger.find = async () => {
      throw new Error('ECONNRESET');
    };

    const result = await createRequestLookup(ledger).find('CreateImageBuilder', 'lookup-1');

    expect(result.found ? undefined : result.error).toMatchObject({
      code: 'ServiceUnavailableException',
      status: 503,
      retryable: true,
    });
  });
});

describe('the status lookup: readiness', () => {
  const T0 = new Date('2026-11-21T10:00:00.000Z');
  const target = {
    name: 'b',
    arn: 'arn:aws:appstream:us-east-1:123456789012:image-builder/b',
  };

  it('shows the watch of a followed builder as its readiness', async () => {
    // Prepare
    const ledger = fakeLedger();
    const watch = startWatch(target, DEFAULT_WATCH_TIMING, T0);
    await ledger.settle(entry, {
      status: 'SUCCEEDED',
      response: { ImageBuilder: { Name: 'b', State: 'PENDING' } },
      watch,
    });

    // Act
    const result = await createRequestLookup(ledger).find('CreateImageBuilder', 'lookup-1');

    // Assess
    expect(result).toMatchObject({ found: true, request: { status: 'SUCCEEDED' } });
    expect(result.found && result.request.readiness).toStrictEqual({
      name: 'b',
      arn: target.arn,
      state: 'WATCHING',
      startedAt: T0.toISOString(),
      deadline: '2026-11-21T11:00:00.000Z',
      checks: 0,
      nextCheckAt: '2026-11-21T10:01:00.000Z',
    });
  });

  it('shows a watch that ended READY with when the builder was seen ready', async () => {
    // Prepare
    const ledger = fakeLedger();
    const watch = startWatch(target, DEFAULT_WATCH_TIMING, T0);
    await ledger.settle(entry, { status: 'SUCCEEDED', response: {}, watch });
    const readyAt = new Date('2026-11-21T10:07:00.000Z');
    await ledger.advanceWatch(
      entry,
      0,
      endWatch(watch, 'READY', { state: 'RUNNING', at: readyAt }, readyAt),
    );

    // Act
    const result = await createRequestLookup(ledger).find('CreateImageBuilder', 'lookup-1');

    // Assess
    expect(result.found && result.request.readiness).toMatchObject({
      state: 'READY',
      lastSeenState: 'RUNNING',
      readyAt: readyAt.toISOString(),
      endedAt: readyAt.toISOString(),
    });
  });

  it('shows no readiness for a request that follows nothing through', async () => {
    // Prepare
    const ledger = fakeLedger();
    await ledger.settle(entry, { status: 'SUCCEEDED', response: {} });

    // Act
    const result = await createRequestLookup(ledger).find('CreateImageBuilder', 'lookup-1');

    // Assess
    expect(result.found).toBe(true);
    expect(result.found && 'readiness' in result.request).toBe(false);
  });
});
