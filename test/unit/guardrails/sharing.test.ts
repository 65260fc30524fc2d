import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGuardrails } from '../../../src/guardrails/evaluate.js';
import type { GuardrailPolicy } from '../../../src/guardrails/policy.js';
import {
  GOVERNED_MEMBERS,
  type GovernedMember,
  SHARING_RULE_SETTINGS,
  type SharingRule,
} from '../../../src/guardrails/sharing.js';
import { type OperationName, operations } from '../../../src/operations/index.js';
import { ACCOUNT_ID_PATTERN } from '../../../src/operations/schemas/constraints.js';
import { maximalRequests } from '../../fixtures/requests.js';
import { admitted, operationNames } from '../../support/operations.js';
import { patternsOf, type SchemaMember, schemaMembers } from '../../support/schemaMembers.js';

const OWN_ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '999999999999';

/*
 * What makes a member sensitive: it names an account, an organization or OU, a bucket, an ARN
 * (which may be another account's), a KMS key (an ARN of any account), a public group, a
 * directory, or opens network access. Read from the request schemas themselves, so a member AWS
 * adds to a shape (and the schema takes in) is caught here until a rule governs it.
 */
const SENSITIVE: ReadonlyArray<[string, (member: SchemaMember) => boolean]> = [
  ['an account', ({ name }) => /account|userIds/i.test(name)],
  [
    'an account',
    ({ schema }) => patternsOf(schema).some((p) => p.source === ACCOUNT_ID_PATTERN.source),
  ],
  ['an organization or OU', ({ name }) => /organi[sz]ation/i.test(name)],
  ['a bucket', ({ name }) => /bucket/i.test(name)],
  ['an ARN', ({ name }) => /arns?$/i.test(name)],
  ['an ARN', ({ schema }) => patternsOf(schema).some((p) => p.source.includes('arn:'))],
  ['a KMS key', ({ name }) => /kms/i.test(name)],
  ['a public group', ({ name }) => /userGroups/i.test(name)],
  ['a directory', ({ name }) => /directory|distinguishedName/i.test(name)],
  ['network access', ({ name }) => /vpce|internetAccess|accessEndpoint/i.test(name)],
];

const LEAF_TYPES = new Set(['string', 'boolean', 'enum']);
const isLeaf = ({ schema }: SchemaMember) => LEAF_TYPES.has(schema._zod.def.type);

/** The sensitive leaf members of `operation` that no entry of `governed` covers, with their kind. */
const ungovernedMembers = (
  operation: OperationName,
  governed: readonly GovernedMember[],
): string[] => {
  const covered = (path: string) =>
    governed.some((member) => path === member.path || path.startsWith(`${member.path}/`));
  const found = schemaMembers(operations[operation].schema)
    .filter(isLeaf)
    .flatMap((member) =>
      SENSITIVE.filter(([, matches]) => matches(member)).flatMap(([kind]) =>
        covered(member.path) ? [] : [`${member.path} (${kind})`],
      ),
    );
  return [...new Set(found)];
};

describe('what the sharing rules govern', () => {
  it.each(operationNames)('governs every sensitive member of %s', (operation) => {
    expect(schemaMembers(operations[operation].schema).filter(isLeaf).length).toBeGreaterThan(0);
    expect(ungovernedMembers(operation, GOVERNED_MEMBERS[operation])).toEqual([]);
  });

  it.each(operationNames)('names only members %s really has', (operation) => {
    const paths = new Set(schemaMembers(operations[operation].schema).map(({ path }) => path));

    for (const { path } of GOVERNED_MEMBERS[operation]) expect(paths).toContain(path);
  });

  it('finds a sensitive member that no rule governs', () => {
    // Prepare: the table as if nobody had governed the builder's role and access endpoints
    const governed = GOVERNED_MEMBERS.CreateImageBuilder.filter(
      ({ path }) => path !== '/IamRoleArn' && path !== '/AccessEndpoints/*',
    );

    // Act
    const ungoverned = ungovernedMembers('CreateImageBuilder', governed);

    // Assess
    expect(ungoverned).toEqual([
      '/IamRoleArn (an ARN)',
      '/AccessEndpoints/*/VpceId (network access)',
    ]);
  });
});

const guard = (policy: GuardrailPolicy) => createGuardrails(policy, { accountId: OWN_ACCOUNT });

