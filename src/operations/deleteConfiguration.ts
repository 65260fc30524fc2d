import {
  DeleteDistributionConfigurationCommand,
  DeleteInfrastructureConfigurationCommand,
  type ImagebuilderClient,
} from '@aws-sdk/client-imagebuilder';
import {
  existingConfiguration,
  readDistributionConfiguration,
  readInfrastructureConfiguration,
} from './existingConfiguration.js';
import { checkOwnership } from './imagebuilderWrite.js';
import {
  defineOperation,
  type OperationDeclaration,
  responseBody,
  type SendOptions,
  sendOptions,
} from './operation.js';
import type { OwnedResource } from './ownership.js';
import {
  DeleteDistributionConfigurationInput,
  DeleteInfrastructureConfigurationInput,
} from './schemas/index.js';

/** `send` sends the delete of the configuration whose ARN it is given. */
interface ConfigurationDelete<Name extends string, Member extends string, Output>
  extends OperationDeclaration<Name, Record<Member, string>, ImagebuilderClient, Output, string> {
  /** The request member that holds the configuration's ARN. */
  member: Member;
  read(imagebuilder: ImagebuilderClient, arn: string, options: SendOptions): Promise<OwnedResource>;
}

/**
 * An Image Builder delete. It takes no clientToken: the caller's key (Idempotency-Key, the
 * message's clientToken, else one the service makes) is the service's alone, and a delete carried
 * out under it is answered from its record. A configuration that is gone is AWS's
 * ResourceNotFoundException from the read before the delete (404), stored like any permanent
 * failure.
 */
const configurationDelete = <
  const Name extends string,
  const Member extends string,
  Output extends { $metadata?: unknown },
>({
  name,
  schema,
  member,
  read,
  send,
}: ConfigurationDelete<Name, Member, Output>) => {
  const existing = existingConfiguration(member, read);
  return defineOperation({
    name,
    service: 'imagebuilder',
    kind: 'write',
    schema,
    execute: async (context, input, _clientToken, signal) => {
      const options = sendOptions(signal);
      await checkOwnership(context, existing, input, options);
      return responseBody(await send(context.imagebuilder, input[member], options));
    },
    subject: (input) => input[member],
  });
};

export const deleteInfrastructureConfiguration = configurationDelete({
  name: 'DeleteInfrastructureConfiguration',
  schema: DeleteInfrastructureConfigurationInput,
  member: 'infrastructureConfigurationArn',
  read: readInfrastructureConfiguration,
  send: (imagebuilder, infrastructureConfigurationArn, options) =>
    imagebuilder.send(
      new DeleteInfrastructureConfigurationCommand({ infrastructureConfigurationArn }),
      options,
    ),
});

export const deleteDistributionConfiguration = configurationDelete({
  name: 'DeleteDistributionConfiguration',
  schema: DeleteDistributionConfigurationInput,
  member: 'distributionConfigurationArn',
  read: readDistributionConfiguration,
  send: (imagebuilder, distributionConfigurationArn, options) =>
    imagebuilder.send(
      new DeleteDistributionConfigurationCommand({ distributionConfigurationArn }),
      options,
    ),
});
