import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  builderHelpers,
  clearBuilderFates,
  deleteBuilderFate,
  listBuilderFates,
  putBuilderFate,
  resetState,
  uniqueName,
  useEmulator,
} from './support.js';

const READY_DELAY_MS = 100;
const emulator = useEmulator({ appstreamReadyDelayMs: READY_DELAY_MS });

const { describeBuilder, createBuilder, watchUntil } = builderHelpers(emulator);

describe('image builder fates: FAILED', () => {
  it('reports FAILED with the given errors and state change reason', async () => {
    // Prepare
    const name = uniqueName('fails');
    const errors = [
      { ErrorCode: 'IAM_SERVICE_ROLE_IS_MISSING', ErrorMessage: 'The service role is missing.' },
      { ErrorCode: 'SUBNET_NOT_FOUND', ErrorMessage: 'subnet-1 was not found.' },
    ];
    const stateChangeReason = { Code: 'INTERNAL_ERROR', Message: 'Builder could not start.' };
    await putBuilderFate(emulator.endpoint, name, { fate: 'FAILED', errors, stateChangeReason });
    const before = Date.now();

    // Act
    await createBuilder(name);
    const builder = await describeBuilder(name);

    // Assess
    expect(builder.State).toBe('FAILED');
    expect(builder.StateChangeReason).toEqual(stateChangeReason);
    expect(
      builder.ImageBuilderErrors?.map(({ ErrorCode, ErrorMessage }) => ({
        ErrorCode,
        ErrorMessage,
      })),
    ).toEqual(errors);
    for (const error of builder.ImageBuilderErrors ?? []) {
      expect(error.ErrorTimestamp).toBeInstanceOf(Date);
      expect(error.ErrorTimestamp?.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(error.ErrorTimestamp?.getTime()).toBeLessThanOrEqual(Date.now());
    }
  });

  it('keeps an ErrorTimestamp given in epoch seconds', async () => {
    // Prepare
    const name = uniqueName('fails-at');
    const errors = [
      { ErrorCode: 'IMAGE_NOT_FOUND', ErrorMessage: 'gone', ErrorTimestamp: 1_700_000_000 },
    ];
    await putBuilderFate(emulator.endpoint, name, { fate: 'FAILED', errors });
    await createBuilder(name);

    // Act
    const builder = await describeBuilder(name);

    // Assess
    expect(builder.ImageBuilderErrors?.[0]?.ErrorTimestamp).toEqual(new Date(1_700_000_000_000));
  });

  it('fills in an INTERNAL_ERROR reason and an INTERNAL_SERVICE_ERROR error when none are given', async () => {
    // Prepare
    const name = uniqueName('fails-default');

    // Act
    const stored = await putBuilderFate(emulator.endpoint, name, { fate: 'FAILED' });
    await createBuilder(name);
    const builder = await describeBuilder(name);

    // Assess
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ name, fate: 'FAILED', afterMs: 0 });
    expect(builder.State).toBe('FAILED');
    expect(builder.StateChangeReason).toEqual({
      Code: 'INTERNAL_ERROR',
      Message: 'The image builder could not be started.',
    });
    expect(builder.ImageBuilderErrors).toEqual([
      {
        ErrorCode: 'INTERNAL_SERVICE_ERROR',
        ErrorMessage:
          'The image builder could not be started because of an internal service error.',
        ErrorTimestamp: expect.any(Date),
      },
    ]);
  });

  it('defaults to an IMAGE_NOT_FOUND error for an IMAGE_UNAVAILABLE reason', async () => {
    // Prepare
    const name = uniqueName('fails-image');
    await putBuilderFate(emulator.endpoint, name, {
      fate: 'FAILED',
      stateChangeReason: { Code: 'IMAGE_UNAVAILABLE' },
    });
    await createBuilder(name);

    // Act
    const builder = await describeBuilder(name);

    // Assess
    expect(builder.StateChangeReason).toEqual({ Code: 'IMAGE_UNAVAILABLE' });
    expect(builder.ImageBuilderErrors?.map((error) => error.ErrorCode)).toEqual([
      'IMAGE_NOT_FOUND',
    ]);
  });

  it('reports no ImageBuilderErrors for an empty errors list', async () => {
    // Prepare
    const name = uniqueName('fails-bare');
    await putBuilderFate(emulator.endpoint, name, { fate: 'FAILED', errors: [] });
    await createBuilder(name);

    // Act
    const builder = await describeBuilder(name);

    // Assess
    expect(builder.State).toBe('FAILED');
    expect(builder.ImageBuilderErrors).toBeUndefined();
  });

  it('stays PENDING, never RUNNING, until afterMs has passed, then reports FAILED', async () => {
    // Prepare
    const name = uniqueName('fails-later');
    await putBuilderFate(emulator.endpoint, name, { fate: 'FAILED', afterMs: 800 });
    const started = Date.now();
    await createBuilder(name);

    // Act
    const { builder, seen } = await watchUntil(name, 'FAILED');

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(seen[0]).toBe('PENDING');
    expect(new Set(seen)).toEqual(new Set(['PENDING', 'FAILED']));
    expect(builder.StateChangeReason?.Code).toBe('INTERNAL_ERROR');
  });

  it('turns an existing RUNNING builder FAILED afterMs after the control call', async () => {
    // Prepare
    const name = uniqueName('fails-running');
    await createBuilder(name);
    await watchUntil(name, 'RUNNING');
    const set = Date.now();

    // Act
    await putBuilderFate(emulator.endpoint, name, { fate: 'FAILED', afterMs: 800 });
    const { seen } = await watchUntil(name, 'FAILED');

    // Assess
    expect(Date.now() - set).toBeGreaterThanOrEqual(800);
    expect(seen[0]).toBe('RUNNING');
    expect(new Set(seen)).toEqual(new Set(['RUNNING', 'FAILED']));
  });
});

