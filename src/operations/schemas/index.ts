export { CreateDistributionConfigurationInput } from './createDistributionConfiguration.js';
export { CreateImageBuilderInput } from './createImageBuilder.js';
export { CreateInfrastructureConfigurationInput } from './createInfrastructureConfiguration.js';
export { DeleteInfrastructureConfigurationInput } from './deleteInfrastructureConfiguration.js';
export {
  DeleteDistributionConfigurationInput,
  GetDistributionConfigurationInput,
  UpdateDistributionConfigurationInput,
} from './distributionConfigurationLifecycle.js';
export { GetInfrastructureConfigurationInput } from './getInfrastructureConfiguration.js';
export {
  DeleteImageBuilderInput,
  DescribeImageBuildersInput,
  StartImageBuilderInput,
  StopImageBuilderInput,
} from './imageBuilderLifecycle.js';
export {
  ListDistributionConfigurationsInput,
  ListInfrastructureConfigurationsInput,
} from './listConfigurations.js';
export { UpdateInfrastructureConfigurationInput } from './updateInfrastructureConfiguration.js';
