import * as z from 'zod/mini';
import {
  InstanceProfileNameType,
  InstanceTypeList,
  int32,
  NonEmptyString,
  OwnedTagMap,
  ResourceName,
  ResourceTagMap,
  SnsTopicArn,
  StringList,
} from './constraints.js';

/*
 * com.amazonaws.imagebuilder#CreateInfrastructureConfigurationRequest, without `clientToken`:
 * the pipeline takes the idempotency token out and checks it before this schema runs.
 */

const S3Logs = z.strictObject({
  s3BucketName: z.optional(NonEmptyString),
  s3KeyPrefix: z.optional(NonEmptyString),
});

const Logging = z.strictObject({
  s3Logs: z.optional(S3Logs),
});

export const InstanceMetadataOptions = z.strictObject({
  /**
   * The model's pattern `^optional|required$` also admits `optionalXYZ`/`XYZrequired` (an
   * unparenthesised alternation); the service means the two values, so only those pass.
   */
  httpTokens: z.optional(z.enum(['optional', 'required'])),
  httpPutResponseHopLimit: z.optional(int32(1, 64)),
});

/** hostId / hostResourceGroupArn exclusivity and tenancy=host are docs-only: left to AWS. */
const Placement = z.strictObject({
  availabilityZone: z.optional(NonEmptyString),
  tenancy: z.optional(z.enum(['default', 'dedicated', 'host'])),
  hostId: z.optional(NonEmptyString),
  hostResourceGroupArn: z.optional(NonEmptyString),
});

/**
 * The members CreateInfrastructureConfigurationRequest and UpdateInfrastructureConfigurationRequest
 * (namespace com.amazonaws.imagebuilder) share, in model order. Each request builds its strict
 * schema from these, keeping that order (a parsed request and the JSON Schema list members in
 * shape order).
 */
export const infrastructureConfigurationMembers = {
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
};

/**
 * Create adds `name` and `tags`; `tags` stands before `placement`, as in the model. `tags` leaves
 * room for the ownership tag the service adds (OwnedTagMap).
 */
const { placement, ...membersBeforePlacement } = infrastructureConfigurationMembers;

export const CreateInfrastructureConfigurationInput = z.strictObject({
  name: ResourceName,
  ...membersBeforePlacement,
  tags: z.optional(OwnedTagMap),
  placement,
});

export type CreateInfrastructureConfigurationInput = z.output<
  typeof CreateInfrastructureConfigurationInput
>;
