'use strict';

const { existsSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Local plugin (serverless.yml `plugins`): configures the deployment bucket the framework creates
 * (ServerlessDeploymentBucket) beyond what `provider.deploymentBucket` offers (block public
 * access, versioning, the upload's encryption):
 *
 * - default encryption SSE-KMS with the AWS-managed key `aws/s3` (the bucket exists before the
 *   stack's own key does, and before the first deploy uploads anything), with an S3 Bucket Key;
 * - Object Lock enabled, so a retention can be put on what a deploy uploaded;
 * - lifecycle: noncurrent versions expire after `noncurrentVersionExpirationDays`, incomplete
 *   multipart uploads are aborted after a day, expired delete markers are removed;
 * - event notifications to Amazon EventBridge;
 * - server access logs to the bucket named by `custom.deploymentBucket.accessLogBucket` (the
 *   `deploymentAccessLogBucket` param) when one is named: S3 cannot deliver access logs to an
 *   SSE-KMS bucket such as this one, and a bucket logging to itself logs its own log writes, so
 *   the target must be a bucket of the deployer's own;
 * - a bucket policy that denies every request without TLS, on the bucket and its objects, written
 *   with `Fn::GetAtt` so policy checks can tell the statement covers this bucket.
 *
 * osls builds the stack's first template (cloudformation-template-create-stack.json, used when
 * the stack does not exist yet) from the template as it stands after `package:initialize`, and
 * `resources.extensions` only reaches the later one (cloudformation-template-update-stack.json).
 * So this runs right after `package:initialize`, on both templates, and rewrites the
 * create-stack file already written. A stage that names its own bucket
 * (`provider.deploymentBucket.name`) has no bucket in its templates; nothing is changed then.
 */

const BUCKET = 'ServerlessDeploymentBucket';
const BUCKET_POLICY = 'ServerlessDeploymentBucketPolicy';
const BUCKET_ARN = { 'Fn::GetAtt': [BUCKET, 'Arn'] };

class DeploymentBucketError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DeploymentBucketError';
    this.stack = `${this.name}: ${message}`;
  }
}

/** S3's naming rules for a general purpose bucket (the access log target). */
const BUCKET_NAME = /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `{ accessLogBucket, noncurrentVersionExpirationDays }` from `custom.deploymentBucket`, checked. */
const bucketSettings = (custom = {}) => {
  const accessLogBucket = String(custom.accessLogBucket ?? '').trim();
  if (accessLogBucket !== '' && !BUCKET_NAME.test(accessLogBucket)) {
    throw new DeploymentBucketError(
      `param deploymentAccessLogBucket must name an S3 bucket, got "${accessLogBucket}"`,
    );
  }
  const days = Number(custom.noncurrentVersionExpirationDays ?? 30);
  if (!Number.isSafeInteger(days) || days < 1) {
    throw new DeploymentBucketError(
      `custom.deploymentBucket.noncurrentVersionExpirationDays must be a whole number of days (1 or more), got "${custom.noncurrentVersionExpirationDays}"`,
    );
  }
  return { accessLogBucket, noncurrentVersionExpirationDays: days };
};

/** The bucket's properties and policy document, as they go into both templates. */
const bucketConfiguration = ({ accessLogBucket, noncurrentVersionExpirationDays }) => ({
  properties: {
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true },
      ],
    },
    ObjectLockEnabled: true,
    LifecycleConfiguration: {
      Rules: [
        {
          Id: 'ExpireOldArtifacts',
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: noncurrentVersionExpirationDays },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
        { Id: 'RemoveExpiredDeleteMarkers', Status: 'Enabled', ExpiredObjectDeleteMarker: true },
      ],
    },
    NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    ...(accessLogBucket
      ? {
          LoggingConfiguration: {
            DestinationBucketName: accessLogBucket,
            LogFilePrefix: { 'Fn::Sub': `\${AWS::StackName}/` },
          },
        }
      : {}),
  },
  policyDocument: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [BUCKET_ARN, { 'Fn::Join': ['', [BUCKET_ARN, '/*']] }],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  },
});

/** Applies the configuration to one template; false when it has no framework bucket. */
const configureTemplate = (template, configuration) => {
  const bucket = template?.Resources?.[BUCKET];
  if (!bucket) return false;
  bucket.Properties = { ...bucket.Properties, ...structuredClone(configuration.properties) };
  const policy = template.Resources[BUCKET_POLICY];
  if (!policy)
    throw new DeploymentBucketError(`the template has ${BUCKET} but no ${BUCKET_POLICY}`);
  policy.Properties.PolicyDocument = structuredClone(configuration.policyDocument);
  return true;
};

class DeploymentBucketPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'after:package:initialize': () => this.configure() };
  }

  configure() {
    const { service, serviceDir } = this.serverless;
    const configuration = bucketConfiguration(bucketSettings(service.custom?.deploymentBucket));
    const { provider } = service;
    const configured = [
      configureTemplate(provider.coreCloudFormationTemplate, configuration),
      configureTemplate(provider.compiledCloudFormationTemplate, configuration),
    ];
    if (!configured.some(Boolean)) return;
    const coreFile = join(serviceDir, '.serverless', 'cloudformation-template-create-stack.json');
    if (existsSync(coreFile)) {
      writeFileSync(coreFile, JSON.stringify(provider.coreCloudFormationTemplate, null, 2));
    }
  }
}

module.exports = DeploymentBucketPlugin;
module.exports.bucketSettings = bucketSettings;
module.exports.bucketConfiguration = bucketConfiguration;
