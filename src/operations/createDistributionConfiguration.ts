import { CreateDistributionConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { defineOperation, responseBody, sendOptions } from './operation.js';
import { CreateDistributionConfigurationInput } from './schemas/index.js';

export const createDistributionConfiguration = defineOperation({
  name: 'CreateDistributionConfiguration',
  service: 'imagebuilder',
  kind: 'write',
  schema: CreateDistributionConfigurationInput,
  tokenMember: 'clientToken',
  // The token goes to AWS too: its own idempotency makes a repeated call safe.
  execute: async ({ imagebuilder }, input, clientToken, signal) =>
    responseBody(
      await imagebuilder.send(
        new CreateDistributionConfigurationCommand({ ...input, clientToken }),
        sendOptions(signal),
      ),
    ),
  subject: (input, output) => output?.distributionConfigurationArn ?? input.name,
});
