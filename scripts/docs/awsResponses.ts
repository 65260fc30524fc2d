import * as z from 'zod/mini';
import type { OperationName } from '../../src/operations/index.js';

/*
 * The AWS responses the service passes on, for the documents only: the service never validates
 * them (AWS is their source of truth). Shapes as in the models, output side
 * (com.amazonaws.imagebuilder#CreateInfrastructureConfigurationResponse,
 * #UpdateInfrastructureConfigurationResponse, #GetInfrastructureConfigurationResponse,
 * #CreateDistributionConfigurationResponse, #ListInfrastructureConfigurationsResponse,
 * #DeleteInfrastructureConfigurationResponse, #ListDistributionConfigurationsResponse,
 * #GetDistributionConfigurationResponse, #UpdateDistributionConfigurationResponse,
 * #DeleteDistributionConfigurationResponse; com.amazonaws.appstream#CreateImageBuilderResult,
 * #DescribeImageBuildersResult, #StopImageBuilderResult, #StartImageBuilderResult,
 * #DeleteImageBuilderResult).
 * Objects stay open and enums are plain strings: AWS adds members and values, and the service
 * passes them on unchanged.
 */

const text = z.string();
const optionalText = z.optional(text);
const list = z.optional(z.array(text));
const tags = z.optional(z.record(z.string(), z.string()));

/** com.amazonaws.imagebuilder: what every write of a configuration answers. */
const writeResponse = (arnMember: string) =>
  z.looseObject({
    requestId: optionalText,
    clientToken: optionalText,
    [arnMember]: optionalText,
  });

/** com.amazonaws.imagebuilder#InfrastructureConfiguration. */
const InfrastructureConfiguration = z.looseObject({
  arn: optionalText,
  name: optionalText,
  description: optionalText,
  instanceTypes: list,
  instanceProfileName: optionalText,
  securityGroupIds: list,
  subnetId: optionalText,
  logging: z.optional(
    z.looseObject({
      s3Logs: z.optional(z.looseObject({ s3BucketName: optionalText, s3KeyPrefix: optionalText })),
    }),
  ),
  keyPair: optionalText,
  terminateInstanceOnFailure: z.optional(z.boolean()),
  snsTopicArn: optionalText,
  dateCreated: optionalText,
  dateUpdated: optionalText,
  resourceTags: tags,
  instanceMetadataOptions: z.optional(
    z.looseObject({ httpTokens: optionalText, httpPutResponseHopLimit: z.optional(z.int()) }),
  ),
  tags,
  placement: z.optional(
    z.looseObject({
      availabilityZone: optionalText,
      tenancy: optionalText,
      hostId: optionalText,
      hostResourceGroupArn: optionalText,
    }),
  ),
});

/** An ISO 8601 timestamp: the SDK's `Date`, after the JSON round trip. */
const timestamp = z.optional(z.string().check(z.meta({ format: 'date-time' })));

/** com.amazonaws.appstream#ImageBuilder. */
const ImageBuilder = z.looseObject({
  Name: text,
  Arn: optionalText,
  ImageArn: optionalText,
  Description: optionalText,
  DisplayName: optionalText,
  VpcConfig: z.optional(z.looseObject({ SubnetIds: list, SecurityGroupIds: list })),
  InstanceType: optionalText,
  Platform: optionalText,
  IamRoleArn: optionalText,
  State: optionalText,
  StateChangeReason: z.optional(z.looseObject({ Code: optionalText, Message: optionalText })),
  CreatedTime: timestamp,
  EnableDefaultInternetAccess: z.optional(z.boolean()),
  DomainJoinInfo: z.optional(
    z.looseObject({
      DirectoryName: optionalText,
      OrganizationalUnitDistinguishedName: optionalText,
    }),
  ),
  NetworkAccessConfiguration: z.optional(
    z.looseObject({
      EniPrivateIpAddress: optionalText,
      EniIpv6Addresses: list,
      EniId: optionalText,
    }),
  ),
  ImageBuilderErrors: z.optional(
    z.array(
      z.looseObject({
        ErrorCode: optionalText,
        ErrorMessage: optionalText,
        ErrorTimestamp: timestamp,
      }),
    ),
  ),
  AppstreamAgentVersion: optionalText,
  AccessEndpoints: z.optional(
    z.array(z.looseObject({ EndpointType: optionalText, VpceId: optionalText })),
  ),
  RootVolumeConfig: z.optional(z.looseObject({ VolumeSizeInGb: z.optional(z.int()) })),
  LatestAppstreamAgentVersion: optionalText,
  DisableIMDSV1: z.optional(z.boolean()),
});

