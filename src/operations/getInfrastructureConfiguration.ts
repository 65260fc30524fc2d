import { GetInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { defineOperation, responseBody, sendOptions } from './operation.js';
import { GetInfrastructureConfigurationInput } from './schemas/index.js';

export const getInfrastructureConfiguration = defineOperation({
  name: 'GetInfrastructureConfiguration',
  service: 'imagebuilder',
  kind: 'read',
  schema: GetInfrastructureConfigurationInput,
  execute: async ({ imagebuilder }, input, _clientToken, signal) =>
    responseBody(
      await imagebuilder.send(
        new GetInfrastructureConfigurationCommand(input),
        sendOptions(signal),
      ),
    ),
  subject: (input) => input.infrastructureConfigurationArn,
});
