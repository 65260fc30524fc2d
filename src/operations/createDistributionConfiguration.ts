import { CreateDistributionConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { defineOperation, responseBody } from './operation.js';
import { CreateDistributionConfigurationInput } from './schemas/index.js';

export const createDistributionConfiguration = defineOperation({
  name: 'CreateDistributionConfiguration',
  service: 'imagebuilder',
  kind: 'write',
  schema: CreateDistributionConfigurationInput,
  tokenMember: 'clientToken',
  execute: async ({ imagebuilder }, input, clientToken) =>
    responseBody(
      await imagebuilder.send(
        new CreateDistributionConfigurationCommand({ ...input, clientToken }),
      ),
    ),
  subject: (input, output) => output?.distributionConfigurationArn ?? input.name,
});
