import { UpdateInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { defineOperation, responseBody } from './operation.js';
import { UpdateInfrastructureConfigurationInput } from './schemas/index.js';

export const updateInfrastructureConfiguration = defineOperation({
  name: 'UpdateInfrastructureConfiguration',
  service: 'imagebuilder',
  kind: 'write',
  schema: UpdateInfrastructureConfigurationInput,
  tokenMember: 'clientToken',
  execute: async ({ imagebuilder }, input, clientToken) =>
    responseBody(
      await imagebuilder.send(
        new UpdateInfrastructureConfigurationCommand({ ...input, clientToken }),
      ),
    ),
  subject: (input) => input.infrastructureConfigurationArn,
});
