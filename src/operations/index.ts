import type * as z from 'zod/mini';
import { createDistributionConfiguration } from './createDistributionConfiguration.js';
import { createImageBuilder } from './createImageBuilder.js';
import { createInfrastructureConfiguration } from './createInfrastructureConfiguration.js';
import { getInfrastructureConfiguration } from './getInfrastructureConfiguration.js';
import type { Operation } from './operation.js';
import { updateInfrastructureConfiguration } from './updateInfrastructureConfiguration.js';

export type { AwsClients, Operation, Readiness, ReadinessCheck } from './operation.js';

const registry = {
  CreateInfrastructureConfiguration: createInfrastructureConfiguration,
  UpdateInfrastructureConfiguration: updateInfrastructureConfiguration,
  GetInfrastructureConfiguration: getInfrastructureConfiguration,
  CreateDistributionConfiguration: createDistributionConfiguration,
  CreateImageBuilder: createImageBuilder,
};

/** The AWS names of the operations the service offers: the keys of the registry. */
export type OperationName = keyof typeof registry;

/** The validated request of one operation, as its schema outputs it. */
export type OperationInput<Name extends OperationName> = z.output<
  (typeof registry)[Name]['schema']
>;

/** Any one operation of the registry, seen from code that handles every operation alike. */
export type AnyOperation = Operation<OperationName>;

/** Every operation the service offers, each filed under its own AWS name. */
export const operations: {
  readonly [Name in OperationName]: Operation<Name, OperationInput<Name>>;
} = registry;

export const isOperationName = (name: unknown): name is OperationName =>
  typeof name === 'string' && Object.hasOwn(operations, name);

export const findOperation = (name: unknown): AnyOperation | undefined =>
  isOperationName(name) ? operations[name] : undefined;
