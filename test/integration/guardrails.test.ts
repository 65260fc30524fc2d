import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/channels/http.js';
import { createQueueHandler } from '../../src/channels/queue.js';
import { createApp } from '../../src/composition.js';
import type { GuardrailPolicy } from '../../src/guardrails/policy.js';
import { httpEvent, lambdaContext, sqsRecord } from '../support/lambda.js';
import { useTestStack } from '../support/localStack.js';

const ROLE = 'arn:aws:iam::111122223333:role/image-provisioner/BuilderRole';
const policy: GuardrailPolicy = {
  infrastructure: {
    instanceTypes: ['m7i.large'],
    subnetIds: ['subnet-allowed'],
    securityGroupIds: ['sg-allowed'],
    instanceProfiles: { AllowedProfile: ROLE },
    keyPairs: [],
    snsTopicArns: ['arn:aws:sns:us-east-1:111122223333:allowed-topic'],
    requireImdsV2: true,
  },
  distribution: { regions: ['us-east-1'] },
  appstream: {
    instanceTypes: ['stream.standard.medium'],
    imageNames: ['AllowedImage'],
    iamRoleArns: [ROLE],
    subnetIds: ['subnet-allowed'],
  },
  sharing: { accounts: ['111122223333'], logBuckets: ['allowed-logs'] },
  tags: { required: ['team'], allowedValues: { environment: ['dev', 'test'] } },
};

const infrastructure = {
  name: 'guarded-infra',
  instanceProfileName: 'AllowedProfile',
  instanceTypes: ['m7i.large'],
  subnetId: 'subnet-allowed',
  securityGroupIds: ['sg-allowed'],
  snsTopicArn: 'arn:aws:sns:us-east-1:111122223333:allowed-topic',
  logging: { s3Logs: { s3BucketName: 'allowed-logs' } },
  instanceMetadataOptions: { httpTokens: 'required' },
  tags: { team: 'platform', environment: 'dev' },
};
const distribution = {
  name: 'guarded-distribution',
  distributions: [
    { region: 'us-east-1', amiDistributionConfiguration: { targetAccountIds: ['111122223333'] } },
  ],
  tags: { team: 'platform' },
};
const builder = {
  Name: 'guarded-builder',
  InstanceType: 'stream.standard.medium',
  ImageName: 'AllowedImage',
  IamRoleArn: ROLE,
  VpcConfig: { SubnetIds: ['subnet-allowed'] },
  EnableDefaultInternetAccess: false,
  Tags: { team: 'platform' },
};

const ROUTES = {
  CreateInfrastructureConfiguration: '/infrastructure-configurations',
  CreateDistributionConfiguration: '/distribution-configurations',
  CreateImageBuilder: '/image-builders',
} as const;

type Guarded = keyof typeof ROUTES;

