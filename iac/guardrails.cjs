'use strict';

/**
 * Variable resolver for serverless.yml: the IAM resources the functions may use, taken from the
 * stage's guardrails (config/guardrails/<stage>.json, see src/guardrails/policy.ts), so that IAM
 * and the guardrails allow the same roles.
 *
 *   ${file(iac/guardrails.cjs):passRoleArns}        Resource list of the iam:PassRole statement
 *   ${file(iac/guardrails.cjs):instanceProfileArns} Resource list of iam:GetInstanceProfile
 *   ${file(iac/guardrails.cjs):policyFile}          GUARDRAILS_FILE of the functions ('' if none)
 *   ${file(iac/guardrails.cjs):resources}           the AdoptedResourcesPolicy, when the stage
 *                                                   adopts resources (else no resource)
 *   ${file(iac/guardrails.cjs):adoptionPolicies}    [its Ref] or [], for the ManagedPolicyArns of
 *                                                   the http and queue roles (deployer-resources.cjs)
 *
 * - PassRole: the role ARNs of `infrastructure.instanceProfiles` (instance profile name -> role
 *   ARN) plus `appstream.iamRoleArns`. A list the guardrails leave out does not restrict that
 *   service, so its part is the `passRoleArns` param (the service-wide default). No file, or a
 *   file that lists no role at all: the `passRoleArns` param alone.
 * - GetInstanceProfile: the instance profiles the guardrails name (in this account, at any path),
 *   else every instance profile of the account.
 * - Adoption: iac/iam.yml lets the provisioning functions update, stop, start and delete only
 *   resources that carry the stage's ownership tag (an `aws:ResourceTag` condition). The resources
 *   the guardrails list under `adoptable` have no such tag: a policy of their own
 *   (AdoptedResourcesPolicy, which the http and queue roles attach) allows those same actions on
 *   exactly them. No `adoptable` entry, no policy.
 *
 * The file has one check, the functions' own: scripts/checkGuardrails.ts checks it with the schema
 * they use at cold start (src/guardrails/policy.ts) and derives the roles and instance profiles
 * above from it (src/guardrails/iamResources.ts); this resolver has no rules of its own. It runs
 * that check once per file and process, however many variables ask. A file the schema rejects
 * fails the variable resolution (and so `sls package` / `sls deploy`) with the schema's message:
 * the file and the place of each problem.
 */

const { execFile } = require('node:child_process');
const { isAbsolute, join, relative } = require('node:path');
const { promisify } = require('node:util');

const serviceDir = join(__dirname, '..');
const guardrailsDir = join(serviceDir, 'config', 'guardrails');

const STAGE = /^[A-Za-z0-9-]+$/;
const ALL_INSTANCE_PROFILES = {
  'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:instance-profile/*`,
};

/** An error osls shows as is: its stack (which osls prints) is the message alone. */
class GuardrailsError extends Error {
  constructor(message) {
    super(message);
    this.name = 'GuardrailsError';
    this.stack = `${this.name}: ${message}`;
  }
}

/** A file as messages name it: relative to the service when inside it, else as given. */
const nameOf = (file) => {
  const inService = relative(serviceDir, file);
  return inService && !inService.startsWith('..') && !isAbsolute(inService) ? inService : file;
};

/**
 * The service's check of one guardrails file (scripts/checkGuardrails.ts), which answers
 * `{ exists, roleArns: { instanceProfiles, appstream }, instanceProfileNames }`: see
 * src/guardrails/iamResources.ts for what each list holds. A file the schema rejects rejects with
 * a GuardrailsError carrying the schema's message.
 */
const runServiceCheck = async (file) => {
  const name = nameOf(file);
  let stdout;
  try {
    ({ stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/checkGuardrails.ts', name],
      { cwd: serviceDir },
    ));
  } catch (error) {
    throw new GuardrailsError(error.stderr?.toString().trim() || error.message);
  }
  let result;
  try {
    [result] = JSON.parse(stdout);
  } catch {}
  if (typeof result?.exists !== 'boolean') {
    throw new GuardrailsError(`scripts/checkGuardrails.ts gave no result for ${name}: ${stdout}`);
  }
  return result;
};

/** The comma-separated `passRoleArns` param as policy Resource entries. */
const defaultRoleResources = (param) =>
  String(param)
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean)
    .map((arn) => (arn.includes('${') ? { 'Fn::Sub': arn } : arn));

