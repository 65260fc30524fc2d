import { CreateInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { defineOperation, responseBody } from './operation.js';
import { CreateInfrastructureConfigurationInput } from './schemas/index.js';

export const createInfrastructureConfiguration = defineOperation({
  name: 'CreateInfrastructureConfiguration',
  service: 'imagebuilder',
  kind: 'write',
  schema: CreateInfrastructureConfigurationInput,
  tokenMember: 'clientToken',
  execute: async ({ imagebuilder }, input, clientToken) =>
    responseBody(
      await imagebuilder.send(
        new CreateInfrastructureConfigurationCommand({ ...input, clientToken }),
      ),
    ),
  subject: (input, output) => output?.infrastructureConfigurationArn ?? input.name,
});