const distribution = (ami: Record<string, unknown>, more: Record<string, unknown> = {}) =>
  admitted('CreateDistributionConfiguration', {
    name: 'shared-ami',
    distributions: [{ region: 'us-east-1', amiDistributionConfiguration: ami, ...more }],
  });

const builder = (members: Record<string, unknown>) =>
  admitted('CreateImageBuilder', {
    Name: 'builder',
    InstanceType: 'stream.standard.medium',
    ImageName: 'Base',
    ...members,
  });

const AMI = '/distributions/0/amiDistributionConfiguration';
const ORG = 'arn:aws:organizations::111122223333:organization/o-a1b2c3d4e5';
const OU = 'arn:aws:organizations::111122223333:ou/o-a1b2c3d4e5/ou-ab12-cd34ef56';
const LICENSE = `arn:aws:license-manager:us-east-1:${OTHER_ACCOUNT}:license-configuration:lic-0123456789abcdef0123456789abcdef`;
const KEY = `arn:aws:kms:us-east-1:${OTHER_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const DOMAIN = { DirectoryName: 'corp.example.com', OrganizationalUnitDistinguishedName: 'OU=B' };

/** Each rule: a request that breaks it under an empty policy, and the setting that allows it. */
const CASES: ReadonlyArray<{
  rule: SharingRule;
  what: string;
  check: (policy: GuardrailPolicy) => ReturnType<ReturnType<typeof guard>['check']>;
  path: string;
  allowing: GuardrailPolicy['sharing'];
}> = [
  {
    rule: 'account',
    what: 'AMI copies to another account',
    check: (p) =>
      guard(p).check(
        'CreateDistributionConfiguration',
        distribution({ targetAccountIds: [OTHER_ACCOUNT] }),
      ),
    path: `${AMI}/targetAccountIds/0`,
    allowing: { accounts: [OTHER_ACCOUNT] },
  },
  {
    rule: 'account',
    what: 'a launch permission for another account',
    check: (p) =>
      guard(p).check(
        'CreateDistributionConfiguration',
        distribution({ launchPermission: { userIds: [OTHER_ACCOUNT] } }),
      ),
    path: `${AMI}/launchPermission/userIds/0`,
    allowing: { accounts: [OTHER_ACCOUNT] },
  },
  {
    rule: 'publicGroup',
    what: 'a public AMI',
    check: (p) =>
      guard(p).check(
        'CreateDistributionConfiguration',
        distribution({ launchPermission: { userGroups: ['all'] } }),
      ),
    path: `${AMI}/launchPermission/userGroups/0`,
    allowing: { publicImages: true },
  },
  {
    rule: 'organization',
    what: 'a launch permission for an organization',
    check: (p) =>
      guard(p).check(
        'CreateDistributionConfiguration',
        distribution({ launchPermission: { organizationArns: [ORG] } }),
      ),
    path: `${AMI}/launchPermission/organizationArns/0`,
    allowing: { organizationArns: [ORG] },
  },
  {
    rule: 'organizationalUnit',
    what: 'a launch permission for an OU',
    check: (p) =>
      guard(p).check(
        'CreateDistributionConfiguration',
        distribution({ launchPermission: { organizationalUnitArns: [OU] } }),
      ),
    path: `${AMI}/launchPermission/organizationalUnitArns/0`,
    allowing: { organizationalUnitArns: [OU] },
  },
  {
    rule: 'arnAccount',
    what: "another account's KMS key",
    check: (p) =>
      guard(p).check('CreateDistributionConfiguration', distribution({ kmsKeyId: KEY })),
    path: `${AMI}/kmsKeyId`,
    allowing: { accounts: [OTHER_ACCOUNT] },
  },
  {
    rule: 'arnAccount',
    what: "another account's license configuration",
    check: (p) =>
      guard(p).check(
        'CreateDistributionConfiguration',
        distribution({}, { licenseConfigurationArns: [LICENSE] }),
      ),
    path: '/distributions/0/licenseConfigurationArns/0',
    allowing: { accounts: [OTHER_ACCOUNT] },
  },
  {
    rule: 'account',
    what: 'a launch template in another account',
    check: (p) =>
      guard(p).check(
        'CreateDistributionConfiguration',
        distribution(
          {},
          {
            launchTemplateConfigurations: [
              { launchTemplateId: 'lt-0123456789abcdef0', accountId: OTHER_ACCOUNT },
            ],
          },
        ),
      ),
    path: '/distributions/0/launchTemplateConfigurations/0/accountId',
    allowing: { accounts: [OTHER_ACCOUNT] },
  },
  {
    rule: 'exportBucket',
    what: 'an export to S3',
    check: (p) =>
      guard(p).check(
        'CreateDistributionConfiguration',
        distribution(
          {},
          {
            s3ExportConfiguration: {
              roleName: 'vmimport',
              diskImageFormat: 'RAW',
              s3Bucket: 'anyone-bucket',
            },
          },
        ),
      ),
    path: '/distributions/0/s3ExportConfiguration/s3Bucket',
    allowing: { exportBuckets: ['anyone-bucket'] },
  },
  {
    rule: 'account',
    what: 'Fast Launch in another account',
    check: (p) =>
      guard(p).check(
        'CreateDistributionConfiguration',
        distribution(
          {},
          { fastLaunchConfigurations: [{ enabled: true, accountId: OTHER_ACCOUNT }] },
        ),
      ),
    path: '/distributions/0/fastLaunchConfigurations/0/accountId',
    allowing: { accounts: [OTHER_ACCOUNT] },
  },
  {
    rule: 'account',
    what: 'an SSM parameter in another account',
    check: (p) =>
      guard(p).check(
        'CreateDistributionConfiguration',
        distribution(
          {},
          { ssmParameterConfigurations: [{ amiAccountId: OTHER_ACCOUNT, parameterName: 'ami' }] },
        ),
      ),
    path: '/distributions/0/ssmParameterConfigurations/0/amiAccountId',
    allowing: { accounts: [OTHER_ACCOUNT] },
  },
  {
    rule: 'logBucket',
    what: 'build logs to a bucket',
    check: (p) =>
      guard(p).check(
        'CreateInfrastructureConfiguration',
        admitted('CreateInfrastructureConfiguration', {
          name: 'infra',
          instanceProfileName: 'Profile',
          logging: { s3Logs: { s3BucketName: 'logs-elsewhere' } },
        }),
      ),
    path: '/logging/s3Logs/s3BucketName',
    allowing: { logBuckets: ['logs-elsewhere'] },
  },
  {
    rule: 'arnAccount',
    what: "another account's SNS topic",
    check: (p) =>
      guard(p).check(
        'CreateInfrastructureConfiguration',
        admitted('CreateInfrastructureConfiguration', {
          name: 'infra',
          instanceProfileName: 'Profile',
          snsTopicArn: `arn:aws:sns:us-east-1:${OTHER_ACCOUNT}:builds`,
        }),
      ),
    path: '/snsTopicArn',
    allowing: { accounts: [OTHER_ACCOUNT] },
  },
  {
    rule: 'domainJoin',
    what: 'a domain join',
    check: (p) => guard(p).check('CreateImageBuilder', builder({ DomainJoinInfo: DOMAIN })),
    path: '/DomainJoinInfo/DirectoryName',
    allowing: { domainJoin: { 'corp.example.com': ['OU=B'] } },
  },
  {
    rule: 'accessEndpoint',
    what: 'an access endpoint',
    check: (p) =>
      guard(p).check(
        'CreateImageBuilder',
        builder({ AccessEndpoints: [{ EndpointType: 'STREAMING', VpceId: 'vpce-1' }] }),
      ),
    path: '/AccessEndpoints/0/VpceId',
    allowing: { vpcEndpointIds: ['vpce-1'] },
  },
  {
    rule: 'internetAccess',
    what: 'default internet access',
    check: (p) =>
      guard(p).check('CreateImageBuilder', builder({ EnableDefaultInternetAccess: true })),
    path: '/EnableDefaultInternetAccess',
    allowing: { internetAccess: true },
  },
  {
    rule: 'arnAccount',
    what: "another account's role",
    check: (p) =>
      guard(p).check(
        'CreateImageBuilder',
        builder({ IamRoleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/Builder` }),
      ),
    path: '/IamRoleArn',
    allowing: { accounts: [OTHER_ACCOUNT] },
  },
];

