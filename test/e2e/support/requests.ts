import { validRequests } from '../../fixtures/requests.js';

/*
 * AWS request bodies as a portal sends them, each with a name of its own so that tests sharing
 * one stack (and one stateful emulator) never collide.
 */

type Request = Record<string, unknown>;

/** The ownership tag the offline stack puts on what it creates: its key, and the stage's value. */
export const OWNER_TAG = 'image-provisioner:owner';
export const OWNER = 'image-provisioner.local';

export const infrastructureRequest = (name: string): Request => ({
  ...structuredClone(validRequests.CreateInfrastructureConfiguration),
  name,
});

/** The update body for the PUT route: the ARN travels in the path. */
export const infrastructureUpdate = (): Request => {
  const { infrastructureConfigurationArn: _inPath, ...body } = structuredClone(
    validRequests.UpdateInfrastructureConfiguration,
  );
  return body;
};

export const distributionRequest = (name: string): Request => ({
  ...structuredClone(validRequests.CreateDistributionConfiguration),
  name,
});

export const imageBuilderRequest = (name: string): Request => ({
  ...structuredClone(validRequests.CreateImageBuilder),
  Name: name,
});
