import type { GuardrailPolicy } from './policy.js';

/**
 * The IAM resources a stage's guardrails let the functions use, for the IAM statements of the
 * stage (iac/guardrails.cjs turns them into CloudFormation Resource entries).
 */
export interface GuardrailIamResources {
  /**
   * The roles the functions may pass (iam:PassRole), per service. A list the policy leaves out is
   * undefined: the guardrails do not restrict that service's roles. An empty list names no role.
   */
  roleArns: {
    /** The roles of `infrastructure.instanceProfiles`, in the file's order. */
    instanceProfiles?: string[];
    /** `appstream.iamRoleArns`. */
    appstream?: string[];
  };
  /**
   * The instance profiles the policy names (iam:GetInstanceProfile); undefined when it names none,
   * since an IAM statement cannot list no resource.
   */
  instanceProfileNames?: string[];
  /**
   * The resources `adoptable` names, per service, as IAM resource patterns (`*` and `?` are IAM's
   * wildcards too): configuration ARNs for Image Builder; builder ARNs, or builder names (under
   * `image-builder/` of the stage's account and Region) for AppStream. Empty when it names none.
   */
  adoptable: { imagebuilder: string[]; appstream: string[] };
}

/** What `policy` (already checked with the schema of ./policy.ts) allows of IAM. */
export const guardrailIamResources = (policy: GuardrailPolicy): GuardrailIamResources => {
  const profiles = policy.infrastructure?.instanceProfiles;
  const roles = policy.appstream?.iamRoleArns;
  const names = profiles ? Object.keys(profiles) : [];
  return {
    roleArns: {
      instanceProfiles: profiles ? Object.values(profiles) : undefined,
      appstream: roles ? [...roles] : undefined,
    },
    instanceProfileNames: names.length > 0 ? names : undefined,
    adoptable: adoptableResources(policy.adoptable ?? []),
  };
};

/** Builder names become ARNs of the stage's account and Region (CloudFormation `Fn::Sub`). */
const adoptableResources = (entries: readonly string[]): GuardrailIamResources['adoptable'] => ({
  imagebuilder: entries.filter(
    (entry) => entry.startsWith('arn:') && entry.includes(':imagebuilder:'),
  ),
  appstream: entries
    .filter((entry) => !entry.startsWith('arn:') || entry.includes(':appstream:'))
    .map((entry) =>
      entry.startsWith('arn:')
        ? entry
        : `arn:\${AWS::Partition}:appstream:\${AWS::Region}:\${AWS::AccountId}:image-builder/${entry}`,
    ),
});
