import { randomUUID } from 'node:crypto';
import {
  createDistributionConfigurationShape,
  distributionConfigurationArnShape,
  updateDistributionConfigurationShape,
} from './distributionShapes.js';
import { ServiceError } from './errors.js';
import {
  checkNewConfiguration,
  configurationWrites,
  datesOf,
  deleteOperation,
  imagebuilderArn,
  listOperation,
  storedConfiguration,
  tagsOf,
} from './imagebuilder.js';
import type { OperationContext, OperationDefinition } from './operation.js';
import type { DistributionConfigurationRecord, JsonObject, TagMap } from './state.js';

/**
 * com.amazonaws.imagebuilder#DistributionConfiguration$timeoutMinutes is required in the output
 * but no input sets it: the emulator answers the top of its range (30 to 720), as AWS's examples.
 */
const TIMEOUT_MINUTES = 720;

/** Cross-field rules without a trait, answered with InvalidParameterCombinationException. */
function checkCombinations(distributions: JsonObject[]): void {
  const regions = new Set<unknown>();
  for (const distribution of distributions) {
    if (regions.has(distribution.region)) {
      throw new ServiceError(
        'InvalidParameterCombinationException',
        `Region '${String(distribution.region)}' appears in more than one distribution.`,
      );
    }
    regions.add(distribution.region);
    const fastLaunch = (distribution.fastLaunchConfigurations ?? []) as JsonObject[];
    for (const configuration of fastLaunch) {
      const template = configuration.launchTemplate as JsonObject | undefined;
      if (template?.launchTemplateId !== undefined && template.launchTemplateName !== undefined) {
        throw new ServiceError(
          'InvalidParameterCombinationException',
          'Specify either launchTemplateId or launchTemplateName for a fast launch template, not both.',
        );
      }
    }
  }
}

/** The duplicate-Region and fast-launch rules first, then the write under the clientToken. */
const distributionConfigurationWrite = configurationWrites(
  'distributionConfigurationArn',
  (input) => checkCombinations(input.distributions as JsonObject[]),
);

export const createDistributionConfiguration = distributionConfigurationWrite(
  'CreateDistributionConfiguration',
  createDistributionConfigurationShape,
  (input, context) => {
    const arn = imagebuilderArn(context, 'distribution-configuration', String(input.name));
    checkNewConfiguration(context.store.distributionConfigurations, arn);
    context.store.distributionConfigurations.set(arn, {
      arn,
      name: String(input.name),
      ...replaceable(input),
      ...(input.tags === undefined ? {} : { tags: input.tags as TagMap }),
      dateCreated: context.now().toISOString(),
    });
    return arn;
  },
);

/** The members UpdateDistributionConfiguration replaces: `description` and `distributions`. */
function replaceable(input: JsonObject) {
  return {
    ...(input.description === undefined ? {} : { description: String(input.description) }),
    distributions: input.distributions as JsonObject[],
  };
}

function stored(context: OperationContext, arn: string): DistributionConfigurationRecord {
  return storedConfiguration(context.store.distributionConfigurations, arn);
}

/**
 * Replaces `description` (cleared when omitted) and `distributions`; `name`, `tags` and
 * `dateCreated` are kept, `dateUpdated` is set. clientToken as on create; an unknown ARN is
 * ResourceNotFoundException (404), as UpdateInfrastructureConfiguration.
 */
export const updateDistributionConfiguration = distributionConfigurationWrite(
  'UpdateDistributionConfiguration',
  updateDistributionConfigurationShape,
  (input, context) => {
    const arn = String(input.distributionConfigurationArn);
    const record = stored(context, arn);
    delete record.description;
    Object.assign(record, replaceable(input), { dateUpdated: context.now().toISOString() });
    return arn;
  },
);

export const getDistributionConfiguration: OperationDefinition = {
  name: 'GetDistributionConfiguration',
  shape: distributionConfigurationArnShape,
  run(input, context) {
    const record = stored(context, String(input.distributionConfigurationArn));
    return {
      requestId: randomUUID(),
      distributionConfiguration: {
        arn: record.arn,
        name: record.name,
        ...(record.description === undefined ? {} : { description: record.description }),
        distributions: record.distributions,
        timeoutMinutes: TIMEOUT_MINUTES,
        ...datesOf(record),
        ...tagsOf(record.tags),
      },
    };
  },
};

export const deleteDistributionConfiguration = deleteOperation(
  'DeleteDistributionConfiguration',
  distributionConfigurationArnShape,
  'distributionConfigurationArn',
  (context) => context.store.distributionConfigurations,
);

/** com.amazonaws.imagebuilder#DistributionConfigurationSummary, `regions` in distribution order. */
export const listDistributionConfigurations = listOperation(
  'ListDistributionConfigurations',
  'distributionConfigurationSummaryList',
  (context) => context.store.distributionConfigurations.values(),
  (record: DistributionConfigurationRecord) => ({
    arn: record.arn,
    name: record.name,
    ...(record.description === undefined ? {} : { description: record.description }),
    ...datesOf(record),
    ...tagsOf(record.tags),
    regions: record.distributions.map((distribution) => distribution.region),
  }),
);
