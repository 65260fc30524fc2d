import type * as z from 'zod/mini';
import {
  getDistributionConfiguration,
  listDistributionConfigurations,
  listInfrastructureConfigurations,
} from './configurationReads.js';
import { createDistributionConfiguration } from './createDistributionConfiguration.js';
import { createImageBuilder } from './createImageBuilder.js';
import { createInfrastructureConfiguration } from './createInfrastructureConfiguration.js';
import {
  deleteDistributionConfiguration,
  deleteInfrastructureConfiguration,
} from './deleteConfiguration.js';
import { getInfrastructureConfiguration } from './getInfrastructureConfiguration.js';
import {
  deleteImageBuilder,
  describeImageBuilders,
  startImageBuilder,
  stopImageBuilder,
} from './imageBuilderLifecycle.js';
import type { Operation } from './operation.js';
import { updateDistributionConfiguration } from './updateDistributionConfiguration.js';
import { updateInfrastructureConfiguration } from './updateInfrastructureConfiguration.js';

export type {
  AwsClients,
  ExecutionContext,
  Operation,
  Readiness,
  ReadinessCheck,
} from './operation.js';
export { createOncePerRequest } from './operation.js';
export { DEFAULT_OWNERSHIP, OWNER_TAG_KEY, type Ownership } from './ownership.js';

const registry = {
  CreateInfrastructureConfiguration: createInfrastructureConfiguration,
  UpdateInfrastructureConfiguration: updateInfrastructureConfiguration,
  GetInfrastructureConfiguration: getInfrastructureConfiguration,
  ListInfrastructureConfigurations: listInfrastructureConfigurations,
  DeleteInfrastructureConfiguration: deleteInfrastructureConfiguration,
  CreateDistributionConfiguration: createDistributionConfiguration,
  ListDistributionConfigurations: listDistributionConfigurations,
  GetDistributionConfiguration: getDistributionConfiguration,
  UpdateDistributionConfiguration: updateDistributionConfiguration,
  DeleteDistributionConfiguration: deleteDistributionConfiguration,
  CreateImageBuilder: createImageBuilder,
  DescribeImageBuilders: describeImageBuilders,
  StopImageBuilder: stopImageBuilder,
  StartImageBuilder: startImageBuilder,
  DeleteImageBuilder: deleteImageBuilder,
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
