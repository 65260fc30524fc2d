import {
  GetDistributionConfigurationCommand,
  ListDistributionConfigurationsCommand,
  ListInfrastructureConfigurationsCommand,
} from '@aws-sdk/client-imagebuilder';
import { defineOperation, responseBody, sendOptions } from './operation.js';
import {
  GetDistributionConfigurationInput,
  ListDistributionConfigurationsInput,
  ListInfrastructureConfigurationsInput,
} from './schemas/index.js';

/** Reads change nothing: no ownership check, no token, no outcome over HTTP. */

export const listInfrastructureConfigurations = defineOperation({
  name: 'ListInfrastructureConfigurations',
  service: 'imagebuilder',
  kind: 'read',
  schema: ListInfrastructureConfigurationsInput,
  execute: async ({ imagebuilder }, input, _clientToken, signal) =>
    responseBody(
      await imagebuilder.send(
        new ListInfrastructureConfigurationsCommand(input),
        sendOptions(signal),
      ),
    ),
  subject: () => undefined,
});

export const listDistributionConfigurations = defineOperation({
  name: 'ListDistributionConfigurations',
  service: 'imagebuilder',
  kind: 'read',
  schema: ListDistributionConfigurationsInput,
  execute: async ({ imagebuilder }, input, _clientToken, signal) =>
    responseBody(
      await imagebuilder.send(
        new ListDistributionConfigurationsCommand(input),
        sendOptions(signal),
      ),
    ),
  subject: () => undefined,
});

export const getDistributionConfiguration = defineOperation({
  name: 'GetDistributionConfiguration',
  service: 'imagebuilder',
  kind: 'read',
  schema: GetDistributionConfigurationInput,
  execute: async ({ imagebuilder }, input, _clientToken, signal) =>
    responseBody(
      await imagebuilder.send(new GetDistributionConfigurationCommand(input), sendOptions(signal)),
    ),
  subject: (input) => input.distributionConfigurationArn,
});
