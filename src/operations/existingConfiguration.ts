import {
  GetDistributionConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  type ImagebuilderClient,
} from '@aws-sdk/client-imagebuilder';
import type { OwnedResource } from './ownership.js';

type Options = { abortSignal?: AbortSignal };

/*
 * The reads before a change: Image Builder's Get* answers with the configuration's `tags`
 * (com.amazonaws.imagebuilder#InfrastructureConfiguration and #DistributionConfiguration), and
 * with AWS's error when it holds no such configuration.
 */

export const readInfrastructureConfiguration = async (
  imagebuilder: ImagebuilderClient,
  arn: string,
  options: Options,
): Promise<OwnedResource> => {
  const { infrastructureConfiguration: found } = await imagebuilder.send(
    new GetInfrastructureConfigurationCommand({ infrastructureConfigurationArn: arn }),
    options,
  );
  return { arn: found?.arn ?? arn, ...(found?.tags ? { tags: found.tags } : {}) };
};

export const readDistributionConfiguration = async (
  imagebuilder: ImagebuilderClient,
  arn: string,
  options: Options,
): Promise<OwnedResource> => {
  const { distributionConfiguration: found } = await imagebuilder.send(
    new GetDistributionConfigurationCommand({ distributionConfigurationArn: arn }),
    options,
  );
  return { arn: found?.arn ?? arn, ...(found?.tags ? { tags: found.tags } : {}) };
};
