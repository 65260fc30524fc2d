import { CreateInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { imagebuilderWrite } from './imagebuilderWrite.js';
import { withOwnerTag } from './ownership.js';
import { CreateInfrastructureConfigurationInput } from './schemas/index.js';

export const createInfrastructureConfiguration = imagebuilderWrite({
  name: 'CreateInfrastructureConfiguration',
  schema: CreateInfrastructureConfigurationInput,
  send: (imagebuilder, input, options) =>
    imagebuilder.send(new CreateInfrastructureConfigurationCommand(input), options),
  subject: (input, output) => output?.infrastructureConfigurationArn ?? input.name,
  owned: (input, ownership) => ({ ...input, tags: withOwnerTag(ownership, input.tags) }),
});
