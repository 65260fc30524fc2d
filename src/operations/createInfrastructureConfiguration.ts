import { CreateInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { defineOperation, responseBody, sendOptions } from './operation.js';
import { CreateInfrastructureConfigurationInput } from './schemas/index.js';

export const createInfrastructureConfiguration = defineOperation({
  name: 'CreateInfrastructureConfiguration',
  service: 'imagebuilder',
  kind: 'write',
  schema: CreateInfrastructureConfigurationInput,
  tokenMember: 'clientToken',
  // The token goes to AWS too: its own idempotency makes a repeated call safe.
  execute: async ({ imagebuilder }, input, clientToken, signal) =>
    responseBody(
      await imagebuilder.send(
        new CreateInfrastructureConfigurationCommand({ ...input, clientToken }),
        sendOptions(signal),
      ),
    ),
  subject: (input, output) => output?.infrastructureConfigurationArn ?? input.name,
});