const unique = (items) => {
  const seen = new Set();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

/** Resource of iam:PassRole, from the guardrails (or null) and the `passRoleArns` param. */
const passRoleResources = (guardrails, defaultParam) => {
  const fallback = defaultRoleResources(defaultParam);
  if (!guardrails) return fallback;
  const { instanceProfiles, appstream } = guardrails.roleArns;
  const listed = [...(instanceProfiles ?? []), ...(appstream ?? [])];
  if (listed.length === 0) return fallback;
  const unrestricted = instanceProfiles === undefined || appstream === undefined;
  return unique([...[...new Set(listed)].sort(), ...(unrestricted ? fallback : [])]);
};

/** The changes the service makes to resources that exist (iac/iam.yml, Owned* statements). */
const ADOPTED_ACTIONS = {
  imagebuilder: [
    'imagebuilder:UpdateInfrastructureConfiguration',
    'imagebuilder:DeleteInfrastructureConfiguration',
    'imagebuilder:UpdateDistributionConfiguration',
    'imagebuilder:DeleteDistributionConfiguration',
  ],
  appstream: [
    'appstream:StopImageBuilder',
    'appstream:StartImageBuilder',
    'appstream:DeleteImageBuilder',
  ],
};

/** A policy resource entry: a `${...}` placeholder goes through Fn::Sub. */
const resourceEntry = (arn) => (arn.includes('${') ? { 'Fn::Sub': arn } : arn);

/** The AdoptedResourcesPolicy of the guardrails (or null): no statement for an empty list. */
const adoptionResources = (guardrails) => {
  const adoptable = guardrails?.adoptable ?? { imagebuilder: [], appstream: [] };
  const statements = Object.entries(ADOPTED_ACTIONS)
    .filter(([service]) => adoptable[service].length > 0)
    .map(([service, actions]) => ({
      Sid: service === 'imagebuilder' ? 'AdoptedConfigurations' : 'AdoptedImageBuilders',
      Effect: 'Allow',
      Action: actions,
      Resource: [...new Set(adoptable[service])].sort().map(resourceEntry),
    }));
  if (statements.length === 0) return null;
  return {
    Resources: {
      AdoptedResourcesPolicy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          Description: "Changes to the resources the stage's guardrails list as adoptable",
          PolicyDocument: { Version: '2012-10-17', Statement: statements },
        },
      },
    },
  };
};

/** Resource of iam:GetInstanceProfile. */
const instanceProfileResources = (guardrails) => {
  const names = guardrails?.instanceProfileNames;
  if (!names) return [ALL_INSTANCE_PROFILES];
  return [...new Set(names)].sort().flatMap((profile) => [
    { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:instance-profile/${profile}` },
    // The same name under a path (instance-profile/<path>/<name>).
    { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:instance-profile/*/${profile}` },
  ]);
};

const guardrailsFileOf = (dir, stage) => {
  if (typeof stage !== 'string' || !STAGE.test(stage)) {
    throw new GuardrailsError(`Stage "${stage}" is not a valid stage name (A-Z a-z 0-9 -)`);
  }
  return join(dir, `${stage}.json`);
};

/**
 * The variables, reading the stage files of `dir` and asking `check` (a file's absolute path ->
 * the result of runServiceCheck) at most once per file, however many variables ask for it.
 */
const createResolver = ({ dir = guardrailsDir, check = runServiceCheck } = {}) => {
  const checks = new Map();
  /** The stage's file and its guardrails (null when the file does not exist). */
  const guardrailsOfStage = async (resolveVariable) => {
    const file = guardrailsFileOf(dir, await resolveVariable('sls:stage'));
    if (!checks.has(file)) checks.set(file, (async () => check(file))());
    const result = await checks.get(file);
    return { file, guardrails: result.exists ? result : null };
  };
  return {
    /** The stage's policy file, relative to the service (and to /var/task once packaged); '' if none. */
    policyFile: async ({ resolveVariable }) => {
      const { file, guardrails } = await guardrailsOfStage(resolveVariable);
      return guardrails ? relative(serviceDir, file) : '';
    },
    passRoleArns: async ({ resolveVariable }) =>
      passRoleResources(
        (await guardrailsOfStage(resolveVariable)).guardrails,
        await resolveVariable('param:passRoleArns'),
      ),
    instanceProfileArns: async ({ resolveVariable }) =>
      instanceProfileResources((await guardrailsOfStage(resolveVariable)).guardrails),
    resources: async ({ resolveVariable }) =>
      adoptionResources((await guardrailsOfStage(resolveVariable)).guardrails) ?? { Resources: {} },
    adoptionPolicies: async ({ resolveVariable }) =>
      adoptionResources((await guardrailsOfStage(resolveVariable)).guardrails)
        ? [{ Ref: 'AdoptedResourcesPolicy' }]
        : [],
  };
};

const { policyFile, passRoleArns, instanceProfileArns, resources, adoptionPolicies } =
  createResolver();

module.exports = {
  policyFile,
  passRoleArns,
  instanceProfileArns,
  resources,
  adoptionPolicies,
  adoptionResources,
  // For tests.
  createResolver,
  runServiceCheck,
  passRoleResources,
  instanceProfileResources,
};
