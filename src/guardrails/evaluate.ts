import type { OperationName } from '../operations/index.js';
import type {
  CreateDistributionConfigurationInput,
  CreateImageBuilderInput,
  CreateInfrastructureConfigurationInput,
  UpdateInfrastructureConfigurationInput,
} from '../operations/schemas/index.js';
import type { FieldError } from '../provisioning/validation.js';
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

const pointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

const checkTags = (
  findings: Findings,
  member: string,
  tags: Readonly<Record<string, string>> | undefined,
  rules: GuardrailPolicy['tags'],
): void => {
  if (!rules) return;
  for (const key of rules.required ?? []) {
    if (tags?.[key] === undefined)
      findings.add(`/${member}/${pointer(key)}`, 'this tag is required');
  }
  for (const [key, values] of Object.entries(rules.allowedValues ?? {})) {
    const value = tags?.[key];
    if (value !== undefined && !values.includes(value)) {
      findings.add(`/${member}/${pointer(key)}`, `must be one of: ${values.join(', ')}`);
    }
  }
};

type InfrastructureInput =
  | CreateInfrastructureConfigurationInput
  | UpdateInfrastructureConfigurationInput;

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
  input: CreateDistributionConfigurationInput,
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
  input: CreateImageBuilderInput,
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

/** Every rule of `policy` the validated request breaks, with the member it is about. */
export const checkGuardrails = (
  policy: GuardrailPolicy,
  operation: OperationName,
  input: unknown,
): FieldError[] => {
  const findings = new Findings();
  switch (operation) {
    case 'CreateInfrastructureConfiguration': {
      const request = input as CreateInfrastructureConfigurationInput;
      checkInfrastructure(findings, request, policy.infrastructure);
      checkTags(findings, 'tags', request.tags, policy.tags);
      break;
    }
    case 'UpdateInfrastructureConfiguration':
      checkInfrastructure(
        findings,
        input as UpdateInfrastructureConfigurationInput,
        policy.infrastructure,
      );
      break;
    case 'CreateDistributionConfiguration':
      checkDistribution(findings, input as CreateDistributionConfigurationInput, policy);
      break;
    case 'CreateImageBuilder':
      checkImageBuilder(findings, input as CreateImageBuilderInput, policy);
      break;
    case 'GetInfrastructureConfiguration':
      break;
  }
  return findings.errors;
};
