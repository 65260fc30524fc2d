import * as z from 'zod/mini';
import {
  InfrastructureConfigurationArn,
  InstanceProfileNameType,
  InstanceTypeList,
  NonEmptyString,
  ResourceTagMap,
  SnsTopicArn,
  StringList,
} from './constraints.js';
import {
  InstanceMetadataOptions,
  Logging,
  Placement,
} from './createInfrastructureConfiguration.js';

/*
 * UpdateInfrastructureConfigurationRequest (contracts §4.1), without `clientToken`. Unlike Create it
 * has no `name` and no `tags` (those change through TagResource), and `instanceProfileName` is
 * still required.
 */
export const UpdateInfrastructureConfigurationInput = z.strictObject({
  infrastructureConfigurationArn: InfrastructureConfigurationArn,
  description: z.optional(NonEmptyString),
  instanceTypes: z.optional(InstanceTypeList),
  instanceProfileName: InstanceProfileNameType,
  securityGroupIds: z.optional(StringList),
  subnetId: z.optional(NonEmptyString),
  logging: z.optional(Logging),
  keyPair: z.optional(NonEmptyString),
  terminateInstanceOnFailure: z.optional(z.boolean()),
  snsTopicArn: z.optional(SnsTopicArn),
  resourceTags: z.optional(ResourceTagMap),
  instanceMetadataOptions: z.optional(InstanceMetadataOptions),
  placement: z.optional(Placement),
});

export type UpdateInfrastructureConfigurationInput = z.output<
  typeof UpdateInfrastructureConfigurationInput
>;
