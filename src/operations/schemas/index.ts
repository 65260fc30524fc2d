import type * as z from 'zod/mini';
import { CreateDistributionConfigurationInput } from './createDistributionConfiguration.js';
import { CreateImageBuilderInput } from './createImageBuilder.js';
import { CreateInfrastructureConfigurationInput } from './createInfrastructureConfiguration.js';
import { GetInfrastructureConfigurationInput } from './getInfrastructureConfiguration.js';
import { UpdateInfrastructureConfigurationInput } from './updateInfrastructureConfiguration.js';

export { CreateDistributionConfigurationInput } from './createDistributionConfiguration.js';
export { CreateImageBuilderInput } from './createImageBuilder.js';
export { CreateInfrastructureConfigurationInput } from './createInfrastructureConfiguration.js';
export { GetInfrastructureConfigurationInput } from './getInfrastructureConfiguration.js';
export { UpdateInfrastructureConfigurationInput } from './updateInfrastructureConfiguration.js';

export type OperationName =
  | 'CreateInfrastructureConfiguration'
  | 'UpdateInfrastructureConfiguration'
  | 'GetInfrastructureConfiguration'
  | 'CreateDistributionConfiguration'
  | 'CreateImageBuilder';

/** Each operation's request schema (token member excluded), by AWS operation name. */
export const requestSchemas = {
  CreateInfrastructureConfiguration: CreateInfrastructureConfigurationInput,
  UpdateInfrastructureConfiguration: UpdateInfrastructureConfigurationInput,
  GetInfrastructureConfiguration: GetInfrastructureConfigurationInput,
  CreateDistributionConfiguration: CreateDistributionConfigurationInput,
  CreateImageBuilder: CreateImageBuilderInput,
} as const satisfies Record<OperationName, z.ZodMiniType>;

export const operationNames = Object.keys(requestSchemas) as OperationName[];