/** Every rule of the policy, with a request that keeps it and one that breaks it. */
const RULES: ReadonlyArray<{
  rule: string;
  operation: Guarded;
  allowed: Record<string, unknown>;
  forbidden: Record<string, unknown>;
  path: string;
}> = [
  {
    rule: 'instance types',
    operation: 'CreateInfrastructureConfiguration',
    allowed: infrastructure,
    forbidden: { ...infrastructure, instanceTypes: ['p5.48xlarge'] },
    path: '/instanceTypes/0',
  },
  {
    rule: 'instance types given',
    operation: 'CreateInfrastructureConfiguration',
    allowed: infrastructure,
    forbidden: { ...infrastructure, instanceTypes: undefined },
    path: '/instanceTypes',
  },
  {
    rule: 'subnets',
    operation: 'CreateInfrastructureConfiguration',
    allowed: infrastructure,
    forbidden: { ...infrastructure, subnetId: 'subnet-other' },
    path: '/subnetId',
  },
  {
    rule: 'security groups',
    operation: 'CreateInfrastructureConfiguration',
    allowed: infrastructure,
    forbidden: { ...infrastructure, securityGroupIds: ['sg-allowed', 'sg-other'] },
    path: '/securityGroupIds/1',
  },
  {
    rule: 'instance profiles',
    operation: 'CreateInfrastructureConfiguration',
    allowed: infrastructure,
    forbidden: { ...infrastructure, instanceProfileName: 'AdminProfile' },
    path: '/instanceProfileName',
  },
  {
    rule: 'no key pairs',
    operation: 'CreateInfrastructureConfiguration',
    allowed: infrastructure,
    forbidden: { ...infrastructure, keyPair: 'my-ssh-key' },
    path: '/keyPair',
  },
  {
    rule: 'SNS topics',
    operation: 'CreateInfrastructureConfiguration',
    allowed: infrastructure,
    forbidden: { ...infrastructure, snsTopicArn: 'arn:aws:sns:us-east-1:999999999999:elsewhere' },
    path: '/snsTopicArn',
  },
  {
    rule: 'log buckets',
    operation: 'CreateInfrastructureConfiguration',
    allowed: infrastructure,
    forbidden: { ...infrastructure, logging: { s3Logs: { s3BucketName: 'public-bucket' } } },
    path: '/logging/s3Logs/s3BucketName',
  },
  {
    rule: 'IMDSv2',
    operation: 'CreateInfrastructureConfiguration',
    allowed: infrastructure,
    forbidden: { ...infrastructure, instanceMetadataOptions: { httpTokens: 'optional' } },
    path: '/instanceMetadataOptions/httpTokens',
  },
  {
    rule: 'required tags',
    operation: 'CreateInfrastructureConfiguration',
    allowed: infrastructure,
    forbidden: { ...infrastructure, tags: { environment: 'dev' } },
    path: '/tags/team',
  },
  {
    rule: 'allowed tag values',
    operation: 'CreateInfrastructureConfiguration',
    allowed: infrastructure,
    forbidden: { ...infrastructure, tags: { team: 'platform', environment: 'prod' } },
    path: '/tags/environment',
  },
  {
    rule: 'distribution regions',
    operation: 'CreateDistributionConfiguration',
    allowed: distribution,
    forbidden: { ...distribution, distributions: [{ region: 'ap-south-1' }] },
    path: '/distributions/0/region',
  },
  {
    rule: 'target accounts',
    operation: 'CreateDistributionConfiguration',
    allowed: distribution,
    forbidden: {
      ...distribution,
      distributions: [
        {
          region: 'us-east-1',
          amiDistributionConfiguration: { targetAccountIds: ['999999999999'] },
        },
      ],
    },
    path: '/distributions/0/amiDistributionConfiguration/targetAccountIds/0',
  },
  {
    rule: 'launch permission accounts',
    operation: 'CreateDistributionConfiguration',
    allowed: distribution,
    forbidden: {
      ...distribution,
      distributions: [
        {
          region: 'us-east-1',
          amiDistributionConfiguration: { launchPermission: { userIds: ['999999999999'] } },
        },
      ],
    },
    path: '/distributions/0/amiDistributionConfiguration/launchPermission/userIds/0',
  },
  {
    rule: 'required tags on distributions',
    operation: 'CreateDistributionConfiguration',
    allowed: distribution,
    forbidden: { ...distribution, tags: undefined },
    path: '/tags/team',
  },
  {
    rule: 'AppStream instance types',
    operation: 'CreateImageBuilder',
    allowed: builder,
    forbidden: { ...builder, InstanceType: 'stream.graphics-pro.16xlarge' },
    path: '/InstanceType',
  },
  {
    rule: 'AppStream images',
    operation: 'CreateImageBuilder',
    allowed: builder,
    forbidden: { ...builder, ImageName: 'SomeoneElsesImage' },
    path: '/ImageName',
  },
  {
    rule: 'AppStream IAM roles',
    operation: 'CreateImageBuilder',
    allowed: builder,
    forbidden: { ...builder, IamRoleArn: 'arn:aws:iam::111122223333:role/Admin' },
    path: '/IamRoleArn',
  },
  {
    rule: 'AppStream subnets',
    operation: 'CreateImageBuilder',
    allowed: builder,
    forbidden: { ...builder, VpcConfig: { SubnetIds: ['subnet-other'] } },
    path: '/VpcConfig/SubnetIds/0',
  },
  {
    rule: 'AppStream internet access',
    operation: 'CreateImageBuilder',
    allowed: builder,
    forbidden: { ...builder, EnableDefaultInternetAccess: true },
    path: '/EnableDefaultInternetAccess',
  },
  {
    rule: 'required tags on image builders',
    operation: 'CreateImageBuilder',
    allowed: builder,
    forbidden: { ...builder, Tags: { owner: 'me' } },
    path: '/Tags/team',
  },
];

