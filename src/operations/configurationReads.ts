import {
  GetDistributionConfigurationCommand,
  ListDistributionConfigurationsCommand,
  ListInfrastructureConfigurationsCommand,
} from '@aws-sdk/client-imagebuilder';
import { imagebuilderRead } from './imagebuilderRead.js';
import {
  GetDistributionConfigurationInput,
  ListDistributionConfigurationsInput,
  ListInfrastructureConfigurationsInput,
} from './schemas/index.js';

export const listInfrastructureConfigurations = imagebuilderRead({
  name: 'ListInfrastructureConfigurations',
  schema: ListInfrastructureConfigurationsInput,
  send: (imagebuilder, input, options) =>
    imagebuilder.send(new ListInfrastructureConfigurationsCommand(input), options),
});

export const listDistributionConfigurations = imagebuilderRead({
  name: 'ListDistributionConfigurations',
  schema: ListDistributionConfigurationsInput,
  send: (imagebuilder, input, options) =>
    imagebuilder.send(new ListDistributionConfigurationsCommand(input), options),
});

export const getDistributionConfiguration = imagebuilderRead({
  name: 'GetDistributionConfiguration',
  schema: GetDistributionConfigurationInput,
  send: (imagebuilder, input, options) =>
    imagebuilder.send(new GetDistributionConfigurationCommand(input), options),
  subject: (input) => input.distributionConfigurationArn,
});
