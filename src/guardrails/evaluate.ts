import type { FieldError } from '../basics/fieldError.js';
import { escapePointerToken } from '../basics/jsonPointer.js';
import type { OperationInput, OperationName } from '../operations/index.js';
import type { GuardrailPolicy } from './policy.js';
import { checkSharing } from './sharing.js';

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
  if (rules.requireImdsV2 && input.instanceMetadataOptions?.httpTokens !== 'required') {
    f.add('/instanceMetadataOptions/httpTokens', 'must be "required" (IMDSv2)');
  }
};

/** What Create and Update of a distribution configuration both set: where images go. */
const checkDistributions = (
  f: Findings,
  input: Pick<OperationInput<'UpdateDistributionConfiguration'>, 'distributions'>,
  policy: GuardrailPolicy,
) => {
  const regions = policy.distribution?.regions;
  input.distributions.forEach((distribution, index) => {
    f.allowed(`/distributions/${index}/region`, distribution.region, regions, 'region');
  });
};

const checkDistribution = (
  f: Findings,
  input: OperationInput<'CreateDistributionConfiguration'>,
  policy: GuardrailPolicy,
) => {
  checkDistributions(f, input, policy);
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
  }
  checkTags(f, 'Tags', input.Tags, policy.tags);
};

/** The guardrails of one operation: adds every rule its validated request breaks. */
type GuardrailCheck<Name extends OperationName> = (
  findings: Findings,
  input: OperationInput<Name>,
  policy: GuardrailPolicy,
) => void;

/** A read changes nothing and shares nothing. */
const noCheck = () => undefined;

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
  GetInfrastructureConfiguration: noCheck,
  ListInfrastructureConfigurations: noCheck,
  // Whose configuration it is, the operation checks on AWS before it deletes (ownership); the
  // ARN's account, the sharing rules.
  DeleteInfrastructureConfiguration: noCheck,
  CreateDistributionConfiguration: checkDistribution,
  ListDistributionConfigurations: noCheck,
  GetDistributionConfiguration: noCheck,
  // The same rules as Create but for tags, which Update does not carry.
  UpdateDistributionConfiguration: checkDistributions,
  DeleteDistributionConfiguration: noCheck,
  CreateImageBuilder: checkImageBuilder,
  DescribeImageBuilders: noCheck,
  // Stop, start and delete set nothing a rule governs; ownership is checked on AWS.
  StopImageBuilder: noCheck,
  StartImageBuilder: noCheck,
  DeleteImageBuilder: noCheck,
};

/** The stage's guardrails, ready to check requests. */
export interface Guardrails {
  /** Every rule the validated request breaks, each with the member it is about. */
  check<Name extends OperationName>(operation: Name, input: OperationInput<Name>): FieldError[];
}

/**
 * Guardrails of `policy` for a service that provisions into `accountId`: that account is always
 * allowed where the policy governs accounts.
 */
export const createGuardrails = (
  policy: GuardrailPolicy,
  { accountId }: { accountId: string },
): Guardrails => {
  const sharing = { policy, sharing: policy.sharing ?? {}, accountId };
  return {
    check(operation, input) {
      const findings = new Findings();
      const check: GuardrailCheck<typeof operation> = guardrailChecks[operation];
      check(findings, input, policy);
      return [...findings.errors, ...checkSharing(operation, input, sharing)];
    },
  };
};
