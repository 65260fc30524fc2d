import { UpdateInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { existingConfiguration, readInfrastructureConfiguration } from './existingConfiguration.js';
import { imagebuilderWrite } from './imagebuilderWrite.js';
import { UpdateInfrastructureConfigurationInput } from './schemas/index.js';

export const updateInfrastructureConfiguration = imagebuilderWrite({
  name: 'UpdateInfrastructureConfiguration',
  schema: UpdateInfrastructureConfigurationInput,
  send: (imagebuilder, input, options) =>
    imagebuilder.send(new UpdateInfrastructureConfigurationCommand(input), options),
  subject: (input) => input.infrastructureConfigurationArn,
  existing: existingConfiguration(
    'infrastructureConfigurationArn',
    readInfrastructureConfiguration,
  ),
});
