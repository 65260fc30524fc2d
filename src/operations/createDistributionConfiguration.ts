import { CreateDistributionConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { imagebuilderWrite } from './imagebuilderWrite.js';
import { CreateDistributionConfigurationInput } from './schemas/index.js';

export const createDistributionConfiguration = imagebuilderWrite({
  name: 'CreateDistributionConfiguration',
  schema: CreateDistributionConfigurationInput,
  send: (imagebuilder, input, options) =>
    imagebuilder.send(new CreateDistributionConfigurationCommand(input), options),
  subject: (input, output) => output?.distributionConfigurationArn ?? input.name,
});
