import { randomBytes } from 'node:crypto';
import {
  createImageBuilderShape,
  deleteImageBuilderShape,
  describeImageBuildersShape,
  startImageBuilderShape,
  stopImageBuilderShape,
} from './appstreamShapes.js';
import {
  beginTransition,
  builderNotFound,
  INTERIM_STATE,
  type LiveBuilder,
  liveBuilder,
  liveBuilders,
  type TransitionKind,
} from './builderLifecycle.js';
import { ServiceError } from './errors.js';
import { roleNotVisible } from './iamVisibility.js';
import type { OperationContext, OperationDefinition } from './operation.js';
import { pageOf } from './paging.js';
import type { ImageBuilderRecord, JsonObject, TagMap } from './state.js';

/** Members echoed into the `ImageBuilder` output exactly as given (when given). */
const ECHOED_MEMBERS = [
  'VpcConfig',
  'InstanceType',
  'IamRoleArn',
  'DomainJoinInfo',
  'AppstreamAgentVersion',
  'AccessEndpoints',
  'RootVolumeConfig',
  'DisableIMDSV1',
] as const;

/** Best-effort platform from AppStream base image names (e.g. `AppStream-WinServer2019-...`). */
export function platformOf(image: string): string {
  const rules: ReadonlyArray<[RegExp, string]> = [
    [/WinServer2016/i, 'WINDOWS_SERVER_2016'],
    [/WinServer2019/i, 'WINDOWS_SERVER_2019'],
    [/WinServer2025/i, 'WINDOWS_SERVER_2025'],
    [/AmazonLinux2|AmazonLinux-2/i, 'AMAZON_LINUX2'],
    [/RHEL8|RHEL-8/i, 'RHEL8'],
    [/Rocky/i, 'ROCKY_LINUX8'],
    [/Ubuntu/i, 'UBUNTU_PRO_2404'],
  ];
  return rules.find(([pattern]) => pattern.test(image))?.[1] ?? 'WINDOWS_SERVER_2022';
}

function fakeNetworkAccess(): JsonObject {
  const [third = 0, fourth = 0] = randomBytes(2);
  return {
    EniPrivateIpAddress: `10.0.${third}.${Math.max(fourth, 4)}`,
    EniId: `eni-${randomBytes(9).toString('hex').slice(0, 17)}`,
  };
}

/** The `ImageBuilder` output of a builder with its current state members. */
function view({ record, state }: LiveBuilder): JsonObject {
  return { ...record.builder, ...state };
}

/**
 * The checks a CreateImageBuilder passes before anything is created: ImageName xor ImageArn, a
 * free Name, and an `IamRoleArn` the service can see (not hidden through the control API).
 */
function checkCreatable(input: JsonObject, context: OperationContext): void {
  if ((input.ImageName === undefined) === (input.ImageArn === undefined)) {
    throw new ServiceError(
      'InvalidParameterCombinationException',
      'Exactly one of ImageName or ImageArn must be specified.',
    );
  }
  if (liveBuilder(context, String(input.Name))) {
    throw new ServiceError(
      'ResourceAlreadyExistsException',
      `An image builder named '${String(input.Name)}' already exists.`,
    );
  }
  const roleArn = input.IamRoleArn;
  if (
    typeof roleArn === 'string' &&
    context.iam.isHidden('roleArn', roleArn, context.now().getTime())
  ) {
    throw roleNotVisible(roleArn);
  }
}

