'use strict';

/**
 * Variable resolver for serverless.yml: the IAM resources the functions may use, taken from the
 * stage's guardrails (config/guardrails/<stage>.json, see src/guardrails/policy.ts), so that IAM
 * and the guardrails allow the same roles.
 *
 *   ${file(iac/guardrails.cjs):passRoleArns}        Resource list of the iam:PassRole statement
 *   ${file(iac/guardrails.cjs):instanceProfileArns} Resource list of iam:GetInstanceProfile
 *   ${file(iac/guardrails.cjs):policyFile}          GUARDRAILS_FILE of the functions ('' if none)
 *
 * - PassRole: the role ARNs of `infrastructure.instanceProfiles` (instance profile name -> role
 *   ARN) plus `appstream.iamRoleArns`. A list the guardrails leave out does not restrict that
 *   service, so its part is the `passRoleArns` param (the service-wide default). No file, or a
 *   file that lists no role at all: the `passRoleArns` param alone.
 * - GetInstanceProfile: the instance profiles the guardrails name (in this account, at any path),
 *   else every instance profile of the account.
 *
 * A guardrails file that is not JSON, or has the wrong shape for these keys, fails the variable
 * resolution (and so `sls package` / `sls deploy`) with a message naming the file.
 */

const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const serviceDir = join(__dirname, '..');
const guardrailsDir = join(serviceDir, 'config', 'guardrails');

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const INSTANCE_PROFILE_NAME = /^[\w+=,.@-]{1,128}$/;
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

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The roles and instance profiles a guardrails file allows; null when the file does not exist.
 * `roleArns.instanceProfiles` / `roleArns.appstream` are undefined when the file leaves the list
 * out (no restriction), and `instanceProfileNames` is undefined when it names no instance profile.
 */
const readGuardrails = (file) => {
  const inService = relative(serviceDir, file);
  const name = inService && !inService.startsWith('..') ? inService : file;
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw new GuardrailsError(`Cannot read guardrails file ${name}: ${error.message}`);
  }
  let policy;
  try {
    policy = JSON.parse(text);
  } catch (error) {
    throw new GuardrailsError(`Guardrails file ${name} is not valid JSON: ${error.message}`);
  }
  const invalid = (pointer, expected) =>
    new GuardrailsError(`Guardrails file ${name}: ${pointer} must be ${expected}`);

  if (!isObject(policy)) throw invalid('the document', 'a JSON object');
  const { infrastructure, appstream } = policy;

  let profileRoles;
  if (infrastructure !== undefined) {
    if (!isObject(infrastructure)) throw invalid('/infrastructure', 'an object');
    const { instanceProfiles } = infrastructure;
    if (instanceProfiles !== undefined) {
      if (!isObject(instanceProfiles)) {
        throw invalid(
          '/infrastructure/instanceProfiles',
          'an object of instance profile name -> role ARN',
        );
      }
      profileRoles = Object.entries(instanceProfiles).map(([profile, role]) => {
        if (!INSTANCE_PROFILE_NAME.test(profile)) {
          throw invalid(
            `/infrastructure/instanceProfiles key "${profile}"`,
            'an instance profile name (1-128 of A-Z a-z 0-9 _+=,.@-)',
          );
        }
        if (typeof role !== 'string' || !ROLE_ARN.test(role)) {
          throw invalid(
            `/infrastructure/instanceProfiles/${profile}`,
            'an IAM role ARN (arn:aws:iam::<account>:role/<path><name>)',
          );
        }
        return [profile, role];
      });
    }
  }

  let appstreamRoles;
  if (appstream !== undefined) {
    if (!isObject(appstream)) throw invalid('/appstream', 'an object');
    const { iamRoleArns } = appstream;
    if (iamRoleArns !== undefined) {
      if (!Array.isArray(iamRoleArns)) throw invalid('/appstream/iamRoleArns', 'an array');
      iamRoleArns.forEach((role, index) => {
        if (typeof role !== 'string' || !ROLE_ARN.test(role)) {
          throw invalid(
            `/appstream/iamRoleArns/${index}`,
            'an IAM role ARN (arn:aws:iam::<account>:role/<path><name>)',
          );
        }
      });
      appstreamRoles = iamRoleArns;
    }
  }

  return {
    roleArns: {
      instanceProfiles: profileRoles?.map(([, role]) => role),
      appstream: appstreamRoles,
    },
    instanceProfileNames: profileRoles?.length
      ? profileRoles.map(([profile]) => profile)
      : undefined,
  };
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

const guardrailsFileOf = (stage) => {
  if (typeof stage !== 'string' || !STAGE.test(stage)) {
    throw new GuardrailsError(`Stage "${stage}" is not a valid stage name (A-Z a-z 0-9 -)`);
  }
  return join(guardrailsDir, `${stage}.json`);
};

/**
 * The whole policy, checked with the schema the functions use at cold start
 * (scripts/checkGuardrails.ts): a file that would fail there fails the package or deploy here.
 */
const checkWithServiceSchema = (file) => {
  try {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/checkGuardrails.ts', file], {
      cwd: serviceDir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    const reason = error.stderr?.toString().trim() || error.message;
    throw new GuardrailsError(reason);
  }
};

const guardrailsOfStage = async (resolveVariable) => {
  const file = guardrailsFileOf(await resolveVariable('sls:stage'));
  const guardrails = readGuardrails(file);
  if (guardrails) checkWithServiceSchema(relative(serviceDir, file));
  return guardrails;
};

/** The stage's policy file, relative to the service (and to /var/task once packaged); '' if none. */
const policyFile = async (resolveVariable) => {
  const file = guardrailsFileOf(await resolveVariable('sls:stage'));
  return (await readGuardrails(file)) === null ? '' : relative(serviceDir, file);
};

module.exports = {
  policyFile: async ({ resolveVariable }) => policyFile(resolveVariable),
  passRoleArns: async ({ resolveVariable }) =>
    passRoleResources(
      await guardrailsOfStage(resolveVariable),
      await resolveVariable('param:passRoleArns'),
    ),
  instanceProfileArns: async ({ resolveVariable }) =>
    instanceProfileResources(await guardrailsOfStage(resolveVariable)),
  // For tests.
  readGuardrails,
  checkWithServiceSchema,
  passRoleResources,
  instanceProfileResources,
};