describe.each(CASES)('sharing rule $rule: $what', ({ rule, check, path, allowing }) => {
  it('is refused by an empty policy, naming the member and the setting', () => {
    expect(check({})).toEqual([
      {
        path,
        message: expect.stringContaining(`sharing.${SHARING_RULE_SETTINGS[rule]}`),
      },
    ]);
  });

  it('is allowed by the setting that allows it', () => {
    expect(check({ sharing: allowing })).toEqual([]);
  });
});

describe('sharing rules in detail', () => {
  it("allows the service's own account and AWS's own resources without any setting", () => {
    const guardrails = guard({});

    expect(
      guardrails.check(
        'CreateDistributionConfiguration',
        distribution({ targetAccountIds: [OWN_ACCOUNT], kmsKeyId: 'alias/aws/ebs' }),
      ),
    ).toEqual([]);
    expect(
      guardrails.check(
        'CreateImageBuilder',
        builder({
          ImageName: undefined,
          ImageArn: 'arn:aws:appstream:us-east-1::image/AppStream-WinServer2022-06-17-2025',
          IamRoleArn: `arn:aws:iam::${OWN_ACCOUNT}:role/Builder`,
        }),
      ),
    ).toEqual([]);
  });

  it("allows another account's resource the policy approved by name", () => {
    const role = `arn:aws:iam::${OTHER_ACCOUNT}:role/Builder`;

    expect(
      guard({ appstream: { iamRoleArns: [role] } }).check(
        'CreateImageBuilder',
        builder({ IamRoleArn: role }),
      ),
    ).toEqual([]);
  });

  it("refuses an OU outside the directory's list, and an access endpoint without a VPC endpoint", () => {
    const guardrails = guard({
      sharing: { domainJoin: { 'corp.example.com': ['OU=A'] }, vpcEndpointIds: ['vpce-1'] },
    });

    expect(
      guardrails
        .check(
          'CreateImageBuilder',
          builder({ DomainJoinInfo: DOMAIN, AccessEndpoints: [{ EndpointType: 'STREAMING' }] }),
        )
        .map(({ path }) => path),
    ).toEqual(['/DomainJoinInfo/OrganizationalUnitDistinguishedName', '/AccessEndpoints/0/VpceId']);
  });

  it('reports each shared item at its own place, among other rules', () => {
    const errors = guard({ distribution: { regions: ['eu-west-1'] } }).check(
      'CreateDistributionConfiguration',
      distribution({ targetAccountIds: [OWN_ACCOUNT, OTHER_ACCOUNT, '111122223333'] }),
    );

    expect(errors.map(({ path }) => path)).toEqual([
      '/distributions/0/region',
      `${AMI}/targetAccountIds/1`,
      `${AMI}/targetAccountIds/2`,
    ]);
  });
});

