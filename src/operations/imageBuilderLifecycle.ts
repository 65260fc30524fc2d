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
  type BuilderCheck,
  builderDeleted,
  builderReadiness,
  builderStopped,
  describeImageBuilder,
  followed,
  readinessCheck,
} from './existingImageBuilder.js';
import {
  defineOperation,
  type ExecutionContext,
  type Jsonified,
  type OperationDeclaration,
  onceInRequest,
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
 * on the builder's ARN. Once in a request: a retried change does not read again.
 */
const requireOwnedBuilder = (
  context: ExecutionContext,
  name: string,
  signal: AbortSignal | undefined,
): Promise<void> =>
  onceInRequest(context, 'ownership', async () => {
    const { appstream, ownership } = context;
    const builder = await describeImageBuilder(appstream, name, signal);
    // The message names no input: what a caller sent never comes back in an error.
    if (!builder) throw resourceNotFoundError('AWS holds no image builder of that name.');
    const arn = builder.Arn;
    const tags = arn ? await tagsOf(appstream, arn, signal) : undefined;
    requireOwnership(
      ownership,
      { name, ...(arn ? { arn } : {}), ...(tags ? { tags } : {}) },
      '/Name',
    );
  });

const tagsOf = async (appstream: AppStreamClient, arn: string, signal?: AbortSignal) =>
  (await appstream.send(new ListTagsForResourceCommand({ ResourceArn: arn }), sendOptions(signal)))
    .Tags;

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

/** What Stop, Start and DeleteImageBuilder answer: the builder on its way. */
type BuilderAnswer = { ImageBuilder?: ImageBuilder; $metadata?: unknown };

interface BuilderChange<Name extends string, Input extends { Name: string }>
  extends OperationDeclaration<Name, Input, AppStreamClient, BuilderAnswer> {
  /** The event when the builder got where the request sends it, and how to tell. */
  ready: string;
  check: BuilderCheck;
}

/**
 * A change to an image builder that exists: refused unless the service may make it, then followed
 * until the builder is where the request sends it (or will not get there, or the wait ends).
 */
const builderChange = <const Name extends string, Input extends { Name: string }>({
  name,
  schema,
  send,
  ready,
  check,
}: BuilderChange<Name, Input>) =>
  defineOperation<Name, Input, Jsonified<Omit<BuilderAnswer, '$metadata'>>>({
    name,
    service: 'appstream',
    kind: 'write',
    schema,
    execute: async (context, input: Input, _clientToken, signal) => {
      await requireOwnedBuilder(context, input.Name, signal);
      return responseBody(await send(context.appstream, input, sendOptions(signal)));
    },
    subject: (input, output) => output?.ImageBuilder?.Arn ?? input.Name,
    readiness: {
      events: { ready, failed: 'ImageBuilderFailed', timedOut: 'ImageBuilderWaitTimedOut' },
      target: followed,
      check: readinessCheck(check),
    },
  });

/** Followed until `STOPPED`: announces ImageBuilderStopped. */
export const stopImageBuilder = builderChange({
  name: 'StopImageBuilder',
  schema: StopImageBuilderInput,
  send: (appstream, input, options) => appstream.send(new StopImageBuilderCommand(input), options),
  ready: 'ImageBuilderStopped',
  check: builderStopped,
});

/** Followed until `RUNNING`, as a created builder is: announces ImageBuilderReady. */
export const startImageBuilder = builderChange({
  name: 'StartImageBuilder',
  schema: StartImageBuilderInput,
  send: (appstream, input, options) => appstream.send(new StartImageBuilderCommand(input), options),
  ready: 'ImageBuilderReady',
  check: builderReadiness,
});

/** Followed until DescribeImageBuilders no longer finds it: announces ImageBuilderDeleted. */
export const deleteImageBuilder = builderChange({
  name: 'DeleteImageBuilder',
  schema: DeleteImageBuilderInput,
  send: (appstream, input, options) =>
    appstream.send(new DeleteImageBuilderCommand(input), options),
  ready: 'ImageBuilderDeleted',
  check: builderDeleted,
});
