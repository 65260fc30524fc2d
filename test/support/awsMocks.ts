import {
  type AppStreamClient,
  CreateImageBuilderCommand,
  type CreateImageBuilderCommandInput,
  DeleteImageBuilderCommand,
  DescribeImageBuildersCommand,
  ListTagsForResourceCommand,
  StartImageBuilderCommand,
  StopImageBuilderCommand,
} from '@aws-sdk/client-appstream';
import {
  CreateDistributionConfigurationCommand,
  CreateInfrastructureConfigurationCommand,
  DeleteDistributionConfigurationCommand,
  DeleteInfrastructureConfigurationCommand,
  GetDistributionConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  type ImagebuilderClient,
  ListDistributionConfigurationsCommand,
  ListInfrastructureConfigurationsCommand,
  UpdateDistributionConfigurationCommand,
  UpdateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_OWNERSHIP, OWNER_TAG_KEY } from '../../src/operations/index.js';

const PREFIX = 'arn:aws:imagebuilder:us-east-1:123456789012';
const slug = (name: string) => name.toLowerCase().replaceAll(' ', '-');

export const infrastructureArn = (name: string) =>
  `${PREFIX}:infrastructure-configuration/${slug(name)}`;
export const distributionArn = (name: string) =>
  `${PREFIX}:distribution-configuration/${slug(name)}`;
export const imageBuilderArn = (name: string) =>
  `arn:aws:appstream:us-east-1:123456789012:image-builder/${name}`;

/** The tags of a resource the service created in the stage whose OUTCOME_SOURCE is `owner`. */
export const ownedTags = (owner: string = DEFAULT_OWNERSHIP.owner) => ({
  team: 'platform',
  [OWNER_TAG_KEY]: owner,
});

/** A builder as AppStream describes it. */
const builder = (Name: string, State: string) => ({
  Name,
  Arn: imageBuilderArn(Name),
  InstanceType: 'stream.standard.medium',
  State,
  CreatedTime: new Date('2026-11-21T10:00:00.000Z'),
});

/**
 * Answers every operation the way AWS would for a valid request; the resources it reads back
 * carry the ownership tag of the stage whose OUTCOME_SOURCE is `owner`.
 */
export const mockAws = (
  clients: {
    imagebuilder: ImagebuilderClient;
    appstream: AppStreamClient;
  },
  owner: string = DEFAULT_OWNERSHIP.owner,
) => {
  const OWNED_TAGS = ownedTags(owner);
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
      tags: OWNED_TAGS,
    },
  }));
  imagebuilder.on(ListInfrastructureConfigurationsCommand).resolves({
    requestId: 'aws-request-5',
    infrastructureConfigurationSummaryList: [
      { arn: infrastructureArn('my-infra'), name: 'my-infra', tags: OWNED_TAGS },
    ],
  });
  imagebuilder.on(DeleteInfrastructureConfigurationCommand).callsFake(async (input) => ({
    requestId: 'aws-request-6',
    infrastructureConfigurationArn: input.infrastructureConfigurationArn,
  }));
  imagebuilder.on(ListDistributionConfigurationsCommand).resolves({
    requestId: 'aws-request-7',
    distributionConfigurationSummaryList: [
      { arn: distributionArn('my-distribution'), name: 'my-distribution', tags: OWNED_TAGS },
    ],
  });
  imagebuilder.on(GetDistributionConfigurationCommand).callsFake(async (input) => ({
    requestId: 'aws-request-8',
    distributionConfiguration: {
      arn: input.distributionConfigurationArn,
      name: 'my-distribution',
      distributions: [{ region: 'us-east-1' }],
      timeoutMinutes: 720,
      tags: OWNED_TAGS,
    },
  }));
  imagebuilder.on(UpdateDistributionConfigurationCommand).callsFake(async (input) => ({
    requestId: 'aws-request-9',
    clientToken: input.clientToken,
    distributionConfigurationArn: input.distributionConfigurationArn,
  }));
  imagebuilder.on(DeleteDistributionConfigurationCommand).callsFake(async (input) => ({
    requestId: 'aws-request-10',
    distributionConfigurationArn: input.distributionConfigurationArn,
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
  appstream.on(DescribeImageBuildersCommand).callsFake(async (input) => ({
    ImageBuilders: (input.Names ?? ['finance-apps-builder']).map((name: string) =>
      builder(name, 'RUNNING'),
    ),
  }));
  appstream.on(ListTagsForResourceCommand).resolves({ Tags: OWNED_TAGS });
  appstream
    .on(StopImageBuilderCommand)
    .callsFake(async (input) => ({ ImageBuilder: builder(input.Name, 'STOPPING') }));
  appstream
    .on(StartImageBuilderCommand)
    .callsFake(async (input) => ({ ImageBuilder: builder(input.Name, 'PENDING') }));
  appstream
    .on(DeleteImageBuilderCommand)
    .callsFake(async (input) => ({ ImageBuilder: builder(input.Name, 'DELETING') }));
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
