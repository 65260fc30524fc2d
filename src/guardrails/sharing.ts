import type { FieldError } from '../basics/fieldError.js';
import { isRecord } from '../basics/records.js';
import type { OperationName } from '../operations/index.js';
import type { GuardrailPolicy } from './policy.js';

type Sharing = NonNullable<GuardrailPolicy['sharing']>;

/** What a governed member can do, and so the rule of `sharing` it falls under. */
export type SharingRule =
  | 'account'
  | 'arnAccount'
  | 'organization'
  | 'organizationalUnit'
  | 'publicGroup'
  | 'exportBucket'
  | 'logBucket'
  | 'domainJoin'
  | 'accessEndpoint'
  | 'internetAccess';

/** The setting under `sharing` that each rule reads. */
export const SHARING_RULE_SETTINGS: Readonly<Record<SharingRule, string>> = {
  account: 'accounts',
  arnAccount: 'accounts',
  organization: 'organizationArns',
  organizationalUnit: 'organizationalUnitArns',
  publicGroup: 'publicImages',
  exportBucket: 'exportBuckets',
  logBucket: 'logBuckets',
  domainJoin: 'domainJoin',
  accessEndpoint: 'vpcEndpointIds',
  internetAccess: 'internetAccess',
};

/** A request member (JSON Pointer, `*` for every array item) and the rule that governs it. */
export interface GovernedMember {
  readonly path: string;
  readonly rule: SharingRule;
  /**
   * The policy's own allow-list for this member, if it has one: a value listed there was approved
   * by name, whatever account it names.
   */
  readonly approvedIn?: (policy: GuardrailPolicy) => readonly string[] | undefined;
}

const DISTRIBUTION = '/distributions/*';
const snsTopics = (policy: GuardrailPolicy) => policy.infrastructure?.snsTopicArns;
const AMI = `${DISTRIBUTION}/amiDistributionConfiguration`;

/** Where a distribution configuration sends images: the same members on Create and Update. */
const DISTRIBUTION_MEMBERS: readonly GovernedMember[] = [
  { path: `${AMI}/targetAccountIds/*`, rule: 'account' },
  { path: `${AMI}/kmsKeyId`, rule: 'arnAccount' },
  { path: `${AMI}/launchPermission/userIds/*`, rule: 'account' },
  { path: `${AMI}/launchPermission/userGroups/*`, rule: 'publicGroup' },
  { path: `${AMI}/launchPermission/organizationArns/*`, rule: 'organization' },
  { path: `${AMI}/launchPermission/organizationalUnitArns/*`, rule: 'organizationalUnit' },
  { path: `${DISTRIBUTION}/licenseConfigurationArns/*`, rule: 'arnAccount' },
  { path: `${DISTRIBUTION}/launchTemplateConfigurations/*/accountId`, rule: 'account' },
  { path: `${DISTRIBUTION}/s3ExportConfiguration/s3Bucket`, rule: 'exportBucket' },
  { path: `${DISTRIBUTION}/fastLaunchConfigurations/*/accountId`, rule: 'account' },
  { path: `${DISTRIBUTION}/ssmParameterConfigurations/*/amiAccountId`, rule: 'account' },
];

/**
 * Every member of the operations that can share an image or builder outside the account,
 * export it, place it in another account or directory, or open network access. A test walks the
 * request schemas and fails on any such member missing here; the README's "Sharing, export and
 * access" table is this table.
 */
export const GOVERNED_MEMBERS: { readonly [Name in OperationName]: readonly GovernedMember[] } = {
  CreateInfrastructureConfiguration: [
    { path: '/snsTopicArn', rule: 'arnAccount', approvedIn: snsTopics },
    { path: '/logging/s3Logs/s3BucketName', rule: 'logBucket' },
    { path: '/placement/hostResourceGroupArn', rule: 'arnAccount' },
  ],
  UpdateInfrastructureConfiguration: [
    { path: '/infrastructureConfigurationArn', rule: 'arnAccount' },
    { path: '/snsTopicArn', rule: 'arnAccount', approvedIn: snsTopics },
    { path: '/logging/s3Logs/s3BucketName', rule: 'logBucket' },
    { path: '/placement/hostResourceGroupArn', rule: 'arnAccount' },
  ],
  GetInfrastructureConfiguration: [{ path: '/infrastructureConfigurationArn', rule: 'arnAccount' }],
  ListInfrastructureConfigurations: [],
  DeleteInfrastructureConfiguration: [
    { path: '/infrastructureConfigurationArn', rule: 'arnAccount' },
  ],
  CreateDistributionConfiguration: DISTRIBUTION_MEMBERS,
  ListDistributionConfigurations: [],
  GetDistributionConfiguration: [{ path: '/distributionConfigurationArn', rule: 'arnAccount' }],
  UpdateDistributionConfiguration: [
    { path: '/distributionConfigurationArn', rule: 'arnAccount' },
    ...DISTRIBUTION_MEMBERS,
  ],
  DeleteDistributionConfiguration: [{ path: '/distributionConfigurationArn', rule: 'arnAccount' }],
  CreateImageBuilder: [
    { path: '/ImageArn', rule: 'arnAccount', approvedIn: (policy) => policy.appstream?.imageArns },
    {
      path: '/IamRoleArn',
      rule: 'arnAccount',
      approvedIn: (policy) => policy.appstream?.iamRoleArns,
    },
    { path: '/EnableDefaultInternetAccess', rule: 'internetAccess' },
    { path: '/DomainJoinInfo', rule: 'domainJoin' },
    { path: '/AccessEndpoints/*', rule: 'accessEndpoint' },
  ],
  // A builder is named, never given by ARN: nothing of another account can be named.
  DescribeImageBuilders: [],
  StopImageBuilder: [],
  StartImageBuilder: [],
  DeleteImageBuilder: [],
};

