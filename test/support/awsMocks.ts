import {
  type AppStreamClient,
  CreateImageBuilderCommand,
  type CreateImageBuilderCommandInput,
} from '@aws-sdk/client-appstream';
import {
  CreateDistributionConfigurationCommand,
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  type ImagebuilderClient,
  UpdateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { mockClient } from 'aws-sdk-client-mock';

const PREFIX = 'arn:aws:imagebuilder:us-east-1:123456789012';
const slug = (name: string) => name.toLowerCase().replaceAll(' ', '-');

export const infrastructureArn = (name: string) =>
  `${PREFIX}:infrastructure-configuration/${slug(name)}`;
export const distributionArn = (name: string) =>
  `${PREFIX}:distribution-configuration/${slug(name)}`;
export const imageBuilderArn = (name: string) =>
  `arn:aws:appstream:us-east-1:123456789012:image-builder/${name}`;

/** Answers every operation the way AWS would for a valid request. */
export const mockAws = (clients: {
  imagebuilder: ImagebuilderClient;
  appstream: AppStreamClient;
}) => {
  const imagebuilder = mockClient(clients.imagebuilder);
  const appstream = mockClient(clients.appstream);
  imagebuilder.on(CreateInfrastructureConfigurationCommand).callsFake(async (input) => ({
    requestId: 'aws-request-1',
    clientToken: input.clientToken,
    infrastructureConfigurationArn: infrastructureArn(input.name),
  }));
  imagebuilder.on(UpdateInfrastructureConfigurationCommand).callsFake(async (input) => ({
    requestId: 'aws-request-2',
    clientToken: input.clientToken,
    infrastructureConfigurationArn: input.infrastructureConfigurationArn,
  }));
  imagebuilder.on(GetInfrastructureConfigurationCommand).callsFake(async (input) => ({
    requestId: 'aws-request-3',
    infrastructureConfiguration: {
      arn: input.infrastructureConfigurationArn,
      name: 'my-infra',
      instanceProfileName: 'ImageBuilderInstanceProfile',
      dateCreated: '2026-11-21T10:00:00.000Z',
    },
  }));
  imagebuilder.on(CreateDistributionConfigurationCommand).callsFake(async (input) => ({
    requestId: 'aws-request-4',
    clientToken: input.clientToken,
    distributionConfigurationArn: distributionArn(input.name),
  }));
  appstream
    .on(CreateImageBuilderCommand)
    .callsFake(async (input: CreateImageBuilderCommandInput) => ({
      ImageBuilder: {
        Name: input.Name,
        Arn: imageBuilderArn(input.Name ?? ''),
        InstanceType: input.InstanceType,
        State: 'PENDING',
        CreatedTime: new Date('2026-11-21T10:00:00.000Z'),
      },
    }));
  return {
    imagebuilder,
    appstream,
    /** Every AWS call made, whatever the service. */
    calls: () => [...imagebuilder.calls(), ...appstream.calls()],
    reset: () => {
      imagebuilder.restore();
      appstream.restore();
    },
  };
};

export type AwsMocks = ReturnType<typeof mockAws>;
