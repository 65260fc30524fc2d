import {
  type AppStreamClient,
  DeleteImageBuilderCommand,
  DescribeImageBuildersCommand,
  type ImageBuilder,
  ListTagsForResourceCommand,
  StartImageBuilderCommand,
  StopImageBuilderCommand,
} from '@aws-sdk/client-appstream';
import { resourceNotFoundError } from './errors.js';
import {
  builderDeleted,
  builderReadiness,
  builderStopped,
  describeImageBuilder,
} from './existingImageBuilder.js';
import {
  defineOperation,
  type ExecutionContext,
  type FollowedResource,
  responseBody,
  sendOptions,
} from './operation.js';
import { requireOwnership } from './ownership.js';
import {
  DeleteImageBuilderInput,
  DescribeImageBuildersInput,
  StartImageBuilderInput,
  StopImageBuilderInput,
} from './schemas/index.js';

/**
 * Reads the builder a change is about and refuses the change, before any write, unless the
 * service may make it. DescribeImageBuilders carries no tags: they come from ListTagsForResource
 * on the builder's ARN.
 */
const requireOwnedBuilder = async (
  { appstream, ownership }: ExecutionContext,
  name: string,
  signal: AbortSignal | undefined,
): Promise<void> => {
  const builder = await describeImageBuilder(appstream, name, signal);
  if (!builder) throw resourceNotFoundError(`No image builder is named ${JSON.stringify(name)}.`);
  const arn = builder.Arn;
  const tags = arn ? await tagsOf(appstream, arn, signal) : undefined;
  requireOwnership(
    ownership,
    { name, ...(arn ? { arn } : {}), ...(tags ? { tags } : {}) },
    '/Name',
  );
};

const tagsOf = async (appstream: AppStreamClient, arn: string, signal?: AbortSignal) =>
  (await appstream.send(new ListTagsForResourceCommand({ ResourceArn: arn }), sendOptions(signal)))
    .Tags;

/** The builder AWS answered with, else the one the request names. */
const followed = (
  input: { Name: string },
  output: { ImageBuilder?: Pick<ImageBuilder, 'Name' | 'Arn'> },
): FollowedResource => ({
  name: output.ImageBuilder?.Name ?? input.Name,
  ...(output.ImageBuilder?.Arn ? { arn: output.ImageBuilder.Arn } : {}),
});

const FAILED = 'ImageBuilderFailed';
const TIMED_OUT = 'ImageBuilderWaitTimedOut';

export const describeImageBuilders = defineOperation({
  name: 'DescribeImageBuilders',
  service: 'appstream',
  kind: 'read',
  schema: DescribeImageBuildersInput,
  execute: async ({ appstream }, input, _clientToken, signal) =>
    responseBody(
      await appstream.send(new DescribeImageBuildersCommand(input), sendOptions(signal)),
    ),
  subject: (input) => (input.Names?.length === 1 ? input.Names[0] : undefined),
});

/** Followed until `STOPPED`: announces ImageBuilderStopped. */
export const stopImageBuilder = defineOperation({
  name: 'StopImageBuilder',
  service: 'appstream',
  kind: 'write',
  schema: StopImageBuilderInput,
  execute: async (context, input, _clientToken, signal) => {
    await requireOwnedBuilder(context, input.Name, signal);
    return responseBody(
      await context.appstream.send(new StopImageBuilderCommand(input), sendOptions(signal)),
    );
  },
  subject: (input, output) => output?.ImageBuilder?.Arn ?? input.Name,
  readiness: {
    events: { ready: 'ImageBuilderStopped', failed: FAILED, timedOut: TIMED_OUT },
    target: followed,
    check: ({ appstream }, resource, signal) => builderStopped(appstream, resource, signal),
  },
});

/** Followed until `RUNNING`, as a created builder is: announces ImageBuilderReady. */
export const startImageBuilder = defineOperation({
  name: 'StartImageBuilder',
  service: 'appstream',
  kind: 'write',
  schema: StartImageBuilderInput,
  execute: async (context, input, _clientToken, signal) => {
    await requireOwnedBuilder(context, input.Name, signal);
    return responseBody(
      await context.appstream.send(new StartImageBuilderCommand(input), sendOptions(signal)),
    );
  },
  subject: (input, output) => output?.ImageBuilder?.Arn ?? input.Name,
  readiness: {
    events: { ready: 'ImageBuilderReady', failed: FAILED, timedOut: TIMED_OUT },
    target: followed,
    check: ({ appstream }, resource, signal) => builderReadiness(appstream, resource, signal),
  },
});

/** Followed until DescribeImageBuilders no longer finds it: announces ImageBuilderDeleted. */
export const deleteImageBuilder = defineOperation({
  name: 'DeleteImageBuilder',
  service: 'appstream',
  kind: 'write',
  schema: DeleteImageBuilderInput,
  execute: async (context, input, _clientToken, signal) => {
    await requireOwnedBuilder(context, input.Name, signal);
    return responseBody(
      await context.appstream.send(new DeleteImageBuilderCommand(input), sendOptions(signal)),
    );
  },
  subject: (input, output) => output?.ImageBuilder?.Arn ?? input.Name,
  readiness: {
    events: { ready: 'ImageBuilderDeleted', failed: FAILED, timedOut: TIMED_OUT },
    target: followed,
    check: ({ appstream }, resource, signal) => builderDeleted(appstream, resource, signal),
  },
});
