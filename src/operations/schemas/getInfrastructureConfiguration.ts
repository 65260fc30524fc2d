import * as z from 'zod/mini';
import { InfrastructureConfigurationArn } from './constraints.js';

/** GetInfrastructureConfigurationRequest (contracts §5.1): the ARN travels as a query parameter. */
export const GetInfrastructureConfigurationInput = z.strictObject({
  infrastructureConfigurationArn: InfrastructureConfigurationArn,
});

export type GetInfrastructureConfigurationInput = z.output<
  typeof GetInfrastructureConfigurationInput
>;