describe('image builder fates: PENDING and RUNNING', () => {
  it('keeps a builder with the PENDING fate PENDING long after the default delay', async () => {
    // Prepare
    const name = uniqueName('stuck');
    await putBuilderFate(emulator.endpoint, name, { fate: 'PENDING' });
    await createBuilder(name);
    const seen: string[] = [];

    // Act
    for (let round = 0; round < 8; round += 1) {
      await sleep(READY_DELAY_MS);
      seen.push((await describeBuilder(name)).State ?? 'NONE');
    }

    // Assess
    expect(seen).toEqual(Array(8).fill('PENDING'));
  });

  it('turns RUNNING after the fate afterMs instead of the default delay', async () => {
    // Prepare
    const name = uniqueName('slow');
    await putBuilderFate(emulator.endpoint, name, { fate: 'RUNNING', afterMs: 1_200 });
    const started = Date.now();
    await createBuilder(name);
    await sleep(3 * READY_DELAY_MS);

    // Act
    const early = await describeBuilder(name);
    const { builder } = await watchUntil(name, 'RUNNING');

    // Assess
    expect(early.State).toBe('PENDING');
    expect(builder.State).toBe('RUNNING');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_200);
  });

  it('turns RUNNING at once with afterMs 0, before the default delay', async () => {
    // Prepare
    const name = uniqueName('fast');
    await putBuilderFate(emulator.endpoint, name, { fate: 'RUNNING', afterMs: 0 });
    await createBuilder(name);

    // Act
    const builder = await describeBuilder(name);

    // Assess
    expect(builder.State).toBe('RUNNING');
  });
});

