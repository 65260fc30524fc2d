import * as z from 'zod/mini';
import {
  APPSTREAM_ARN_PATTERN,
  APPSTREAM_NAME_PATTERN,
  APPSTREAM_TAG_KEY_PATTERN,
  APPSTREAM_TAG_VALUE_PATTERN,
  int32,
  list,
  map,
  string,
  unreservedTagKey,
} from './constraints.js';

/*
 * com.amazonaws.appstream#CreateImageBuilderRequest. It has no idempotency token. Members are
 * PascalCase on the wire.
 */

/** AppStream's `String` shape: at least one character, no maximum. */
const AppStreamString = string({ min: 1 });
const Arn = string({ pattern: APPSTREAM_ARN_PATTERN });

export const VpcConfig = z.strictObject({
  /** Docs say one subnet for an image builder; the model sets no limit. */
  SubnetIds: z.optional(list(AppStreamString)),
  SecurityGroupIds: z.optional(list(AppStreamString, { max: 5 })),
});

export const DomainJoinInfo = z.strictObject({
  /** `DirectoryName` has no trait at all, so even an empty string passes. */
  DirectoryName: z.optional(z.string()),
  OrganizationalUnitDistinguishedName: z.optional(string({ max: 2000 })),
});

const AccessEndpoint = z.strictObject({
  /** @required + @clientOptional: SDKs may not check it, the service does. */
  EndpointType: z.enum(['STREAMING']),
  VpceId: z.optional(AppStreamString),
});

/** Plain `Integer`: the 200..500 GB range is docs-only, so only the int32 bounds apply. */
const VolumeConfig = z.strictObject({
  VolumeSizeInGb: z.optional(int32()),
});

/** The model's 50 tags, one of them the ownership tag the service adds. */
export const Tags = map(
  unreservedTagKey(string({ min: 1, max: 128, pattern: APPSTREAM_TAG_KEY_PATTERN })),
  string({ max: 256, pattern: APPSTREAM_TAG_VALUE_PATTERN }),
  { min: 1, max: 49 },
);

export const CreateImageBuilderInput = z.strictObject({
  /** @required + @clientOptional; the pattern alone bounds it to 1..101 characters. */
  Name: string({ pattern: APPSTREAM_NAME_PATTERN }),
  ImageName: z.optional(AppStreamString),
  ImageArn: z.optional(Arn),
  /** @required + @clientOptional; valid `stream.*` names are only listed in the docs. */
  InstanceType: AppStreamString,
  Description: z.optional(string({ max: 256 })),
  DisplayName: z.optional(string({ max: 100 })),
  VpcConfig: z.optional(VpcConfig),
  IamRoleArn: z.optional(Arn),
  EnableDefaultInternetAccess: z.optional(z.boolean()),
  DomainJoinInfo: z.optional(DomainJoinInfo),
  AppstreamAgentVersion: z.optional(string({ min: 1, max: 100 })),
  Tags: z.optional(Tags),
  AccessEndpoints: z.optional(list(AccessEndpoint, { min: 1, max: 4 })),
  RootVolumeConfig: z.optional(VolumeConfig),
  SoftwaresToInstall: z.optional(list(AppStreamString)),
  SoftwaresToUninstall: z.optional(list(AppStreamString)),
  DisableIMDSV1: z.optional(z.boolean()),
});

export type CreateImageBuilderInput = z.output<typeof CreateImageBuilderInput>;
