import { UpdateInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { defineOperation, responseBody, sendOptions } from './operation.js';
import { UpdateInfrastructureConfigurationInput } from './schemas/index.js';

export const updateInfrastructureConfiguration = defineOperation({
  name: 'UpdateInfrastructureConfiguration',
  service: 'imagebuilder',
  kind: 'write',
  schema: UpdateInfrastructureConfigurationInput,
  tokenMember: 'clientToken',
  // The token goes to AWS too: its own idempotency makes a repeated call safe.
  execute: async ({ imagebuilder }, input, clientToken, signal) =>
    responseBody(
      await imagebuilder.send(
        new UpdateInfrastructureConfigurationCommand({ ...input, clientToken }),
        sendOptions(signal),
      ),
    ),
  subject: (input) => input.infrastructureConfigurationArn,
});