describe('image builder fates: control routes', () => {
  it('lists the fates set, the latest per name, with their members and setAt', async () => {
    // Prepare
    const name = uniqueName('listed');
    await putBuilderFate(emulator.endpoint, name, { fate: 'PENDING' });

    // Act
    await putBuilderFate(emulator.endpoint, name, { fate: 'RUNNING', afterMs: 50 });
    const listed = await listBuilderFates(emulator.endpoint);

    // Assess
    expect(listed).toEqual({
      status: 200,
      body: { fates: [{ name, fate: 'RUNNING', afterMs: 50, setAt: expect.any(String) }] },
    });
  });

  it('DELETE /_emulator/image-builders/{name} gives the builder the default delay back', async () => {
    // Prepare
    const name = uniqueName('released');
    await putBuilderFate(emulator.endpoint, name, { fate: 'PENDING' });
    await createBuilder(name);
    await sleep(2 * READY_DELAY_MS);

    // Act
    const response = await deleteBuilderFate(emulator.endpoint, name);
    const builder = await describeBuilder(name);

    // Assess
    expect(response.status).toBe(204);
    expect(builder.State).toBe('RUNNING');
  });

  it('DELETE /_emulator/image-builders forgets every fate', async () => {
    // Prepare
    await putBuilderFate(emulator.endpoint, uniqueName('a'), { fate: 'PENDING' });
    await putBuilderFate(emulator.endpoint, uniqueName('b'), { fate: 'FAILED' });

    // Act
    const response = await clearBuilderFates(emulator.endpoint);
    const listed = await listBuilderFates(emulator.endpoint);

    // Assess
    expect(response.status).toBe(204);
    expect(listed.body).toEqual({ fates: [] });
  });

  it('DELETE /_emulator/state forgets the fates with the resources', async () => {
    // Prepare
    const name = uniqueName('reset');
    await putBuilderFate(emulator.endpoint, name, { fate: 'PENDING' });

    // Act
    const response = await resetState(emulator.endpoint);
    const listed = await listBuilderFates(emulator.endpoint);
    await createBuilder(name);
    const { builder } = await watchUntil(name, 'RUNNING');

    // Assess
    expect(response.status).toBe(204);
    expect(listed.body).toEqual({ fates: [] });
    expect(builder.State).toBe('RUNNING');
  });

  it.each([
    ['a body that is not an object', [], 'the fate must be a JSON object'],
    ['an unknown fate', { fate: 'STOPPED' }, "'fate' must be 'FAILED', 'PENDING' or 'RUNNING'"],
    [
      'afterMs on a PENDING fate',
      { fate: 'PENDING', afterMs: 5 },
      "'afterMs' is not allowed here (allowed: fate) for fate PENDING",
    ],
    [
      'errors on a RUNNING fate',
      { fate: 'RUNNING', errors: [] },
      "'errors' is not allowed here (allowed: fate, afterMs) for fate RUNNING",
    ],
    [
      'a negative afterMs',
      { fate: 'RUNNING', afterMs: -1 },
      "'afterMs' must be an integer between 0 and 86400000",
    ],
    [
      'a fractional afterMs',
      { fate: 'FAILED', afterMs: 1.5 },
      "'afterMs' must be an integer between 0 and 86400000",
    ],
    [
      'an unknown reason code',
      { fate: 'FAILED', stateChangeReason: { Code: 'OOPS' } },
      "'stateChangeReason.Code' must be one of INTERNAL_ERROR, IMAGE_UNAVAILABLE",
    ],
    [
      'an unknown reason member',
      { fate: 'FAILED', stateChangeReason: { Reason: 'x' } },
      "'stateChangeReason.Reason' is not allowed here (allowed: Code, Message)",
    ],
    [
      'errors that are not a list',
      { fate: 'FAILED', errors: { ErrorCode: 'IMAGE_NOT_FOUND' } },
      "'errors' must be a list of {ErrorCode, ErrorMessage}",
    ],
    [
      'an error without a message',
      { fate: 'FAILED', errors: [{ ErrorCode: 'IMAGE_NOT_FOUND' }] },
      "'errors[0].ErrorMessage' must be a non-empty string",
    ],
    [
      'a negative ErrorTimestamp',
      {
        fate: 'FAILED',
        errors: [{ ErrorCode: 'IMAGE_NOT_FOUND', ErrorMessage: 'x', ErrorTimestamp: -1 }],
      },
      "'errors[0].ErrorTimestamp' must be a non-negative number of epoch seconds",
    ],
  ])('rejects %s (400)', async (_case, body, message) => {
    // Act
    const response = await putBuilderFate(emulator.endpoint, uniqueName('invalid'), body);

    // Assess
    expect(response).toEqual({ status: 400, body: { error: message } });
  });

  it('rejects an error code outside FleetErrorCode, naming the allowed codes (400)', async () => {
    // Act
    const response = await putBuilderFate(emulator.endpoint, uniqueName('invalid'), {
      fate: 'FAILED',
      errors: [{ ErrorCode: 'DISK_FULL', ErrorMessage: 'x' }],
    });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: expect.stringMatching(
        /^'errors\[0\]\.ErrorCode' must be one of .*INTERNAL_SERVICE_ERROR/,
      ),
    });
  });

  it('rejects a name that is no image builder name (400) and a malformed body (400)', async () => {
    // Act
    const badName = await putBuilderFate(emulator.endpoint, 'has space', { fate: 'PENDING' });
    const badJson = await fetch(`${emulator.endpoint}/_emulator/image-builders/ok-name`, {
      method: 'PUT',
      body: '{"fate":',
    });

    // Assess
    expect(badName).toEqual({
      status: 400,
      body: {
        error: "'has space' is not an image builder name (^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$)",
      },
    });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual({ error: expect.stringMatching(/^Malformed JSON body/) });
  });
});
