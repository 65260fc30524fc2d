import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/channels/http.js';
import { createQueueHandler } from '../../src/channels/queue.js';
import { createApp } from '../../src/composition.js';
import { loadGuardrailPolicy } from '../../src/guardrails/loadPolicy.js';
import type { GuardrailPolicy } from '../../src/guardrails/policy.js';
import { httpEvent, invokeHttp, lambdaContext, sqsRecord } from '../support/lambda.js';
import { useTestStack } from '../support/localStack.js';

/*
 * Every way to share, export, place elsewhere or open access, tried against the shipped dev and
 * prod policies: each is refused with 403 naming the member and the `sharing` setting, and AWS is
 * never called. The requests are otherwise within each policy (they pass as they are).
 */
const OUTSIDER = '999999999999';
const ORG = 'arn:aws:organizations::999999999999:organization/o-a1b2c3d4e5';
const OU = 'arn:aws:organizations::999999999999:ou/o-a1b2c3d4e5/ou-ab12-cd34ef56';

const first = (list: readonly string[] | undefined, fallback: string) => list?.[0] ?? fallback;

/** Requests each policy lets through, built from what the policy itself allows. */
const allowedRequests = (policy: GuardrailPolicy) => {
  const tags = Object.fromEntries((policy.tags?.required ?? []).map((key) => [key, 'platform']));
  const infrastructure = policy.infrastructure ?? {};
  const appstream = policy.appstream ?? {};
  return {
    CreateInfrastructureConfiguration: {
      name: 'shared-infra',
      instanceProfileName: Object.keys(infrastructure.instanceProfiles ?? { Profile: '' })[0],
      instanceTypes: [first(infrastructure.instanceTypes, 'm7i.large')],
      ...(infrastructure.subnetIds ? { subnetId: infrastructure.subnetIds[0] } : {}),
      ...(infrastructure.securityGroupIds
        ? { securityGroupIds: [infrastructure.securityGroupIds[0]] }
        : {}),
      instanceMetadataOptions: { httpTokens: 'required' },
      tags,
    },
    CreateDistributionConfiguration: {
      name: 'shared-distribution',
      distributions: [
        {
          region: first(policy.distribution?.regions, 'us-east-1'),
          amiDistributionConfiguration: { name: 'golden-{{ imagebuilder:buildDate }}' },
        },
      ],
      tags,
    },
    CreateImageBuilder: {
      Name: 'shared-builder',
      InstanceType: first(appstream.instanceTypes, 'stream.standard.medium'),
      ImageName: first(appstream.imageNames, 'AppStream-WinServer2022-06-17-2025'),
      ...(appstream.iamRoleArns ? { IamRoleArn: appstream.iamRoleArns[0] } : {}),
      ...(appstream.subnetIds
        ? {
            VpcConfig: {
              SubnetIds: [appstream.subnetIds[0]],
              ...(appstream.securityGroupIds
                ? { SecurityGroupIds: [appstream.securityGroupIds[0]] }
                : {}),
            },
          }
        : {}),
      Tags: tags,
    },
  };
};

type Requests = ReturnType<typeof allowedRequests>;
type Operation = keyof Requests;

const ROUTES: Record<Operation, string> = {
  CreateInfrastructureConfiguration: '/infrastructure-configurations',
  CreateDistributionConfiguration: '/distribution-configurations',
  CreateImageBuilder: '/image-builders',
};

const AMI = '/distributions/0/amiDistributionConfiguration';

