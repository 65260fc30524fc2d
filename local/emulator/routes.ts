import { createImageBuilder, describeImageBuilders } from './appstream.js';
import { createDistributionConfiguration } from './distribution.js';
import {
  createInfrastructureConfiguration,
  getInfrastructureConfiguration,
  updateInfrastructureConfiguration,
} from './imagebuilder.js';
import type { OperationDefinition } from './operation.js';

/**
 * restJson1 routes: the `@http` method and URI of each Image Builder operation
 * (docs/aws-contracts.md §1.1).
 */
export const IMAGEBUILDER_ROUTES: Readonly<
  Record<string, { method: string; operation: OperationDefinition }>
> = {
  '/CreateInfrastructureConfiguration': {
    method: 'PUT',
    operation: createInfrastructureConfiguration,
  },
  '/UpdateInfrastructureConfiguration': {
    method: 'PUT',
    operation: updateInfrastructureConfiguration,
  },
  '/GetInfrastructureConfiguration': { method: 'GET', operation: getInfrastructureConfiguration },
  '/CreateDistributionConfiguration': { method: 'PUT', operation: createDistributionConfiguration },
};

export const APPSTREAM_TARGET_PREFIX = 'PhotonAdminProxyService.';

/** awsJson1_1 operations by the part of `X-Amz-Target` after `PhotonAdminProxyService.`. */
export const APPSTREAM_OPERATIONS: Readonly<Record<string, OperationDefinition>> = {
  CreateImageBuilder: createImageBuilder,
  DescribeImageBuilders: describeImageBuilders,
};

/** Smithy RPC v2 CBOR request path: `[prefix]/service/<service>/operation/<operation>`. */
export const CBOR_PATH = /\/service\/([^/]+)\/operation\/([^/]+)$/;
