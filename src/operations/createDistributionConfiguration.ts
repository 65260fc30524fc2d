import { CreateDistributionConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { imagebuilderWrite } from './imagebuilderWrite.js';
import { withOwnerTag } from './ownership.js';
import { CreateDistributionConfigurationInput } from './schemas/index.js';

export const createDistributionConfiguration = imagebuilderWrite({
  name: 'CreateDistributionConfiguration',
  schema: CreateDistributionConfigurationInput,
  send: (imagebuilder, input, options) =>
    imagebuilder.send(new CreateDistributionConfigurationCommand(input), options),
  subject: (input, output) => output?.distributionConfigurationArn ?? input.name,
  owned: (input, ownership) => ({ ...input, tags: withOwnerTag(ownership, input.tags) }),
});
