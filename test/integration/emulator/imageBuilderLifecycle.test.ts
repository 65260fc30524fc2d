import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppStreamServiceException,
  ConcurrentModificationException,
  CreateImageBuilderCommand,
  DeleteImageBuilderCommand,
  DescribeImageBuildersCommand,
  OperationNotPermittedException,
  ResourceNotAvailableException,
  ResourceNotFoundException,
  StartImageBuilderCommand,
  StopImageBuilderCommand,
} from '@aws-sdk/client-appstream';
import { describe, expect, it } from 'vitest';
import {
  builderHelpers,
  builderInput,
  putBuilderFate,
  rejectionOf,
  resetState,
  uniqueName,
  useEmulator,
} from './support.js';

const READY_DELAY_MS = 50;
const TRANSITION_DELAY_MS = 250;
const emulator = useEmulator({
  appstreamReadyDelayMs: READY_DELAY_MS,
  appstreamStopDelayMs: TRANSITION_DELAY_MS,
  appstreamStartDelayMs: TRANSITION_DELAY_MS,
  appstreamDeleteDelayMs: TRANSITION_DELAY_MS,
});
const { describeBuilder, createBuilder, watchUntil } = builderHelpers(emulator);

const stop = (Name: string) => emulator.appstream.send(new StopImageBuilderCommand({ Name }));
const start = (Name: string, AppstreamAgentVersion?: string) =>
  emulator.appstream.send(new StartImageBuilderCommand({ Name, AppstreamAgentVersion }));
const remove = (Name: string) => emulator.appstream.send(new DeleteImageBuilderCommand({ Name }));

/** A builder that is RUNNING (created, then past the ready delay). */
async function runningBuilder(): Promise<string> {
  const name = uniqueName('life');
  await createBuilder(name);
  await watchUntil(name, 'RUNNING');
  return name;
}

/** A builder that is STOPPED. */
async function stoppedBuilder(): Promise<string> {
  const name = await runningBuilder();
  await stop(name);
  await watchUntil(name, 'STOPPED');
  return name;
}

describe('StopImageBuilder', () => {
  it('answers STOPPING and turns STOPPED once the stop delay has passed', async () => {
    // Prepare
    const name = await runningBuilder();
    const stoppedAt = Date.now();

    // Act
    const output = await stop(name);
    const { seen } = await watchUntil(name, 'STOPPED');

    // Assess
    expect(output.ImageBuilder).toMatchObject({ Name: name, State: 'STOPPING' });
    expect(output.ImageBuilder?.Arn).toBe(
      `arn:aws:appstream:us-east-1:000000000000:image-builder/${name}`,
    );
    expect(seen[0]).toBe('STOPPING');
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(TRANSITION_DELAY_MS);
  });

  it('fails with ConcurrentModificationException (400) while the builder is PENDING', async () => {
    // Prepare
    const name = uniqueName('pending');
    await putBuilderFate(emulator.endpoint, name, { fate: 'PENDING' });
    await createBuilder(name);

    // Act
    const error = await rejectionOf(stop(name));

    // Assess
    expect(error).toBeInstanceOf(ConcurrentModificationException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      `Image builder '${name}' is PENDING and cannot be stopped until it is RUNNING. Wait a few minutes and try again.`,
    );
  });
});

describe('StartImageBuilder', () => {
  it('answers PENDING, turns RUNNING once the start delay has passed and takes the agent version', async () => {
    // Prepare
    const name = await stoppedBuilder();

    // Act
    const output = await start(name, 'LATEST');
    const { builder, seen } = await watchUntil(name, 'RUNNING');

    // Assess
    expect(output.ImageBuilder).toMatchObject({
      Name: name,
      State: 'PENDING',
      AppstreamAgentVersion: 'LATEST',
    });
    expect(seen[0]).toBe('PENDING');
    expect(builder.AppstreamAgentVersion).toBe('LATEST');
  });

  it('fails with ConcurrentModificationException (400) while the builder is STOPPING', async () => {
    // Prepare
    const name = await runningBuilder();
    await stop(name);

    // Act
    const error = await rejectionOf(start(name));

    // Assess
    expect(error).toBeInstanceOf(ConcurrentModificationException);
    expect(error.message).toContain('is STOPPING and cannot be started until it is STOPPED');
  });
});