/** Each way out: the operation, how it changes an allowed request, the member and the setting. */
const WAYS_OUT: ReadonlyArray<{
  what: string;
  operation: Operation;
  change: (request: Record<string, unknown>) => Record<string, unknown>;
  path: string;
  setting: string;
}> = [
  ...(
    [
      [
        'a public AMI',
        { launchPermission: { userGroups: ['all'] } },
        '/launchPermission/userGroups/0',
        'publicImages',
      ],
      [
        'an AMI shared with a foreign organization',
        { launchPermission: { organizationArns: [ORG] } },
        '/launchPermission/organizationArns/0',
        'organizationArns',
      ],
      [
        'an AMI shared with a foreign OU',
        { launchPermission: { organizationalUnitArns: [OU] } },
        '/launchPermission/organizationalUnitArns/0',
        'organizationalUnitArns',
      ],
      [
        'an AMI shared with another account',
        { launchPermission: { userIds: [OUTSIDER] } },
        '/launchPermission/userIds/0',
        'accounts',
      ],
      [
        'an AMI copied to another account',
        { targetAccountIds: [OUTSIDER] },
        '/targetAccountIds/0',
        'accounts',
      ],
      [
        "an AMI encrypted with another account's key",
        { kmsKeyId: `arn:aws:kms:us-east-1:${OUTSIDER}:key/1234abcd-12ab-34cd-56ef-1234567890ab` },
        '/kmsKeyId',
        'accounts',
      ],
    ] as const
  ).map(([what, ami, below, setting]) => ({
    what,
    operation: 'CreateDistributionConfiguration' as const,
    change: (request: Record<string, unknown>) =>
      withDistribution(request, {
        amiDistributionConfiguration: { name: 'golden-{{ imagebuilder:buildDate }}', ...ami },
      }),
    path: `${AMI}${below}`,
    setting,
  })),
  ...(
    [
      [
        'an export to any bucket',
        {
          s3ExportConfiguration: {
            roleName: 'vmimport',
            diskImageFormat: 'RAW',
            s3Bucket: 'anyone-bucket',
          },
        },
        '/s3ExportConfiguration/s3Bucket',
        'exportBuckets',
      ],
      [
        'a launch template in another account',
        {
          launchTemplateConfigurations: [
            { launchTemplateId: 'lt-0123456789abcdef0', accountId: OUTSIDER },
          ],
        },
        '/launchTemplateConfigurations/0/accountId',
        'accounts',
      ],
      [
        'an SSM parameter in another account',
        { ssmParameterConfigurations: [{ amiAccountId: OUTSIDER, parameterName: '/golden/ami' }] },
        '/ssmParameterConfigurations/0/amiAccountId',
        'accounts',
      ],
      [
        'Fast Launch in another account',
        { fastLaunchConfigurations: [{ enabled: true, accountId: OUTSIDER }] },
        '/fastLaunchConfigurations/0/accountId',
        'accounts',
      ],
      [
        "another account's license configuration",
        {
          licenseConfigurationArns: [
            `arn:aws:license-manager:us-east-1:${OUTSIDER}:license-configuration:lic-0123456789abcdef0123456789abcdef`,
          ],
        },
        '/licenseConfigurationArns/0',
        'accounts',
      ],
    ] as const
  ).map(([what, more, below, setting]) => ({
    what,
    operation: 'CreateDistributionConfiguration' as const,
    change: (request: Record<string, unknown>) => withDistribution(request, more),
    path: `/distributions/0${below}`,
    setting,
  })),
  {
    what: 'an image builder joined to an arbitrary directory',
    operation: 'CreateImageBuilder',
    change: (request) => ({
      ...request,
      DomainJoinInfo: {
        DirectoryName: 'evil.example.com',
        OrganizationalUnitDistinguishedName: 'OU=Any',
      },
    }),
    path: '/DomainJoinInfo/DirectoryName',
    setting: 'domainJoin',
  },
  {
    what: 'an image builder reached through an arbitrary VPC endpoint',
    operation: 'CreateImageBuilder',
    change: (request) => ({
      ...request,
      AccessEndpoints: [{ EndpointType: 'STREAMING', VpceId: 'vpce-0fffffffffffffff0' }],
    }),
    path: '/AccessEndpoints/0/VpceId',
    setting: 'vpcEndpointIds',
  },
  {
    what: 'an image builder with internet access',
    operation: 'CreateImageBuilder',
    change: (request) => ({ ...request, EnableDefaultInternetAccess: true }),
    path: '/EnableDefaultInternetAccess',
    setting: 'internetAccess',
  },
  {
    what: 'build logs to any bucket',
    operation: 'CreateInfrastructureConfiguration',
    change: (request) => ({ ...request, logging: { s3Logs: { s3BucketName: 'anyone-bucket' } } }),
    path: '/logging/s3Logs/s3BucketName',
    setting: 'logBuckets',
  },
];

const withDistribution = (request: Record<string, unknown>, members: Record<string, unknown>) => {
  const [distribution] = request.distributions as Array<Record<string, unknown>>;
  return { ...request, distributions: [{ ...distribution, ...members }] };
};

const harness = useTestStack();

describe.each([
  ['dev', '123456789012'],
  ['prod', '210987654321'],
])('the %s policy (account %s)', (stage, accountId) => {
  const policy = loadGuardrailPolicy(`config/guardrails/${stage}.json`);
  const allowed = allowedRequests(policy);
  const app = () =>
    createApp(
      { ...harness.stack.config, guardrails: policy, accountId },
      {
        clients: harness.stack.clients,
        logger: harness.stack.app.logger,
        metrics: harness.stack.app.metrics,
      },
    );
  let token = 0;
  const post = (operation: Operation, body: unknown) =>
    invokeHttp(
      createHttpHandler(app()),
      httpEvent({
        method: 'POST',
        route: ROUTES[operation],
        body,
        headers: { 'idempotency-key': `sharing-${stage}-${++token}` },
      }),
    );

  it.each(Object.keys(ROUTES) as Operation[])('lets the allowed %s through', async (operation) => {
    const response = await post(operation, allowed[operation]);

    expect(response.status).toBe(201);
    expect(harness.aws.calls()).toHaveLength(1);
  });

  it.each(WAYS_OUT)(
    'refuses $what with 403 at $path naming sharing.$setting, no AWS call',
    async ({ operation, change, path, setting }) => {
      const response = await post(operation, change(allowed[operation]));

      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'PolicyViolationException', status: 403 });
      expect(response.body.errors).toEqual([
        { path, message: expect.stringContaining(`sharing.${setting}`) },
      ]);
      expect(harness.aws.calls()).toHaveLength(0);
    },
  );

  it('announces a refused queue message as one FAILED outcome, deleted, no AWS call', async () => {
    const [wayOut] = WAYS_OUT;
    if (!wayOut) throw new Error('no way out to try');
    const clientToken = `sharing-${stage}-queue`;

    const result = await createQueueHandler(app())(
      {
        Records: [
          sqsRecord({
            operation: wayOut.operation,
            clientToken,
            request: wayOut.change(allowed[wayOut.operation]),
          }),
        ],
      },
      lambdaContext(),
    );
    const outcomes = await harness.stack.outcomes(1);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(outcomes.map((o) => o.event.data)).toEqual([
      expect.objectContaining({
        clientToken,
        status: 'FAILED',
        error: expect.objectContaining({
          code: 'PolicyViolationException',
          errors: [expect.objectContaining({ path: `/request${wayOut.path}` })],
        }),
      }),
    ]);
    expect(harness.aws.calls()).toHaveLength(0);
  });
});
