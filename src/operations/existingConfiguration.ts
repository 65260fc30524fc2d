import {
  GetDistributionConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  type ImagebuilderClient,
} from '@aws-sdk/client-imagebuilder';
import type { OwnedResource } from './ownership.js';

type Options = { abortSignal?: AbortSignal };

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

export const readInfrastructureConfiguration = async (
  imagebuilder: ImagebuilderClient,
  arn: string,
  options: Options,
): Promise<OwnedResource> =>
  ownedOf(
    arn,
    (
      await imagebuilder.send(
        new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn: arn }),
        options,
      )
    ).infrastructureConfiguration,
  );

export const readDistributionConfiguration = async (
  imagebuilder: ImagebuilderClient,
  arn: string,
  options: Options,
): Promise<OwnedResource> =>
  ownedOf(
    arn,
    (
      await imagebuilder.send(
        new GetDistributionConfigurationCommand({ distributionConfigurationArn: arn }),
        options,
      )
    ).distributionConfiguration,
  );