/** com.amazonaws.imagebuilder#InfrastructureConfigurationSummary. */
const InfrastructureConfigurationSummary = z.looseObject({
  arn: optionalText,
  name: optionalText,
  description: optionalText,
  dateCreated: optionalText,
  dateUpdated: optionalText,
  resourceTags: tags,
  tags,
  instanceTypes: list,
  instanceProfileName: optionalText,
  placement: InfrastructureConfiguration.shape.placement,
});

/** com.amazonaws.imagebuilder#DistributionConfigurationSummary. */
const DistributionConfigurationSummary = z.looseObject({
  arn: optionalText,
  name: optionalText,
  description: optionalText,
  dateCreated: optionalText,
  dateUpdated: optionalText,
  tags,
  regions: list,
});

/** com.amazonaws.imagebuilder#DistributionConfiguration: `distributions` as AWS holds them. */
const DistributionConfiguration = z.looseObject({
  arn: optionalText,
  name: optionalText,
  description: optionalText,
  distributions: z.optional(z.array(z.looseObject({ region: text }))),
  timeoutMinutes: z.optional(z.int()),
  dateCreated: optionalText,
  dateUpdated: optionalText,
  tags,
});

/** A page of an Image Builder list. */
const page = (member: string, item: z.ZodMiniType) =>
  z.looseObject({
    requestId: optionalText,
    [member]: z.optional(z.array(item)),
    nextToken: optionalText,
  });

/** What AppStream answers for a builder it stopped, started or deletes. */
const oneBuilder = z.looseObject({ ImageBuilder: z.optional(ImageBuilder) });

/** The one builder `GET /image-builders/{name}` answers, of DescribeImageBuilders' list. */
export const ImageBuilderAnswer = z.looseObject({ ImageBuilder });

export const responseSchemas = {
  CreateInfrastructureConfiguration: writeResponse('infrastructureConfigurationArn'),
  UpdateInfrastructureConfiguration: writeResponse('infrastructureConfigurationArn'),
  GetInfrastructureConfiguration: z.looseObject({
    requestId: optionalText,
    infrastructureConfiguration: z.optional(InfrastructureConfiguration),
  }),
  ListInfrastructureConfigurations: page(
    'infrastructureConfigurationSummaryList',
    InfrastructureConfigurationSummary,
  ),
  DeleteInfrastructureConfiguration: z.looseObject({
    requestId: optionalText,
    infrastructureConfigurationArn: optionalText,
  }),
  CreateDistributionConfiguration: writeResponse('distributionConfigurationArn'),
  ListDistributionConfigurations: page(
    'distributionConfigurationSummaryList',
    DistributionConfigurationSummary,
  ),
  GetDistributionConfiguration: z.looseObject({
    requestId: optionalText,
    distributionConfiguration: z.optional(DistributionConfiguration),
  }),
  UpdateDistributionConfiguration: writeResponse('distributionConfigurationArn'),
  DeleteDistributionConfiguration: z.looseObject({
    requestId: optionalText,
    distributionConfigurationArn: optionalText,
  }),
  CreateImageBuilder: oneBuilder,
  DescribeImageBuilders: z.looseObject({
    ImageBuilders: z.optional(z.array(ImageBuilder)),
    NextToken: optionalText,
  }),
  StopImageBuilder: oneBuilder,
  StartImageBuilder: oneBuilder,
  DeleteImageBuilder: oneBuilder,
} satisfies Record<OperationName, z.ZodMiniObject>;
