import type { Shape } from './validation.js';

/**
 * Input shapes of the emulated Image Builder operations (`com.amazonaws.imagebuilder#…Request`
 * and the shapes they reach; patterns verbatim).
 */
export const pattern = (source: string): RegExp => new RegExp(source);

export const nonEmptyString: Shape = { type: 'string', min: 1, max: 1024 };
const unconstrainedString: Shape = { type: 'string' };
export const accountId: Shape = { type: 'string', pattern: pattern('^[0-9]{12}$') };
export const launchTemplateId: Shape = {
  type: 'string',
  pattern: pattern('^lt-[a-z0-9-_]{17}$'),
};

export const RESOURCE_NAME_PATTERN = pattern('^[-_A-Za-z-0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z-0-9]$');
export const INFRASTRUCTURE_CONFIGURATION_ARN_PATTERN = pattern(
  '^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws):infrastructure-configuration/[a-z0-9-_]+$',
);

export const INSTANCE_PROFILE_NAME_PATTERN = pattern(String.raw`^[\w+=,.@-]+$`);
export const resourceName: Shape = { type: 'string', pattern: RESOURCE_NAME_PATTERN };
export const clientToken: Shape = { type: 'string', min: 1, max: 64 };
const infrastructureConfigurationArn: Shape = {
  type: 'string',
  pattern: INFRASTRUCTURE_CONFIGURATION_ARN_PATTERN,
};
export const DISTRIBUTION_CONFIGURATION_ARN_PATTERN = pattern(
  '^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws):distribution-configuration/[a-z0-9-_]+$',
);
/** com.amazonaws.imagebuilder#ImageBuilderArn, verbatim. */
export const IMAGE_BUILDER_ARN_PATTERN = pattern(
  String.raw`^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):(?:image-recipe|container-recipe|infrastructure-configuration|distribution-configuration|component|image|image-pipeline|lifecycle-policy|workflow\/(?:build|test|distribution))/[a-z0-9-_]+(?:/(?:(?:x|[0-9]+)\.(?:x|[0-9]+)\.(?:x|[0-9]+))(?:/[0-9]+)?)?$`,
);
const tagKey: Shape = {
  type: 'string',
  min: 1,
  max: 128,
  pattern: pattern(String.raw`^(?!aws:)[a-zA-Z0-9\s_.:/=+\-@]*$`),
};
const tagValue: Shape = { type: 'string', min: 0, max: 256 };
export const tagMap: Shape = { type: 'map', key: tagKey, value: tagValue, min: 1, max: 50 };
const resourceTagMap: Shape = { type: 'map', key: tagKey, value: tagValue, min: 1, max: 30 };
export const accountList: Shape = { type: 'list', member: accountId, min: 1, max: 1536 };

export const structure = (members: Record<string, Shape>, required: string[] = []): Shape => ({
  type: 'structure',
  members,
  required,
});

const infrastructureMutableMembers: Record<string, Shape> = {
  description: nonEmptyString,
  instanceTypes: { type: 'list', member: unconstrainedString },
  instanceProfileName: { type: 'string', min: 1, max: 256, pattern: INSTANCE_PROFILE_NAME_PATTERN },
  securityGroupIds: { type: 'list', member: nonEmptyString },
  subnetId: nonEmptyString,
  logging: structure({
    s3Logs: structure({ s3BucketName: nonEmptyString, s3KeyPrefix: nonEmptyString }),
  }),
  keyPair: nonEmptyString,
  terminateInstanceOnFailure: { type: 'boolean' },
  snsTopicArn: {
    type: 'string',
    pattern: pattern('^arn:aws[^:]*:sns:[^:]+:[0-9]{12}:[a-zA-Z0-9-_]{1,256}$'),
  },
  resourceTags: resourceTagMap,
  instanceMetadataOptions: structure({
    // Mirrors the model literally: `^optional|required$` is an unparenthesised alternation.
    httpTokens: { type: 'string', pattern: pattern('^optional|required$') },
    httpPutResponseHopLimit: { type: 'integer', min: 1, max: 64 },
  }),
  placement: structure({
    availabilityZone: nonEmptyString,
    tenancy: { type: 'string', enum: ['default', 'dedicated', 'host'] },
    hostId: nonEmptyString,
    hostResourceGroupArn: nonEmptyString,
  }),
};

/** Members of an infrastructure configuration that Update replaces. */
export const INFRASTRUCTURE_MUTABLE_MEMBERS = Object.keys(infrastructureMutableMembers);

export const createInfrastructureConfigurationShape = structure(
  { name: resourceName, ...infrastructureMutableMembers, tags: tagMap, clientToken },
  ['name', 'instanceProfileName', 'clientToken'],
);

export const updateInfrastructureConfigurationShape = structure(
  { infrastructureConfigurationArn, ...infrastructureMutableMembers, clientToken },
  ['infrastructureConfigurationArn', 'instanceProfileName', 'clientToken'],
);

export const getInfrastructureConfigurationShape = structure({ infrastructureConfigurationArn }, [
  'infrastructureConfigurationArn',
]);

/** com.amazonaws.imagebuilder#FilterList (ListInfrastructureConfigurations and the like). */
const filterList: Shape = {
  type: 'list',
  min: 1,
  max: 10,
  member: structure({
    name: { type: 'string', pattern: pattern('^[a-zA-Z]{1,1024}$') },
    values: {
      type: 'list',
      min: 1,
      max: 10,
      member: { type: 'string', pattern: pattern('^[0-9a-zA-Z./_ :,{}"-]{1,1024}$') },
    },
  }),
};

/** Input of the paginated List* operations: filters, maxResults (RestrictedInteger), nextToken. */
export const listShape = structure({
  filters: filterList,
  maxResults: { type: 'integer', min: 1, max: 25 },
  nextToken: { type: 'string', min: 1, max: 65535 },
});

export const deleteInfrastructureConfigurationShape = getInfrastructureConfigurationShape;

const resourceArn: Shape = { type: 'string', pattern: IMAGE_BUILDER_ARN_PATTERN };

/** com.amazonaws.imagebuilder#ListTagsForResourceRequest (`resourceArn` is the URI label). */
export const listTagsForResourceShape = structure({ resourceArn }, ['resourceArn']);

export const tagResourceShape = structure({ resourceArn, tags: tagMap }, ['resourceArn', 'tags']);

/** `tagKeys` comes from the query string (`?tagKeys=a&tagKeys=b`). */
export const untagResourceShape = structure(
  { resourceArn, tagKeys: { type: 'list', member: tagKey, min: 1, max: 50 } },
  ['resourceArn', 'tagKeys'],
);
