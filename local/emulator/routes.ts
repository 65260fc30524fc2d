import {
  createImageBuilder,
  deleteImageBuilder,
  describeImageBuilders,
  startImageBuilder,
  stopImageBuilder,
} from './appstream.js';
import {
  createDistributionConfiguration,
  deleteDistributionConfiguration,
  getDistributionConfiguration,
  listDistributionConfigurations,
  updateDistributionConfiguration,
} from './distribution.js';
import {
  createInfrastructureConfiguration,
  deleteInfrastructureConfiguration,
  getInfrastructureConfiguration,
  listInfrastructureConfigurations,
  updateInfrastructureConfiguration,
} from './imagebuilder.js';
import type { OperationDefinition } from './operation.js';
import { appstreamTagging, imagebuilderTagging } from './tags.js';

type Route = { method: string; operation: OperationDefinition };

/**
 * restJson1 routes: the `@http` method and URI of each Image Builder operation
 * (docs/aws-contracts.md §1.1). GET and DELETE take their input from the query string.
 */
export const IMAGEBUILDER_ROUTES: Readonly<Record<string, Route>> = {
  '/CreateInfrastructureConfiguration': {
    method: 'PUT',
    operation: createInfrastructureConfiguration,
  },
  '/UpdateInfrastructureConfiguration': {
    method: 'PUT',
    operation: updateInfrastructureConfiguration,
  },
  '/GetInfrastructureConfiguration': { method: 'GET', operation: getInfrastructureConfiguration },
  '/ListInfrastructureConfigurations': {
    method: 'POST',
    operation: listInfrastructureConfigurations,
  },
  '/DeleteInfrastructureConfiguration': {
    method: 'DELETE',
    operation: deleteInfrastructureConfiguration,
  },
  '/CreateDistributionConfiguration': { method: 'PUT', operation: createDistributionConfiguration },
  '/UpdateDistributionConfiguration': { method: 'PUT', operation: updateDistributionConfiguration },
  '/GetDistributionConfiguration': { method: 'GET', operation: getDistributionConfiguration },
  '/ListDistributionConfigurations': { method: 'POST', operation: listDistributionConfigurations },
  '/DeleteDistributionConfiguration': {
    method: 'DELETE',
    operation: deleteDistributionConfiguration,
  },
};

/**
 * Image Builder's tagging routes, `/tags/{resourceArn}` (the ARN URL-encoded as one path label):
 * GET ListTagsForResource, POST TagResource (body `{tags}`), DELETE UntagResource
 * (`?tagKeys=a&tagKeys=b`).
 */
export const IMAGEBUILDER_TAGS_PREFIX = '/tags/';
export const IMAGEBUILDER_TAG_ROUTES: Readonly<Record<string, OperationDefinition>> = {
  GET: imagebuilderTagging.listTagsForResource,
  POST: imagebuilderTagging.tagResource,
  DELETE: imagebuilderTagging.untagResource,
};

export const APPSTREAM_TARGET_PREFIX = 'PhotonAdminProxyService.';

/** awsJson1_1 operations by the part of `X-Amz-Target` after `PhotonAdminProxyService.`. */
export const APPSTREAM_OPERATIONS: Readonly<Record<string, OperationDefinition>> = {
  CreateImageBuilder: createImageBuilder,
  DescribeImageBuilders: describeImageBuilders,
  StopImageBuilder: stopImageBuilder,
  StartImageBuilder: startImageBuilder,
  DeleteImageBuilder: deleteImageBuilder,
  ListTagsForResource: appstreamTagging.listTagsForResource,
  TagResource: appstreamTagging.tagResource,
  UntagResource: appstreamTagging.untagResource,
};

/** Smithy RPC v2 CBOR request path: `[prefix]/service/<service>/operation/<operation>`. */
export const CBOR_PATH = /\/service\/([^/]+)\/operation\/([^/]+)$/;
