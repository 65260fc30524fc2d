import { randomBytes } from 'node:crypto';
import { createImageBuilderShape, describeImageBuildersShape } from './appstreamShapes.js';
import { defaultState, fatedState } from './builderFates.js';
import { ServiceError } from './errors.js';
import { roleNotVisible } from './iamVisibility.js';
import type { OperationContext, OperationDefinition } from './operation.js';
import type { ImageBuilderRecord, JsonObject } from './state.js';

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

/**
 * Builders start PENDING and report RUNNING once `appstreamReadyDelayMs` has elapsed, unless the
 * control API gave their name a fate.
 */
function view(record: ImageBuilderRecord, context: OperationContext): JsonObject {
  const nowMs = context.now().getTime();
  const delayMs = context.appstreamReadyDelayMs;
  const fate = context.store.builderFates.get(String(record.builder.Name));
  return {
    ...record.builder,
    ...(fate
      ? fatedState(fate, record.createdAtMs, nowMs, delayMs)
      : { State: defaultState(record.createdAtMs, nowMs, delayMs) }),
  };
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
  if (context.store.imageBuilders.has(String(input.Name))) {
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
      tags: input.Tags,
      softwaresToInstall: input.SoftwaresToInstall,
      softwaresToUninstall: input.SoftwaresToUninstall,
    };
    context.store.imageBuilders.set(Name, record);
    return { ImageBuilder: { ...builder, State: 'PENDING' } };
  },
};

function decodeNextToken(token: unknown): number {
  if (token === undefined) return 0;
  const offset = Number(Buffer.from(String(token), 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ServiceError('ValidationException', 'The NextToken is not valid.');
  }
  return offset;
}

export const describeImageBuilders: OperationDefinition = {
  name: 'DescribeImageBuilders',
  shape: describeImageBuildersShape,
  run(input, context) {
    const names = input.Names as string[] | undefined;
    const records = names
      ? names.map((name) => {
          const record = context.store.imageBuilders.get(name);
          if (!record) {
            throw new ServiceError(
              'ResourceNotFoundException',
              `Image builder '${name}' not found.`,
            );
          }
          return record;
        })
      : [...context.store.imageBuilders.values()];
    const start = decodeNextToken(input.NextToken);
    const pageSize =
      typeof input.MaxResults === 'number' && input.MaxResults > 0
        ? input.MaxResults
        : records.length;
    const end = start + pageSize;
    return {
      ImageBuilders: records.slice(start, end).map((record) => view(record, context)),
      ...(end < records.length
        ? { NextToken: Buffer.from(String(end)).toString('base64url') }
        : {}),
    };
  },
};
