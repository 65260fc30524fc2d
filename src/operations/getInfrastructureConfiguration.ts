import { GetInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { defineOperation, responseBody } from './operation.js';
import { GetInfrastructureConfigurationInput } from './schemas/index.js';

export const getInfrastructureConfiguration = defineOperation({
  name: 'GetInfrastructureConfiguration',
  service: 'imagebuilder',
  kind: 'read',
  schema: GetInfrastructureConfigurationInput,
  execute: async ({ imagebuilder }, input) =>
    responseBody(await imagebuilder.send(new GetInfrastructureConfigurationCommand(input))),
  subject: (input) => input.infrastructureConfigurationArn,
});
