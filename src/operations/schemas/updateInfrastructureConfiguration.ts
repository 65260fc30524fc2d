import * as z from 'zod/mini';
import { InfrastructureConfigurationArn } from './constraints.js';
import { infrastructureConfigurationMembers } from './createInfrastructureConfiguration.js';

/*
 * com.amazonaws.imagebuilder#UpdateInfrastructureConfigurationRequest, without `clientToken`.
 * Unlike Create it has no `name` and no `tags` (those change through TagResource), and
 * `instanceProfileName` is still required.
 */
export const UpdateInfrastructureConfigurationInput = z.strictObject({
  infrastructureConfigurationArn: InfrastructureConfigurationArn,
  ...infrastructureConfigurationMembers,
});

export type UpdateInfrastructureConfigurationInput = z.output<
  typeof UpdateInfrastructureConfigurationInput
>;
