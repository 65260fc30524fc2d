import type { CreateInfrastructureConfigurationCommandInput } from '@aws-sdk/client-imagebuilder';
import { ACCOUNT_ID, REGION, uniqueName } from './support.js';

export const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A valid CreateInfrastructureConfiguration input using every commonly set member. */
export function infrastructureInput(
  overrides: Partial<CreateInfrastructureConfigurationCommandInput> = {},
): CreateInfrastructureConfigurationCommandInput {
  return {
    name: uniqueName('Infra Config'),
    instanceProfileName: 'EC2InstanceProfileForImageBuilder',
    description: 'builds golden images',
    instanceTypes: ['m5.large'],
    securityGroupIds: ['sg-0123456789abcdef0'],
    subnetId: 'subnet-0123456789abcdef0',
    logging: { s3Logs: { s3BucketName: 'logs-bucket', s3KeyPrefix: 'image-builder' } },
    terminateInstanceOnFailure: true,
    snsTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT_ID}:image-events`,
    instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
    resourceTags: { team: 'images' },
    tags: { project: 'image-provisioner' },
    ...overrides,
  };
}
