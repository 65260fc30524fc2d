import {
  type AppStreamClient,
  DescribeImageBuildersCommand,
  type ImageBuilder,
} from '@aws-sdk/client-appstream';
import { errorName } from '../basics/errors.js';
import { isRecord } from '../basics/records.js';
import type { FollowedResource, Readiness, ReadinessCheck } from './operation.js';
import type { CreateImageBuilderInput } from './schemas/index.js';

/** Members AWS echoes back unchanged, so an existing builder can be compared with a request. */
const ECHOED = [
  'InstanceType',
  'Description',
  'DisplayName',
  'IamRoleArn',
  'EnableDefaultInternetAccess',
  'AppstreamAgentVersion',
  'DisableIMDSV1',
  'VpcConfig',
  'DomainJoinInfo',
  'AccessEndpoints',
  'RootVolumeConfig',
] as const;

/** Deep equality on what the request states; members it leaves out do not count. */
const sameAsRequested = (requested: unknown, actual: unknown): boolean => {
  if (requested === undefined) return true;
  if (Array.isArray(requested)) {
    return (
      Array.isArray(actual) &&
      actual.length === requested.length &&
      requested.every((item, index) => sameAsRequested(item, actual[index]))
    );
  }
  if (typeof requested === 'object' && requested !== null) {
    if (!isRecord(actual)) return false;
    return Object.entries(requested).every(([key, value]) => sameAsRequested(value, actual[key]));
  }
  return requested === actual;
};

/** Whether the builder AWS already has is the one this request asks for. */
export const matchesRequest = (builder: ImageBuilder, input: CreateImageBuilderInput): boolean => {
  if (builder.Name !== input.Name) return false;
  if (input.ImageArn !== undefined && builder.ImageArn !== input.ImageArn) return false;
  if (input.ImageName !== undefined && !builder.ImageArn?.endsWith(`:image/${input.ImageName}`)) {
    return false;
  }
  return ECHOED.every((member) => sameAsRequested(input[member], builder[member]));
};

/** The builder named `name`, if AWS has one. */
export const describeImageBuilder = async (
  appstream: AppStreamClient,
  name: string,
  abortSignal?: AbortSignal,
): Promise<ImageBuilder | undefined> => {
  try {
    const { ImageBuilders = [] } = await appstream.send(
      new DescribeImageBuildersCommand({ Names: [name] }),
      abortSignal ? { abortSignal } : {},
    );
    return ImageBuilders.find((builder) => builder.Name === name);
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
};

/** The builder AWS answered with, else the one the request names. */
export const followed = (
  input: { Name: string },
  output: { ImageBuilder?: Pick<ImageBuilder, 'Name' | 'Arn'> },
): FollowedResource => ({
  name: output.ImageBuilder?.Name ?? input.Name,
  ...(output.ImageBuilder?.Arn ? { arn: output.ImageBuilder.Arn } : {}),
});

/**
 * States from which a builder does not become `RUNNING` by itself (AppStream's ImageBuilderState:
 * it fails, or is being stopped or deleted). Every other state is on the way.
 */
const NEVER_RUNNING = new Set(['FAILED', 'STOPPING', 'STOPPED', 'DELETING']);

/** What an event tells of a builder: its identity, state and why it is there. */
const builderView = (builder: ImageBuilder) => ({
  Name: builder.Name,
  Arn: builder.Arn,
  State: builder.State,
  ...(builder.StateChangeReason ? { StateChangeReason: builder.StateChangeReason } : {}),
  ...(builder.ImageBuilderErrors?.length
    ? { ImageBuilderErrors: JSON.parse(JSON.stringify(builder.ImageBuilderErrors)) }
    : {}),
});

/** How a followed builder's states read for one goal: reached, on the way, or never by itself. */
type Verdicts = (state: string) => ReadinessCheck['verdict'];

/**
 * How to check on a builder for one goal: a check that reads it once and tells whether it got
 * there (`verdictOf` its state), and what a builder that is gone means (`gone`).
 */
const goal =
  (verdictOf: Verdicts, gone: ReadinessCheck['verdict']) =>
  async (
    appstream: AppStreamClient,
    { name, arn }: FollowedResource,
    signal?: AbortSignal,
  ): Promise<ReadinessCheck> => {
    const builder = await describeImageBuilder(appstream, name, signal);
    if (!builder) {
      return {
        verdict: gone,
        state: 'NOT_FOUND',
        resource: { Name: name, ...(arn ? { Arn: arn } : {}), State: 'NOT_FOUND' },
      };
    }
    const state = builder.State ?? 'UNKNOWN';
    return { verdict: verdictOf(state), state, resource: builderView(builder) };
  };

/** A check on a builder through the AppStream client, for one goal. */
export type BuilderCheck = ReturnType<typeof goal>;

/** A builder check as an operation's readiness check: it reads through the AppStream client. */
export const readinessCheck =
  (check: BuilderCheck): Readiness['check'] =>
  ({ appstream }, resource, signal) =>
    check(appstream, resource, signal);

/** Where the builder stands: `RUNNING` is usable; gone or {@link NEVER_RUNNING} will not be. */
export const builderReadiness = goal(
  (state) => (state === 'RUNNING' ? 'ready' : NEVER_RUNNING.has(state) ? 'failed' : 'pending'),
  'failed',
);

/**
 * After StopImageBuilder: `STOPPED` is the goal, `STOPPING` on the way; a builder that is gone,
 * `FAILED` or being deleted will not stop by itself, nor one that runs or starts again (AppStream
 * answers Stop only for a running builder, so such a state means someone else started it).
 */
export const builderStopped = goal(
  (state) => (state === 'STOPPED' ? 'ready' : state === 'STOPPING' ? 'pending' : 'failed'),
  'failed',
);

/**
 * After DeleteImageBuilder: gone is the goal (DescribeImageBuilders no longer finds it),
 * `DELETING` on the way; any other state means the delete did not take.
 */
export const builderDeleted = goal(
  (state) => (state === 'DELETING' ? 'pending' : 'failed'),
  'ready',
);
