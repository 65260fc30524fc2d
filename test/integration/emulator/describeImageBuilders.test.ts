import {
  CreateImageBuilderCommand,
  DescribeImageBuildersCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-appstream';
import { describe, expect, it } from 'vitest';
import { builderInput, pollUntil, rejectionOf, useEmulator } from './support.js';

const READY_DELAY_MS = 500;
const emulator = useEmulator({ appstreamReadyDelayMs: READY_DELAY_MS });

describe('DescribeImageBuilders', () => {
  it('reports a new builder PENDING first and RUNNING once the ready delay has passed', async () => {
    // Prepare
    const { Name } = builderInput();
    await emulator.appstream.send(new CreateImageBuilderCommand(builderInput({ Name })));
    const states: string[] = [];

    // Act
    const running = await pollUntil(async () => {
      const { ImageBuilders } = await emulator.appstream.send(
        new DescribeImageBuildersCommand({ Names: [Name] }),
      );
      const state = ImageBuilders?.[0]?.State ?? 'MISSING';
      states.push(state);
      return state === 'RUNNING' ? ImageBuilders?.[0] : undefined;
    });

    // Assess
    expect(states[0]).toBe('PENDING');
    expect(running.Name).toBe(Name);
    expect(running.CreatedTime).toBeInstanceOf(Date);
  });

  it('fails with ResourceNotFoundException (404) for an unknown name', async () => {
    // Act
    const error = await rejectionOf(
      emulator.appstream.send(new DescribeImageBuildersCommand({ Names: ['does-not-exist'] })),
    );

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toContain('does-not-exist');
  });

  it('lists all builders page by page with MaxResults and NextToken', async () => {
    // Prepare
    await emulator.appstream.send(new CreateImageBuilderCommand(builderInput()));
    await emulator.appstream.send(new CreateImageBuilderCommand(builderInput()));
    const all = await emulator.appstream.send(new DescribeImageBuildersCommand({}));

    // Act
    const first = await emulator.appstream.send(
      new DescribeImageBuildersCommand({ MaxResults: 1 }),
    );
    const second = await emulator.appstream.send(
      new DescribeImageBuildersCommand({ MaxResults: 1, NextToken: first.NextToken }),
    );

    // Assess
    expect(all.ImageBuilders?.length).toBeGreaterThanOrEqual(2);
    expect(all.NextToken).toBeUndefined();
    expect(first.ImageBuilders).toHaveLength(1);
    expect(first.NextToken).toBeDefined();
    expect(second.ImageBuilders?.[0]?.Name).toBe(all.ImageBuilders?.[1]?.Name);
  });
});
