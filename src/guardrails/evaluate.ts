import type { OperationInput, OperationName } from '../operations/index.js';
import type { FieldError } from '../shared/fieldError.js';
import { escapePointerToken } from '../shared/jsonPointer.js';
import type { GuardrailPolicy } from './policy.js';

type Rules = NonNullable<GuardrailPolicy['infrastructure']>;

/** Collects broken rules; each names the request member it is about. */
class Findings {
  readonly errors: FieldError[] = [];

  /** `value` (when given) must be on the list; with `required`, it must be given too. `what` is singular. */
  allowed(
    path: string,
    value: string | undefined,
    list: readonly string[] | undefined,
    what: string,
    required = false,
  ): void {
    if (list === undefined) return;
    if (value === undefined) {
      if (required) this.add(path, `must be given: only approved ${what}s are allowed here`);
      return;
    }
    if (!list.includes(value)) {
      this.add(path, list.length === 0 ? `no ${what} is allowed` : `is not an approved ${what}`);
    }
  }

  /** Each item must be on the list; with `required`, the list in the request must not be empty. */
  allAllowed(
    path: string,
    values: readonly string[] | undefined,
    list: readonly string[] | undefined,
    what: string,
    required = false,
  ): void {
    if (list === undefined) return;
    if (!values || values.length === 0) {
      if (required) this.add(path, `must be given: only approved ${what}s are allowed here`);
      return;
    }
    for (const [index, value] of values.entries()) {
      this.allowed(`${path}/${index}`, value, list, what);
    }
  }

  add(path: string, message: string): void {
    this.errors.push({ path, message: `policy: ${message}` });
  }
}

const checkTags = (
  findings: Findings,
  member: string,
  tags: Readonly<Record<string, string>> | undefined,
  rules: GuardrailPolicy['tags'],
): void => {
  if (!rules) return;
  for (const key of rules.required ?? []) {
    if (tags?.[key] === undefined)
      findings.add(`/${member}/${escapePointerToken(key)}`, 'this tag is required');
  }
  for (const [key, values] of Object.entries(rules.allowedValues ?? {})) {
    const value = tags?.[key];
    if (value !== undefined && !values.includes(value)) {
      findings.add(`/${member}/${escapePointerToken(key)}`, `must be one of: ${values.join(', ')}`);
    }
  }
};

type InfrastructureInput =
  | OperationInput<'CreateInfrastructureConfiguration'>
  | OperationInput<'UpdateInfrastructureConfiguration'>;

const checkInfrastructure = (f: Findings, input: InfrastructureInput, rules: Rules | undefined) => {
  if (!rules) return;
  f.allAllowed('/instanceTypes', input.instanceTypes, rules.instanceTypes, 'instance type', true);
  f.allowed('/subnetId', input.subnetId, rules.subnetIds, 'subnet', true);
  f.allAllowed(
    '/securityGroupIds',
    input.securityGroupIds,
    rules.securityGroupIds,
    'security group',
    true,
  );
  const profiles = rules.instanceProfiles && Object.keys(rules.instanceProfiles);
  f.allowed('/instanceProfileName', input.instanceProfileName, profiles, 'instance profile');
  f.allowed('/keyPair', input.keyPair, rules.keyPairs, 'key pair');
  f.allowed('/snsTopicArn', input.snsTopicArn, rules.snsTopicArns, 'SNS topic');
  f.allowed(
    '/logging/s3Logs/s3BucketName',
    input.logging?.s3Logs?.s3BucketName,
    rules.logBuckets,
    'log bucket',
  );
  if (rules.requireImdsV2 && input.instanceMetadataOptions?.httpTokens !== 'required') {
    f.add('/instanceMetadataOptions/httpTokens', 'must be "required" (IMDSv2)');
  }
};

const checkDistribution = (
  f: Findings,
  input: OperationInput<'CreateDistributionConfiguration'>,
  policy: GuardrailPolicy,
) => {
  const rules = policy.distribution;
  input.distributions.forEach((distribution, index) => {
    const at = `/distributions/${index}`;
    f.allowed(`${at}/region`, distribution.region, rules?.regions, 'region');
    const ami = distribution.amiDistributionConfiguration;
    f.allAllowed(
      `${at}/amiDistributionConfiguration/targetAccountIds`,
      ami?.targetAccountIds,
      rules?.targetAccountIds,
      'target account',
    );
    f.allAllowed(
      `${at}/amiDistributionConfiguration/launchPermission/userIds`,
      ami?.launchPermission?.userIds,
      rules?.targetAccountIds,
      'target account',
    );
  });
  checkTags(f, 'tags', input.tags, policy.tags);
};

const checkImageBuilder = (
  f: Findings,
  input: OperationInput<'CreateImageBuilder'>,
  policy: GuardrailPolicy,
) => {
  const rules = policy.appstream;
  if (rules) {
    f.allowed('/InstanceType', input.InstanceType, rules.instanceTypes, 'instance type');
    if (rules.imageNames || rules.imageArns) {
      if (input.ImageArn !== undefined)
        f.allowed('/ImageArn', input.ImageArn, rules.imageArns ?? [], 'image');
      else f.allowed('/ImageName', input.ImageName, rules.imageNames ?? [], 'image', true);
    }
    f.allowed('/IamRoleArn', input.IamRoleArn, rules.iamRoleArns, 'IAM role');
    f.allAllowed(
      '/VpcConfig/SubnetIds',
      input.VpcConfig?.SubnetIds,
      rules.subnetIds,
      'subnet',
      true,
    );
    f.allAllowed(
      '/VpcConfig/SecurityGroupIds',
      input.VpcConfig?.SecurityGroupIds,
      rules.securityGroupIds,
      'security group',
    );
    if (rules.allowInternetAccess === false && input.EnableDefaultInternetAccess === true) {
      f.add('/EnableDefaultInternetAccess', 'default internet access is not allowed');
    }
  }
  checkTags(f, 'Tags', input.Tags, policy.tags);
};

/** The guardrails of one operation: adds every rule its validated request breaks. */
type GuardrailCheck<Name extends OperationName> = (
  findings: Findings,
  input: OperationInput<Name>,
  policy: GuardrailPolicy,
) => void;

/** One check per operation: an operation without an entry here does not compile. */
export type GuardrailChecks = { readonly [Name in OperationName]: GuardrailCheck<Name> };

export const guardrailChecks: GuardrailChecks = {
  CreateInfrastructureConfiguration: (findings, input, policy) => {
    checkInfrastructure(findings, input, policy.infrastructure);
    checkTags(findings, 'tags', input.tags, policy.tags);
  },
  // Tags change through TagResource, which the service does not offer.
  UpdateInfrastructureConfiguration: (findings, input, policy) =>
    checkInfrastructure(findings, input, policy.infrastructure),
  // A read changes nothing and shares nothing.
  GetInfrastructureConfiguration: () => undefined,
  CreateDistributionConfiguration: checkDistribution,
  CreateImageBuilder: checkImageBuilder,
};

/** Every rule of `policy` the validated request breaks, with the member it is about. */
export const checkGuardrails = <Name extends OperationName>(
  policy: GuardrailPolicy,
  operation: Name,
  input: OperationInput<Name>,
): FieldError[] => {
  const findings = new Findings();
  const check: GuardrailCheck<Name> = guardrailChecks[operation];
  check(findings, input, policy);
  return findings.errors;
};
