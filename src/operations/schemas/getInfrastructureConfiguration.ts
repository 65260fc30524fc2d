import * as z from 'zod/mini';
import { InfrastructureConfigurationArn } from './constraints.js';

/**
 * com.amazonaws.imagebuilder#GetInfrastructureConfigurationRequest: the ARN travels as a query
 * parameter (`@httpQuery`).
 */
export const GetInfrastructureConfigurationInput = z.strictObject({
  infrastructureConfigurationArn: InfrastructureConfigurationArn,
});

export type GetInfrastructureConfigurationInput = z.output<
  typeof GetInfrastructureConfigurationInput
>;