describe('Stop and Start of a builder resting in a state they do not start from', () => {
  it.each([
    [
      'StopImageBuilder of a STOPPED builder',
      OperationNotPermittedException,
      stoppedBuilder,
      stop,
      'is STOPPED and cannot be stopped: only a builder that is RUNNING can be.',
    ],
    [
      'StartImageBuilder of a RUNNING builder',
      ResourceNotAvailableException,
      runningBuilder,
      (name: string) => start(name),
      'is RUNNING and cannot be started: only a builder that is STOPPED can be.',
    ],
  ])('%s fails with %s (400)', async (_case, errorClass, prepare, act, message) => {
    // Prepare
    const name = await prepare();

    // Act
    const error = await rejectionOf(act(name));

    // Assess
    expect(error).toBeInstanceOf(errorClass);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(`Image builder '${name}' ${message}`);
  });
});

describe('DeleteImageBuilder', () => {
  it('answers DELETING, and once the delete delay has passed the builder is gone', async () => {
    // Prepare
    const name = await runningBuilder();

    // Act
    const output = await remove(name);
    const during = await describeBuilder(name);
    await sleep(TRANSITION_DELAY_MS + 50);
    const error = await rejectionOf(
      emulator.appstream.send(new DescribeImageBuildersCommand({ Names: [name] })),
    );
    const all = await emulator.appstream.send(new DescribeImageBuildersCommand({}));

    // Assess
    expect(output.ImageBuilder).toMatchObject({ Name: name, State: 'DELETING' });
    expect(during.State).toBe('DELETING');
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toBe(`Image builder '${name}' not found.`);
    expect(all.ImageBuilders?.map(({ Name }) => Name)).not.toContain(name);
  });

  it('deletes a STOPPED builder and frees its name for a new one', async () => {
    // Prepare
    const name = await stoppedBuilder();
    await remove(name);
    await sleep(TRANSITION_DELAY_MS + 50);

    // Act
    const created = await emulator.appstream.send(
      new CreateImageBuilderCommand(builderInput({ Name: name })),
    );

    // Assess
    expect(created.ImageBuilder?.State).toBe('PENDING');
  });

  it('fails with ConcurrentModificationException (400) while the builder is PENDING or DELETING', async () => {
    // Prepare
    const pending = uniqueName('pending');
    await putBuilderFate(emulator.endpoint, pending, { fate: 'PENDING' });
    await createBuilder(pending);
    const deleting = await runningBuilder();
    await remove(deleting);

    // Act
    const errors = [await rejectionOf(remove(pending)), await rejectionOf(remove(deleting))];

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(ConcurrentModificationException);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
    expect(errors[1]?.message).toContain('is DELETING and cannot be deleted');
  });

  it('fails with ValidationException (400) for a Name outside the model pattern', async () => {
    // Act
    const error = await rejectionOf(remove('has space'));

    // Assess
    expect(error).toBeInstanceOf(AppStreamServiceException);
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });
});

describe('Stop, Start and Delete of an unknown builder', () => {
  it.each([
    ['StopImageBuilder', stop],
    ['StartImageBuilder', (name: string) => start(name)],
    ['DeleteImageBuilder', remove],
  ])('%s fails with ResourceNotFoundException (404)', async (_operation, act) => {
    // Act
    const error = await rejectionOf(act('no-such-builder'));

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toBe("Image builder 'no-such-builder' not found.");
  });
});

