import { createDistributionConfiguration } from './createDistributionConfiguration.js';
import { createImageBuilder } from './createImageBuilder.js';
import { createInfrastructureConfiguration } from './createInfrastructureConfiguration.js';
import { getInfrastructureConfiguration } from './getInfrastructureConfiguration.js';
import type { Operation } from './operation.js';
import type { OperationName } from './schemas/index.js';
import { updateInfrastructureConfiguration } from './updateInfrastructureConfiguration.js';

export type { AwsClients, Operation } from './operation.js';
export type { OperationName } from './schemas/index.js';

/** Every operation the service offers, by its AWS name. */
export const operations: Readonly<Record<OperationName, Operation>> = {
  CreateInfrastructureConfiguration: createInfrastructureConfiguration,
  UpdateInfrastructureConfiguration: updateInfrastructureConfiguration,
  GetInfrastructureConfiguration: getInfrastructureConfiguration,
  CreateDistributionConfiguration: createDistributionConfiguration,
  CreateImageBuilder: createImageBuilder,
};

export const findOperation = (name: unknown): Operation | undefined =>
  typeof name === 'string' && Object.hasOwn(operations, name)
    ? operations[name as OperationName]
    : undefined;