/** The values at `pattern` in `value`, each with its JSON Pointer (`*` stands for every item). */
const valuesAt = (value: unknown, pattern: string): Array<[string, unknown]> => {
  let found: Array<[string, unknown]> = [['', value]];
  for (const segment of pattern.split('/').slice(1)) {
    found = found.flatMap(([pointer, node]): Array<[string, unknown]> => {
      if (segment === '*') {
        return Array.isArray(node)
          ? node.map((item, index): [string, unknown] => [`${pointer}/${index}`, item])
          : [];
      }
      return isRecord(node) && node[segment] !== undefined
        ? [[`${pointer}/${segment}`, node[segment]]]
        : [];
    });
  }
  return found;
};

export interface SharingContext {
  policy: GuardrailPolicy;
  sharing: Sharing;
  /** The account the service provisions into: always allowed. */
  accountId: string;
}

/** A broken rule, at a member below the governed one ('' for the member itself). */
type Problem = { below?: string; message: string };
type RuleCheck = (value: unknown, context: SharingContext) => Problem[];

const OWN_OR_LISTED = 'is neither this account nor one of sharing.accounts';
const setting = (rule: SharingRule) => `sharing.${SHARING_RULE_SETTINGS[rule]}`;

const isAllowedAccount = (account: string, { sharing, accountId }: SharingContext): boolean =>
  account === accountId || (sharing.accounts ?? []).includes(account);

const listed =
  (list: (sharing: Sharing) => readonly string[] | undefined, what: string): RuleCheck =>
  (value, { sharing }) =>
    typeof value === 'string' && !(list(sharing) ?? []).includes(value)
      ? [{ message: `is not one of ${what}` }]
      : [];

/** An ARN's account: '' for AWS's own resources (public images), undefined for no ARN. */
const accountOfArn = (value: string): string | undefined =>
  value.startsWith('arn:') ? (value.split(':')[4] ?? '') : undefined;

const RULE_CHECKS: Readonly<Record<SharingRule, RuleCheck>> = {
  account: (value, context) =>
    typeof value === 'string' && !isAllowedAccount(value, context)
      ? [{ message: `account ${OWN_OR_LISTED}` }]
      : [],
  arnAccount: (value, context) => {
    const account = typeof value === 'string' ? accountOfArn(value) : undefined;
    if (account === undefined || account === '' || account === 'aws') return [];
    return isAllowedAccount(account, context)
      ? []
      : [{ message: `names a resource of an account that ${OWN_OR_LISTED}` }];
  },
  organization: listed((sharing) => sharing.organizationArns, setting('organization')),
  organizationalUnit: listed(
    (sharing) => sharing.organizationalUnitArns,
    setting('organizationalUnit'),
  ),
  publicGroup: (_value, { sharing }) =>
    sharing.publicImages === true
      ? []
      : [{ message: `makes the image public, which ${setting('publicGroup')} does not allow` }],
  exportBucket: listed((sharing) => sharing.exportBuckets, setting('exportBucket')),
  logBucket: listed((sharing) => sharing.logBuckets, setting('logBucket')),
  domainJoin: (value, { sharing }) => {
    if (!isRecord(value)) return [];
    const { DirectoryName: directory, OrganizationalUnitDistinguishedName: unit } = value;
    const units =
      typeof directory === 'string' && Object.hasOwn(sharing.domainJoin ?? {}, directory)
        ? sharing.domainJoin?.[directory]
        : undefined;
    if (!units) {
      return [
        { below: '/DirectoryName', message: `is not a directory of ${setting('domainJoin')}` },
      ];
    }
    return typeof unit === 'string' && !units.includes(unit)
      ? [
          {
            below: '/OrganizationalUnitDistinguishedName',
            message: `is not one of this directory's OUs in ${setting('domainJoin')}`,
          },
        ]
      : [];
  },
  accessEndpoint: (value, { sharing }) => {
    const endpoint = isRecord(value) ? value.VpceId : undefined;
    return typeof endpoint === 'string' && (sharing.vpcEndpointIds ?? []).includes(endpoint)
      ? []
      : [{ below: '/VpceId', message: `must be one of ${setting('accessEndpoint')}` }];
  },
  internetAccess: (value, { sharing }) =>
    value === true && sharing.internetAccess !== true
      ? [{ message: `default internet access is not allowed (${setting('internetAccess')})` }]
      : [],
};

/** Every rule of `sharing` the validated request of `operation` breaks. */
export const checkSharing = (
  operation: OperationName,
  input: unknown,
  context: SharingContext,
): FieldError[] =>
  GOVERNED_MEMBERS[operation].flatMap(({ path, rule, approvedIn }) =>
    valuesAt(input, path).flatMap(([pointer, value]) => {
      const approved = approvedIn?.(context.policy);
      if (typeof value === 'string' && approved?.includes(value)) return [];
      return RULE_CHECKS[rule](value, context).map(({ below = '', message }) => ({
        path: `${pointer}${below}`,
        message: `policy: ${message}`,
      }));
    }),
  );
