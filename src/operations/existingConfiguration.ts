import {
  GetDistributionConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  type ImagebuilderClient,
} from '@aws-sdk/client-imagebuilder';
import type { ExistingResource } from './imagebuilderWrite.js';
import type { SendOptions } from './operation.js';
import type { OwnedResource } from './ownership.js';

/** A configuration as Image Builder's Get* answers it: its ARN and `tags` (when it has any). */
const ownedOf = (
  arn: string,
  found: { arn?: string; tags?: Record<string, string> } | undefined,
) => ({
  arn: found?.arn ?? arn,
  ...(found?.tags ? { tags: found.tags } : {}),
});

/*
 * The reads before a change: Image Builder's Get* answers with the configuration's `tags`
 * (com.amazonaws.imagebuilder#InfrastructureConfiguration and #DistributionConfiguration), and
 * with AWS's error when it holds no such configuration.
 */

export const readInfrastructureConfiguration = (
  imagebuilder: ImagebuilderClient,
  arn: string,
  options: SendOptions,
): Promise<OwnedResource> =>
  imagebuilder
    .send(
      new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn: arn }),
      options,
    )
    .then(({ infrastructureConfiguration }) => ownedOf(arn, infrastructureConfiguration));

export const readDistributionConfiguration = (
  imagebuilder: ImagebuilderClient,
  arn: string,
  options: SendOptions,
): Promise<OwnedResource> =>
  imagebuilder
    .send(new GetDistributionConfigurationCommand({ distributionConfigurationArn: arn }), options)
    .then(({ distributionConfiguration }) => ownedOf(arn, distributionConfiguration));

/** The configuration whose ARN the request's `member` holds, read with `read` before a change. */
export const existingConfiguration = <const Member extends string>(
  member: Member,
  read: (
    imagebuilder: ImagebuilderClient,
    arn: string,
    options: SendOptions,
  ) => Promise<OwnedResource>,
): ExistingResource<Record<Member, string>> => ({
  path: `/${member}`,
  read: (imagebuilder, input, options) => read(imagebuilder, input[member], options),
});