describe('transition fates (control API)', () => {
  it('a stop fate STOPPING keeps the builder STOPPING for ever', async () => {
    // Prepare
    const name = await runningBuilder();
    await putBuilderFate(emulator.endpoint, name, { stop: { fate: 'STOPPING' } });

    // Act
    await stop(name);
    await sleep(2 * TRANSITION_DELAY_MS);
    const builder = await describeBuilder(name);

    // Assess
    expect(builder.State).toBe('STOPPING');
  });

  it('a start fate FAILED turns the builder FAILED after afterMs, and it can then be deleted', async () => {
    // Prepare
    const name = await stoppedBuilder();
    const errors = [{ ErrorCode: 'IMAGE_NOT_FOUND', ErrorMessage: 'The image is gone.' }];
    await putBuilderFate(emulator.endpoint, name, {
      start: {
        fate: 'FAILED',
        afterMs: 20,
        errors,
        stateChangeReason: { Code: 'IMAGE_UNAVAILABLE' },
      },
    });

    // Act
    await start(name);
    const { builder, seen } = await watchUntil(name, 'FAILED');
    const deleted = await remove(name);

    // Assess
    expect(seen[0]).toBe('PENDING');
    expect(builder.StateChangeReason).toEqual({ Code: 'IMAGE_UNAVAILABLE' });
    expect(builder.ImageBuilderErrors?.map(({ ErrorCode }) => ErrorCode)).toEqual([
      'IMAGE_NOT_FOUND',
    ]);
    expect(deleted.ImageBuilder?.State).toBe('DELETING');
  });

  it('a delete fate DELETING keeps the builder DELETING; DELETED with afterMs overrides the delay', async () => {
    // Prepare
    const stuck = await runningBuilder();
    const quick = await runningBuilder();
    await putBuilderFate(emulator.endpoint, stuck, { delete: { fate: 'DELETING' } });
    await putBuilderFate(emulator.endpoint, quick, { delete: { fate: 'DELETED', afterMs: 0 } });

    // Act
    await remove(stuck);
    await remove(quick);
    const quickError = await rejectionOf(describeBuilder(quick));
    await sleep(2 * TRANSITION_DELAY_MS);
    const stuckBuilder = await describeBuilder(stuck);

    // Assess
    expect(quickError).toBeInstanceOf(ResourceNotFoundException);
    expect(stuckBuilder.State).toBe('DELETING');
  });

  it('keeps the creation fate and the transitions side by side, and shows them', async () => {
    // Prepare
    const name = uniqueName('both');
    const body = {
      fate: 'RUNNING',
      afterMs: 10,
      stop: { fate: 'STOPPED', afterMs: 5 },
      start: { fate: 'PENDING' },
      delete: { fate: 'DELETING' },
    };

    // Act
    const response = await putBuilderFate(emulator.endpoint, name, body);

    // Assess
    expect(response).toEqual({
      status: 200,
      body: { name, ...body, setAt: expect.any(String) },
    });
  });

  it.each([
    [{}, "give 'fate' and/or any of 'stop', 'start', 'delete'"],
    [
      { stop: { fate: 'STOPPED', afterMs: -1 } },
      "'stop': 'afterMs' must be an integer between 0 and 86400000",
    ],
    [{ stop: { fate: 'RUNNING' } }, "'stop': 'fate' must be 'STOPPED' or 'STOPPING'"],
    [
      { delete: { fate: 'DELETING', afterMs: 5 } },
      "'delete': 'afterMs' is not allowed here (allowed: fate)",
    ],
    [{ delete: 'DELETED' }, "'delete': must be an object {fate: 'DELETED' | 'DELETING', afterMs?}"],
    [{ start: { fate: 'STOPPED' } }, "'start': 'fate' must be 'FAILED', 'PENDING' or 'RUNNING'"],
  ])('rejects %j (400)', async (body, message) => {
    // Act
    const response = await putBuilderFate(emulator.endpoint, uniqueName('bad'), body);

    // Assess
    expect(response).toEqual({ status: 400, body: { error: message } });
  });
});

describe('DescribeImageBuilders paging', () => {
  it('pages in name order, goes on after a builder deleted between pages, and binds tokens to Names', async () => {
    // Prepare
    await resetState(emulator.endpoint);
    const names = ['page-a', 'page-b', 'page-c'];
    await putBuilderFate(emulator.endpoint, 'page-b', { delete: { fate: 'DELETED', afterMs: 0 } });
    for (const name of [...names].reverse()) await createBuilder(name);
    await watchUntil('page-b', 'RUNNING');

    // Act
    const first = await emulator.appstream.send(
      new DescribeImageBuildersCommand({ MaxResults: 2 }),
    );
    await remove('page-b');
    const second = await emulator.appstream.send(
      new DescribeImageBuildersCommand({ MaxResults: 2, NextToken: first.NextToken }),
    );
    const foreign = await rejectionOf(
      emulator.appstream.send(
        new DescribeImageBuildersCommand({
          Names: ['page-a', 'page-c'],
          NextToken: first.NextToken,
        }),
      ),
    );
    const garbage = await rejectionOf(
      emulator.appstream.send(new DescribeImageBuildersCommand({ NextToken: 'garbage' })),
    );

    // Assess
    expect(first.ImageBuilders?.map(({ Name }) => Name)).toEqual(['page-a', 'page-b']);
    expect(second.ImageBuilders?.map(({ Name }) => Name)).toEqual(['page-c']);
    expect(second.NextToken).toBeUndefined();
    for (const error of [foreign, garbage]) {
      expect(error.name).toBe('ValidationException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(error.message).toBe('The NextToken is not valid.');
    }
  });
});