describe('an empty policy', () => {
  it.each(operationNames)(
    'refuses only what the sharing rules govern in a request with every member (%s)',
    (operation) => {
      const errors = guard({}).check(operation, admitted(operation, maximalRequests[operation]));

      for (const { path } of errors) {
        expect(GOVERNED_MEMBERS[operation].some((member) => matches(member.path, path))).toBe(true);
      }
    },
  );

  it('refuses the sharing members of the maximal distribution', () => {
    const errors = guard({}).check(
      'CreateDistributionConfiguration',
      admitted('CreateDistributionConfiguration', maximalRequests.CreateDistributionConfiguration),
    );

    expect(errors.length).toBeGreaterThan(3);
  });
});

/** Whether a JSON Pointer lies at or below a governed path (`*` for any array index). */
const matches = (pattern: string, path: string): boolean =>
  new RegExp(`^${pattern.replaceAll('*', '\\d+')}(/.*)?$`).test(path);

describe("the README's sharing table", () => {
  it('is GOVERNED_MEMBERS, rule for rule', () => {
    // Prepare
    const readme = readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');
    const rows = [
      ...readme.matchAll(/^\| `(\w+)` \| `([^`]+)` \| `sharing\.(\w+)` \| [^|]+ \|$/gm),
    ].map(([, operation, path, setting]) => `${operation} ${path} ${setting}`);

    // Act
    const table = Object.entries(GOVERNED_MEMBERS).flatMap(([operation, members]) =>
      members.map(({ path, rule }) => `${operation} ${path} ${SHARING_RULE_SETTINGS[rule]}`),
    );

    // Assess
    expect(rows.sort()).toEqual(table.sort());
  });
});
