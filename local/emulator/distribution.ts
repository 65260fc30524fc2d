import { createDistributionConfigurationShape } from './distributionShapes.js';
import { ServiceError } from './errors.js';
import { withClientToken } from './idempotency.js';
import { imagebuilderArn } from './imagebuilder.js';
import type { OperationDefinition } from './operation.js';
import type { JsonObject } from './state.js';

/** Cross-field rules without a trait, answered with InvalidParameterCombinationException. */
function checkCombinations(distributions: JsonObject[]): void {
  const regions = new Set<unknown>();
  for (const distribution of distributions) {
    if (regions.has(distribution.region)) {
      throw new ServiceError(
        'InvalidParameterCombinationException',
        `Region '${String(distribution.region)}' appears in more than one distribution.`,
      );
    }
    regions.add(distribution.region);
    const fastLaunch = (distribution.fastLaunchConfigurations ?? []) as JsonObject[];
    for (const configuration of fastLaunch) {
      const template = configuration.launchTemplate as JsonObject | undefined;
      if (template?.launchTemplateId !== undefined && template.launchTemplateName !== undefined) {
        throw new ServiceError(
          'InvalidParameterCombinationException',
          'Specify either launchTemplateId or launchTemplateName for a fast launch template, not both.',
        );
      }
    }
  }
}

export const createDistributionConfiguration: OperationDefinition = {
  name: 'CreateDistributionConfiguration',
  shape: createDistributionConfigurationShape,
  run(input, context) {
    checkCombinations(input.distributions as JsonObject[]);
    return withClientToken(context, 'CreateDistributionConfiguration', input, () => {
      const arn = imagebuilderArn(context, 'distribution-configuration', String(input.name));
      if (context.store.distributionConfigurations.has(arn)) {
        throw new ServiceError(
          'ResourceAlreadyExistsException',
          `The resource '${arn}' already exists.`,
        );
      }
      const { clientToken, ...members } = input;
      context.store.distributionConfigurations.set(arn, {
        arn,
        input: members,
        dateCreated: context.now().toISOString(),
      });
      return { clientToken, distributionConfigurationArn: arn };
    });
  },
};