export const createImageBuilder: OperationDefinition = {
  name: 'CreateImageBuilder',
  shape: createImageBuilderShape,
  run(input, context) {
    checkCreatable(input, context);
    const { Name, ImageName, ImageArn } = input as {
      Name: string;
      ImageName?: string;
      ImageArn?: string;
    };
    const now = context.now();
    const imageArn = ImageArn ?? `arn:aws:appstream:${context.region}::image/${ImageName}`;
    const builder: JsonObject = {
      Name,
      Arn: `arn:aws:appstream:${context.region}:${context.accountId}:image-builder/${Name}`,
      ImageArn: imageArn,
      // Input allows empty strings, the output shapes require min length 1: omit empty ones.
      ...(input.Description ? { Description: input.Description } : {}),
      ...(input.DisplayName ? { DisplayName: input.DisplayName } : {}),
      Platform: platformOf(imageArn),
      CreatedTime: now.getTime() / 1000,
      EnableDefaultInternetAccess: input.EnableDefaultInternetAccess ?? false,
      NetworkAccessConfiguration: fakeNetworkAccess(),
    };
    for (const member of ECHOED_MEMBERS) {
      if (input[member] !== undefined && input[member] !== null) builder[member] = input[member];
    }
    const record: ImageBuilderRecord = {
      builder,
      createdAtMs: now.getTime(),
      ...(input.Tags === undefined ? {} : { tags: input.Tags as TagMap }),
      softwaresToInstall: input.SoftwaresToInstall,
      softwaresToUninstall: input.SoftwaresToUninstall,
    };
    context.store.imageBuilders.set(Name, record);
    return { ImageBuilder: { ...builder, State: 'PENDING' } };
  },
};

/**
 * With `Names`, those builders (ResourceNotFoundException naming the first unknown one); else
 * every builder. In name order, paged by `MaxResults` (all when absent or not
 * positive) and an opaque `NextToken` bound to the `Names` given; a token that does not decode or
 * comes from another request fails with ValidationException (400), AppStream's input error.
 */
export const describeImageBuilders: OperationDefinition = {
  name: 'DescribeImageBuilders',
  shape: describeImageBuildersShape,
  run(input, context) {
    const names = input.Names as string[] | undefined;
    const builders = names
      ? [...new Set(names)].map((name) => {
          const live = liveBuilder(context, name);
          if (!live) throw builderNotFound(name);
          return live;
        })
      : liveBuilders(context);
    const page = pageOf(builders, (live) => String(live.record.builder.Name), {
      scope: { Names: names },
      pageSize:
        typeof input.MaxResults === 'number' && input.MaxResults > 0
          ? input.MaxResults
          : builders.length,
      nextToken: input.NextToken,
      invalid: () => new ServiceError('ValidationException', 'The NextToken is not valid.'),
    });
    return {
      ImageBuilders: page.items.map(view),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  },
};

/** Stop, Start and Delete: begin the transition, answer with the builder in its interim state. */
function transitionOperation(
  name: string,
  kind: TransitionKind,
  shape: OperationDefinition['shape'],
  before: (record: ImageBuilderRecord, input: JsonObject) => void = () => {},
): OperationDefinition {
  return {
    name,
    shape,
    run(input, context) {
      const record = beginTransition(context, kind, String(input.Name));
      before(record, input);
      return { ImageBuilder: { ...record.builder, State: INTERIM_STATE[kind] } };
    },
  };
}

/** RUNNING -> STOPPING -> STOPPED; see builderLifecycle.ts for the states that refuse it. */
export const stopImageBuilder = transitionOperation(
  'StopImageBuilder',
  'stop',
  stopImageBuilderShape,
);

/** STOPPED -> PENDING -> RUNNING; `AppstreamAgentVersion`, when given, replaces the builder's. */
export const startImageBuilder = transitionOperation(
  'StartImageBuilder',
  'start',
  startImageBuilderShape,
  (record, input) => {
    if (input.AppstreamAgentVersion !== undefined) {
      record.builder.AppstreamAgentVersion = input.AppstreamAgentVersion;
    }
  },
);

/** RUNNING | STOPPED | FAILED -> DELETING -> gone (then ResourceNotFoundException, name free). */
export const deleteImageBuilder = transitionOperation(
  'DeleteImageBuilder',
  'delete',
  deleteImageBuilderShape,
);
