import {
  accountId,
  accountList,
  clientToken,
  DISTRIBUTION_CONFIGURATION_ARN_PATTERN,
  launchTemplateId,
  nonEmptyString,
  pattern,
  resourceName,
  structure,
  tagMap,
} from './imagebuilderShapes.js';
import type { Shape } from './validation.js';

/**
 * Input shapes of the distribution configuration operations
 * (com.amazonaws.imagebuilder#CreateDistributionConfigurationRequest,
 * #UpdateDistributionConfigurationRequest, #GetDistributionConfigurationRequest,
 * #DeleteDistributionConfigurationRequest; patterns verbatim).
 */
const distribution = structure(
  {
    region: nonEmptyString,
    amiDistributionConfiguration: structure({
      name: {
        type: 'string',
        min: 1,
        max: 127,
        pattern: pattern(String.raw`^[-_A-Za-z0-9{][-_A-Za-z0-9\s:{}\.]+[-_A-Za-z0-9}]$`),
      },
      description: nonEmptyString,
      targetAccountIds: accountList,
      amiTags: tagMap,
      kmsKeyId: nonEmptyString,
      launchPermission: structure({
        userIds: accountList,
        userGroups: { type: 'list', member: nonEmptyString },
        organizationArns: {
          type: 'list',
          min: 1,
          max: 25,
          member: {
            type: 'string',
            pattern: pattern(
              '^arn:aws[^:]*:organizations::[0-9]{12}:organization/o-[a-z0-9]{10,32}$',
            ),
          },
        },
        organizationalUnitArns: {
          type: 'list',
          min: 1,
          max: 25,
          member: {
            type: 'string',
            pattern: pattern(
              '^arn:aws[^:]*:organizations::[0-9]{12}:ou/o-[a-z0-9]{10,32}/ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$',
            ),
          },
        },
      }),
    }),
    containerDistributionConfiguration: structure(
      {
        description: nonEmptyString,
        containerTags: { type: 'list', member: nonEmptyString },
        targetRepository: structure(
          { service: { type: 'string', enum: ['ECR'] }, repositoryName: nonEmptyString },
          ['service', 'repositoryName'],
        ),
      },
      ['targetRepository'],
    ),
    licenseConfigurationArns: {
      type: 'list',
      min: 1,
      max: 50,
      member: {
        type: 'string',
        pattern: pattern(
          '^arn:aws[^:]*:license-manager:[^:]+:[0-9]{12}:license-configuration:lic-[a-z0-9-_]{32}$',
        ),
      },
    },
    launchTemplateConfigurations: {
      type: 'list',
      min: 1,
      max: 100,
      member: structure({ launchTemplateId, accountId, setDefaultVersion: { type: 'boolean' } }, [
        'launchTemplateId',
      ]),
    },
    s3ExportConfiguration: structure(
      {
        roleName: nonEmptyString,
        diskImageFormat: { type: 'string', enum: ['VMDK', 'RAW', 'VHD'] },
        s3Bucket: nonEmptyString,
        s3Prefix: nonEmptyString,
      },
      ['roleName', 'diskImageFormat', 's3Bucket'],
    ),
    fastLaunchConfigurations: {
      type: 'list',
      min: 1,
      max: 1000,
      member: structure(
        {
          enabled: { type: 'boolean' },
          snapshotConfiguration: structure({
            targetResourceCount: { type: 'integer', min: 1, max: 10000 },
          }),
          maxParallelLaunches: { type: 'integer', min: 1 },
          launchTemplate: structure({
            launchTemplateId,
            launchTemplateName: nonEmptyString,
            launchTemplateVersion: nonEmptyString,
          }),
          accountId,
        },
        ['enabled'],
      ),
    },
    ssmParameterConfigurations: {
      type: 'list',
      member: structure(
        {
          amiAccountId: accountId,
          parameterName: {
            type: 'string',
            min: 1,
            max: 1011,
            pattern: pattern(String.raw`^[a-zA-Z0-9_.\-\/]+$`),
          },
          dataType: { type: 'string', enum: ['text', 'aws:ec2:image'] },
        },
        ['parameterName'],
      ),
    },
  },
  ['region'],
);

export const createDistributionConfigurationShape = structure(
  {
    name: resourceName,
    description: nonEmptyString,
    distributions: { type: 'list', member: distribution },
    tags: tagMap,
    clientToken,
  },
  ['name', 'distributions', 'clientToken'],
);

const distributionConfigurationArn: Shape = {
  type: 'string',
  pattern: DISTRIBUTION_CONFIGURATION_ARN_PATTERN,
};

export const updateDistributionConfigurationShape = structure(
  {
    distributionConfigurationArn,
    description: nonEmptyString,
    distributions: { type: 'list', member: distribution },
    clientToken,
  },
  ['distributionConfigurationArn', 'distributions', 'clientToken'],
);

/** Get and Delete take the ARN alone, from the query string. */
export const distributionConfigurationArnShape = structure({ distributionConfigurationArn }, [
  'distributionConfigurationArn',
]);
