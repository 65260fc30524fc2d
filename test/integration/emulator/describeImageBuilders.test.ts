import {
  type AppStreamClient,
  CreateImageBuilderCommand,
  type CreateImageBuilderCommandInput,
  DescribeImageBuildersCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-appstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../local/emulator/index.js';
import { appstreamClient, pollUntil, rejectionOf, uniqueName } from './support.js';

const READY_DELAY_MS = 500;
let emulator: RunningEmulator;
let client: AppStreamClient;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, appstreamReadyDelayMs: READY_DELAY_MS });
  client = appstreamClient(emulator.endpoint);
});

afterAll(async () => {
  client?.destroy();
  await emulator?.close();
});

const builderInput = (overrides: Partial<CreateImageBuilderCommandInput> = {}) => ({
  Name: uniqueName('builder'),
  InstanceType: 'stream.standard.medium',
  ImageName: 'AppStream-WinServer2022-06-17-2024',
  ...overrides,
});

describe('DescribeImageBuilders', () => {
  it('reports a new builder PENDING first and RUNNING once the ready delay has passed', async () => {
    // Prepare
    const { Name } = builderInput();
    await client.send(new CreateImageBuilderCommand(builderInput({ Name })));
    const states: string[] = [];

    // Act
    const running = await pollUntil(async () => {
      const { ImageBuilders } = await client.send(
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
      client.send(new DescribeImageBuildersCommand({ Names: ['does-not-exist'] })),
    );

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toContain('does-not-exist');
  });

  it('lists all builders page by page with MaxResults and NextToken', async () => {
    // Prepare
    await client.send(new CreateImageBuilderCommand(builderInput()));
    await client.send(new CreateImageBuilderCommand(builderInput()));
    const all = await client.send(new DescribeImageBuildersCommand({}));

    // Act
    const first = await client.send(new DescribeImageBuildersCommand({ MaxResults: 1 }));
    const second = await client.send(
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
