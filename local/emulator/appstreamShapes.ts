import type { Shape } from './validation.js';

/**
 * Input shapes of the emulated AppStream operations
 * (com.amazonaws.appstream#CreateImageBuilderRequest, #DescribeImageBuildersRequest,
 * #StopImageBuilderRequest, #StartImageBuilderRequest, #DeleteImageBuilderRequest,
 * #ListTagsForResourceRequest, #TagResourceRequest, #UntagResourceRequest). The two tag
 * patterns use `\p{…}` and need the `u` flag (docs/aws-contracts.md §4.8). The Arn pattern is the
 * model's with each `\-` outside a class written `-`: the same without a flag, while the
 * model's form is a SyntaxError under `u` (docs/aws-contracts.md §4.9).
 */
const string: Shape = { type: 'string', min: 1 };
const stringList: Shape = { type: 'list', member: string };
export const ARN_PATTERN =
  /^arn:aws(?:-cn|-iso-b|-iso|-us-gov)?:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.\\-]{0,1023}$/;
const arn: Shape = { type: 'string', pattern: ARN_PATTERN };

export const IMAGE_BUILDER_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$/;
const agentVersion: Shape = { type: 'string', min: 1, max: 100 };

const tagKey: Shape = {
  type: 'string',
  min: 1,
  max: 128,
  pattern: /^(^(?!aws:).[\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u,
};

const tags: Shape = {
  type: 'map',
  min: 1,
  max: 50,
  key: tagKey,
  value: {
    type: 'string',
    min: 0,
    max: 256,
    pattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u,
  },
};

export const createImageBuilderShape: Shape = {
  type: 'structure',
  required: ['Name', 'InstanceType'],
  members: {
    Name: { type: 'string', pattern: IMAGE_BUILDER_NAME_PATTERN },
    ImageName: string,
    ImageArn: arn,
    InstanceType: string,
    Description: { type: 'string', min: 0, max: 256 },
    DisplayName: { type: 'string', min: 0, max: 100 },
    VpcConfig: {
      type: 'structure',
      members: {
        SubnetIds: stringList,
        SecurityGroupIds: { type: 'list', member: string, min: 0, max: 5 },
      },
    },
    IamRoleArn: arn,
    EnableDefaultInternetAccess: { type: 'boolean' },
    DomainJoinInfo: {
      type: 'structure',
      members: {
        DirectoryName: { type: 'string' },
        OrganizationalUnitDistinguishedName: { type: 'string', min: 0, max: 2000 },
      },
    },
    AppstreamAgentVersion: agentVersion,
    Tags: tags,
    AccessEndpoints: {
      type: 'list',
      min: 1,
      max: 4,
      member: {
        type: 'structure',
        required: ['EndpointType'],
        members: { EndpointType: { type: 'string', enum: ['STREAMING'] }, VpceId: string },
      },
    },
    RootVolumeConfig: { type: 'structure', members: { VolumeSizeInGb: { type: 'integer' } } },
    SoftwaresToInstall: stringList,
    SoftwaresToUninstall: stringList,
    DisableIMDSV1: { type: 'boolean' },
  },
};

export const describeImageBuildersShape: Shape = {
  type: 'structure',
  members: { Names: stringList, MaxResults: { type: 'integer' }, NextToken: string },
};

/** StopImageBuilder's Name is a String (min 1), DeleteImageBuilder's a Name (the pattern). */
export const stopImageBuilderShape: Shape = {
  type: 'structure',
  required: ['Name'],
  members: { Name: string },
};

export const startImageBuilderShape: Shape = {
  type: 'structure',
  required: ['Name'],
  members: { Name: string, AppstreamAgentVersion: agentVersion },
};

export const deleteImageBuilderShape: Shape = {
  type: 'structure',
  required: ['Name'],
  members: { Name: { type: 'string', pattern: IMAGE_BUILDER_NAME_PATTERN } },
};

export const listTagsForResourceShape: Shape = {
  type: 'structure',
  required: ['ResourceArn'],
  members: { ResourceArn: arn },
};

export const tagResourceShape: Shape = {
  type: 'structure',
  required: ['ResourceArn', 'Tags'],
  members: { ResourceArn: arn, Tags: tags },
};

export const untagResourceShape: Shape = {
  type: 'structure',
  required: ['ResourceArn', 'TagKeys'],
  members: { ResourceArn: arn, TagKeys: { type: 'list', member: tagKey, min: 1, max: 50 } },
};
