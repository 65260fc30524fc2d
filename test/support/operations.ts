import { CreateImageBuilderCommand } from '@aws-sdk/client-appstream';
import {
  CreateDistributionConfigurationCommand,
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  UpdateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import type * as z from 'zod/mini';
import {
  type OperationInput,
  type OperationName,
  OWNER_TAG_KEY,
  operations,
} from '../../src/operations/index.js';
import { infrastructureArn } from './awsMocks.js';

/** Every operation's name, in registry order. */
export const operationNames: OperationName[] = Object.values(operations).map(({ name }) => name);

/** An operation's request schema, widened: validate infers its output from one schema. */
export const schemaOf = (name: OperationName): z.ZodMiniType => operations[name].schema;

/** A fixture as the pipeline hands it on once its schema admitted it (throws if it does not). */
export const admitted = <Name extends OperationName>(
  name: Name,
  request: unknown,
): OperationInput<Name> => operations[name].schema.parse(request);

export const EXISTING_INFRASTRUCTURE_ARN = infrastructureArn('my-infra');

/** How each operation is reached over HTTP, and the SDK command it must end in. */
export const OPERATION_CASES = [
  {
    operation: 'CreateInfrastructureConfiguration',
    method: 'POST',
    route: '/infrastructure-configurations',
    command: CreateInfrastructureConfigurationCommand,
    service: 'imagebuilder',
    tokenMember: 'clientToken',
    successStatus: 201,
    readsFirst: 0,
  },
  {
    operation: 'UpdateInfrastructureConfiguration',
    method: 'PUT',
    route: '/infrastructure-configurations/{arn}',
    command: UpdateInfrastructureConfigurationCommand,
    service: 'imagebuilder',
    tokenMember: 'clientToken',
    successStatus: 200,
    // The configuration is read first: whose it is (src/operations/ownership.ts).
    readsFirst: 1,
  },
  {
    operation: 'GetInfrastructureConfiguration',
    method: 'GET',
    route: '/infrastructure-configurations/{arn}',
    command: GetInfrastructureConfigurationCommand,
    service: 'imagebuilder',
    tokenMember: undefined,
    successStatus: 200,
    readsFirst: 0,
  },
  {
    operation: 'CreateDistributionConfiguration',
    method: 'POST',
    route: '/distribution-configurations',
    command: CreateDistributionConfigurationCommand,
    service: 'imagebuilder',
    tokenMember: 'clientToken',
    successStatus: 201,
    readsFirst: 0,
  },
  {
    operation: 'CreateImageBuilder',
    method: 'POST',
    route: '/image-builders',
    command: CreateImageBuilderCommand,
    service: 'appstream',
    tokenMember: 'ClientToken',
    successStatus: 201,
    readsFirst: 0,
  },
] as const satisfies ReadonlyArray<{
  operation: OperationName;
  method: 'GET' | 'POST' | 'PUT';
  route: string;
  command: unknown;
  service: 'imagebuilder' | 'appstream';
  tokenMember: 'clientToken' | 'ClientToken' | undefined;
  successStatus: 200 | 201;
  /** AWS reads the operation makes before its own call. */
  readsFirst: 0 | 1;
}>;

/** The tags member of each create: where the service adds its ownership tag. */
const TAGS_MEMBERS: Partial<Record<OperationName, string>> = {
  CreateInfrastructureConfiguration: 'tags',
  CreateDistributionConfiguration: 'tags',
  CreateImageBuilder: 'Tags',
};

/** What the service sends AWS for `request`: a create's tags gain the ownership tag of `owner`. */
export const sentToAws = (
  operation: OperationName,
  request: Record<string, unknown>,
  owner: string,
): Record<string, unknown> => {
  const member = TAGS_MEMBERS[operation];
  if (!member) return request;
  const tags = request[member] as Record<string, string> | undefined;
  return { ...request, [member]: { ...tags, [OWNER_TAG_KEY]: owner } };
};

export type OperationCase = (typeof OPERATION_CASES)[number];

/** The HTTP event that carries `request` for this operation: ARN routes take it from the path. */
export const httpEventFor = (
  testCase: OperationCase,
  request: unknown,
  headers: Record<string, string> = {},
) => {
  const given =
    typeof request === 'object' && request !== null
      ? (request as Record<string, unknown>).infrastructureConfigurationArn
      : undefined;
  const arn = testCase.route.includes('{arn}') && typeof given === 'string' ? given : undefined;
  return {
    method: testCase.method,
    route: testCase.route,
    ...(arn === undefined ? {} : { arn }),
    ...(testCase.method === 'GET' ? {} : { body: request }),
    headers,
  };
};
