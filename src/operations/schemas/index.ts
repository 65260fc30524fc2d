export { CreateDistributionConfigurationInput } from './createDistributionConfiguration.js';
export { CreateImageBuilderInput } from './createImageBuilder.js';
export { CreateInfrastructureConfigurationInput } from './createInfrastructureConfiguration.js';
export { GetInfrastructureConfigurationInput } from './getInfrastructureConfiguration.js';
export { UpdateInfrastructureConfigurationInput } from './updateInfrastructureConfiguration.js';
