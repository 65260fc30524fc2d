import { GetInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { imagebuilderRead } from './imagebuilderRead.js';
import { GetInfrastructureConfigurationInput } from './schemas/index.js';

export const getInfrastructureConfiguration = imagebuilderRead({
  name: 'GetInfrastructureConfiguration',
  schema: GetInfrastructureConfigurationInput,
  send: (imagebuilder, input, options) =>
    imagebuilder.send(new GetInfrastructureConfigurationCommand(input), options),
  subject: (input) => input.infrastructureConfigurationArn,
});
