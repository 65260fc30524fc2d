import * as z from 'zod/mini';
import { DistributionConfigurationArn, list, NonEmptyString } from './constraints.js';
import { Distribution } from './createDistributionConfiguration.js';

/** com.amazonaws.imagebuilder#GetDistributionConfigurationRequest (`@httpQuery` ARN). */
export const GetDistributionConfigurationInput = z.strictObject({
  distributionConfigurationArn: DistributionConfigurationArn,
});
export type GetDistributionConfigurationInput = z.output<typeof GetDistributionConfigurationInput>;

/**
 * com.amazonaws.imagebuilder#UpdateDistributionConfigurationRequest, without `clientToken`. No
 * `name` and no `tags` (those change through TagResource), so the ownership tag stays as it was.
 */
export const UpdateDistributionConfigurationInput = z.strictObject({
  distributionConfigurationArn: DistributionConfigurationArn,
  description: z.optional(NonEmptyString),
  /** No item-count trait in the model. */
  distributions: list(Distribution),
});
export type UpdateDistributionConfigurationInput = z.output<
  typeof UpdateDistributionConfigurationInput
>;

/**
 * com.amazonaws.imagebuilder#DeleteDistributionConfigurationRequest (`@httpQuery` ARN). No
 * idempotency token: the caller's key is the service's alone.
 */
export const DeleteDistributionConfigurationInput = z.strictObject({
  distributionConfigurationArn: DistributionConfigurationArn,
});
export type DeleteDistributionConfigurationInput = z.output<
  typeof DeleteDistributionConfigurationInput
>;
