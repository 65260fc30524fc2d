import { UpdateDistributionConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { existingConfiguration, readDistributionConfiguration } from './existingConfiguration.js';
import { imagebuilderWrite } from './imagebuilderWrite.js';
import { UpdateDistributionConfigurationInput } from './schemas/index.js';

/** Has a clientToken of its own (com.amazonaws.imagebuilder#ClientToken, required). */
export const updateDistributionConfiguration = imagebuilderWrite({
  name: 'UpdateDistributionConfiguration',
  schema: UpdateDistributionConfigurationInput,
  send: (imagebuilder, input, options) =>
    imagebuilder.send(new UpdateDistributionConfigurationCommand(input), options),
  subject: (input) => input.distributionConfigurationArn,
  existing: existingConfiguration('distributionConfigurationArn', readDistributionConfiguration),
});
