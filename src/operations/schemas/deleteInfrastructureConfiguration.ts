import * as z from 'zod/mini';
import { InfrastructureConfigurationArn } from './constraints.js';

/**
 * com.amazonaws.imagebuilder#DeleteInfrastructureConfigurationRequest: the ARN travels as a query
 * parameter (`@httpQuery`). It has no idempotency token: the caller's key is the service's alone.
 */
export const DeleteInfrastructureConfigurationInput = z.strictObject({
  infrastructureConfigurationArn: InfrastructureConfigurationArn,
});

export type DeleteInfrastructureConfigurationInput = z.output<
  typeof DeleteInfrastructureConfigurationInput
>;
