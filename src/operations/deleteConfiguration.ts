import {
  DeleteDistributionConfigurationCommand,
  DeleteInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import {
  readDistributionConfiguration,
  readInfrastructureConfiguration,
} from './existingConfiguration.js';
import { checkOwnership } from './imagebuilderWrite.js';
import { defineOperation, responseBody, sendOptions } from './operation.js';
import {
  DeleteDistributionConfigurationInput,
  DeleteInfrastructureConfigurationInput,
} from './schemas/index.js';

/*
 * Image Builder's deletes take no clientToken: the caller's key (Idempotency-Key, the message's
 * clientToken, else one the service makes) is the service's alone, and a delete already carried
 * out under it is answered from its record. A configuration that is gone is AWS's
 * ResourceNotFoundException from the read before the delete (404), stored like any permanent
 * failure.
 */

export const deleteInfrastructureConfiguration = defineOperation({
  name: 'DeleteInfrastructureConfiguration',
  service: 'imagebuilder',
  kind: 'write',
  schema: DeleteInfrastructureConfigurationInput,
  execute: async (context, input, _clientToken, signal) => {
    const options = sendOptions(signal);
    await checkOwnership(
      context,
      {
        path: '/infrastructureConfigurationArn',
        read: (imagebuilder, { infrastructureConfigurationArn }, readOptions) =>
          readInfrastructureConfiguration(
            imagebuilder,
            infrastructureConfigurationArn,
            readOptions,
          ),
      },
      input,
      options,
    );
    return responseBody(
      await context.imagebuilder.send(new DeleteInfrastructureConfigurationCommand(input), options),
    );
  },
  subject: (input) => input.infrastructureConfigurationArn,
});

export const deleteDistributionConfiguration = defineOperation({
  name: 'DeleteDistributionConfiguration',
  service: 'imagebuilder',
  kind: 'write',
  schema: DeleteDistributionConfigurationInput,
  execute: async (context, input, _clientToken, signal) => {
    const options = sendOptions(signal);
    await checkOwnership(
      context,
      {
        path: '/distributionConfigurationArn',
        read: (imagebuilder, { distributionConfigurationArn }, readOptions) =>
          readDistributionConfiguration(imagebuilder, distributionConfigurationArn, readOptions),
      },
      input,
      options,
    );
    return responseBody(
      await context.imagebuilder.send(new DeleteDistributionConfigurationCommand(input), options),
    );
  },
  subject: (input) => input.distributionConfigurationArn,
});