const harness = useTestStack();
let http: ReturnType<typeof createHttpHandler>;
let queue: ReturnType<typeof createQueueHandler>;
let sequence = 0;

const overHttp = async (operation: Guarded, body: unknown) => {
  sequence++;
  const response = (await http(
    httpEvent({
      method: 'POST',
      route: ROUTES[operation],
      body,
      headers: { 'idempotency-key': `guard-http-${sequence}` },
    }),
    lambdaContext(),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: response.statusCode, body: JSON.parse(response.body ?? 'null') };
};

const overQueue = async (operation: Guarded, request: unknown) => {
  sequence++;
  const clientToken = `guard-sqs-${sequence}`;
  const result = (await queue(
    { Records: [sqsRecord({ operation, clientToken, request })] },
    lambdaContext(),
  )) as SQSBatchResponse;
  const outcomes = await harness.stack.outcomes(1);
  return {
    result,
    outcome: outcomes.find((o) => o.event.data.clientToken === clientToken)?.event.data,
  };
};

beforeAll(() => {
  const app = createApp(
    { ...harness.stack.config, guardrails: policy },
    {
      clients: harness.stack.clients,
      logger: harness.stack.app.logger,
      metrics: harness.stack.app.metrics,
    },
  );
  http = createHttpHandler(app);
  queue = createQueueHandler(app);
});

describe.each(RULES)('guardrail: $rule', ({ operation, allowed, forbidden, path }) => {
  it('lets an allowed request through over HTTP', async () => {
    const response = await overHttp(operation, allowed);

    expect(response.status).toBe(201);
    expect(harness.aws.calls()).toHaveLength(1);
  });

  it(`answers a forbidden request over HTTP with 403 PolicyViolationException at ${path}, no AWS call`, async () => {
    const response = await overHttp(operation, forbidden);

    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'PolicyViolationException', status: 403 });
    expect(response.body.errors).toContainEqual(expect.objectContaining({ path }));
    expect(harness.aws.calls()).toHaveLength(0);
  });

  it('lets an allowed request through over the queue', async () => {
    const { result, outcome } = await overQueue(operation, allowed);

    expect(result.batchItemFailures).toEqual([]);
    expect(outcome?.status).toBe('SUCCEEDED');
    expect(harness.aws.calls()).toHaveLength(1);
  });

  it('announces a forbidden queue request as FAILED PolicyViolationException, not retried, no AWS call', async () => {
    const { result, outcome } = await overQueue(operation, forbidden);

    expect(result.batchItemFailures).toEqual([]);
    expect(outcome).toMatchObject({
      status: 'FAILED',
      error: { code: 'PolicyViolationException', retryable: false },
    });
    expect(outcome?.error?.errors).toContainEqual(
      expect.objectContaining({ path: `/request${path}` }),
    );
    expect(harness.aws.calls()).toHaveLength(0);
  });
});

describe('guardrail reports', () => {
  it('lists every broken rule of one request', async () => {
    const response = await overHttp('CreateImageBuilder', {
      ...builder,
      InstanceType: 'stream.graphics-pro.16xlarge',
      EnableDefaultInternetAccess: true,
      Tags: { owner: 'me' },
    });

    expect(response.status).toBe(403);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      '/EnableDefaultInternetAccess',
      '/InstanceType',
      '/Tags/team',
    ]);
  });

  it('still answers 400 first for a request the schema rejects', async () => {
    const response = await overHttp('CreateImageBuilder', { ...builder, InstanceType: '' });

    expect(response.status).toBe(400);
    expect(harness.aws.calls()).toHaveLength(0);
  });
});
