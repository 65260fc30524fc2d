import * as z from 'zod/mini';
import {
  AccountId,
  AccountList,
  AMI_NAME_PATTERN,
  int32,
  LAUNCH_TEMPLATE_ID_PATTERN,
  LICENSE_CONFIGURATION_ARN_PATTERN,
  list,
  NonEmptyString,
  ORGANIZATION_ARN_PATTERN,
  ORGANIZATIONAL_UNIT_ARN_PATTERN,
  OwnedTagMap,
  ResourceName,
  SSM_PARAMETER_NAME_PATTERN,
  StringList,
  string,
  TagMap,
} from './constraints.js';

/*
 * com.amazonaws.imagebuilder#CreateDistributionConfigurationRequest, without `clientToken`.
 * Docs-only rules (launch template id *or* name, SSM account must be a target account) are left
 * to AWS.
 */

const LaunchTemplateId = string({ pattern: LAUNCH_TEMPLATE_ID_PATTERN });

const LaunchPermissionConfiguration = z.strictObject({
  userIds: z.optional(AccountList),
  userGroups: z.optional(StringList),
  organizationArns: z.optional(
    list(string({ pattern: ORGANIZATION_ARN_PATTERN }), { min: 1, max: 25 }),
  ),
  organizationalUnitArns: z.optional(
    list(string({ pattern: ORGANIZATIONAL_UNIT_ARN_PATTERN }), { min: 1, max: 25 }),
  ),
});

const AmiDistributionConfiguration = z.strictObject({
  /** 1..127 by @length, but the pattern needs at least 3 characters. */
  name: z.optional(string({ min: 1, max: 127, pattern: AMI_NAME_PATTERN })),
  description: z.optional(NonEmptyString),
  targetAccountIds: z.optional(AccountList),
  amiTags: z.optional(TagMap),
  kmsKeyId: z.optional(NonEmptyString),
  launchPermission: z.optional(LaunchPermissionConfiguration),
});

const TargetContainerRepository = z.strictObject({
  service: z.enum(['ECR']),
  repositoryName: NonEmptyString,
});

const ContainerDistributionConfiguration = z.strictObject({
  description: z.optional(NonEmptyString),
  containerTags: z.optional(StringList),
  targetRepository: TargetContainerRepository,
});

const LaunchTemplateConfiguration = z.strictObject({
  launchTemplateId: LaunchTemplateId,
  accountId: z.optional(AccountId),
  setDefaultVersion: z.optional(z.boolean()),
});

const S3ExportConfiguration = z.strictObject({
  roleName: NonEmptyString,
  diskImageFormat: z.enum(['VMDK', 'RAW', 'VHD']),
  s3Bucket: NonEmptyString,
  s3Prefix: z.optional(NonEmptyString),
});

const FastLaunchSnapshotConfiguration = z.strictObject({
  targetResourceCount: z.optional(int32(1, 10000)),
});

const FastLaunchLaunchTemplateSpecification = z.strictObject({
  launchTemplateId: z.optional(LaunchTemplateId),
  launchTemplateName: z.optional(NonEmptyString),
  launchTemplateVersion: z.optional(NonEmptyString),
});

const FastLaunchConfiguration = z.strictObject({
  /** @required with @default(false): a caller must say it (docs/aws-contracts.md §4.11). */
  enabled: z.boolean(),
  snapshotConfiguration: z.optional(FastLaunchSnapshotConfiguration),
  /** Only a minimum since 2023-11-16; the int32 cap is the upper bound. */
  maxParallelLaunches: z.optional(int32(1)),
  launchTemplate: z.optional(FastLaunchLaunchTemplateSpecification),
  accountId: z.optional(AccountId),
});

const SsmParameterConfiguration = z.strictObject({
  amiAccountId: z.optional(AccountId),
  parameterName: string({ min: 1, max: 1011, pattern: SSM_PARAMETER_NAME_PATTERN }),
  dataType: z.optional(z.enum(['text', 'aws:ec2:image'])),
});

export const Distribution = z.strictObject({
  region: NonEmptyString,
  amiDistributionConfiguration: z.optional(AmiDistributionConfiguration),
  containerDistributionConfiguration: z.optional(ContainerDistributionConfiguration),
  licenseConfigurationArns: z.optional(
    list(string({ pattern: LICENSE_CONFIGURATION_ARN_PATTERN }), { min: 1, max: 50 }),
  ),
  launchTemplateConfigurations: z.optional(list(LaunchTemplateConfiguration, { min: 1, max: 100 })),
  s3ExportConfiguration: z.optional(S3ExportConfiguration),
  fastLaunchConfigurations: z.optional(list(FastLaunchConfiguration, { min: 1, max: 1000 })),
  ssmParameterConfigurations: z.optional(list(SsmParameterConfiguration)),
});

export const CreateDistributionConfigurationInput = z.strictObject({
  name: ResourceName,
  description: z.optional(NonEmptyString),
  /** No item-count trait in the model. */
  distributions: list(Distribution),
  /** Room left for the ownership tag the service adds. */
  tags: z.optional(OwnedTagMap),
});

export type CreateDistributionConfigurationInput = z.output<
  typeof CreateDistributionConfigurationInput
>;
