'use strict';

/**
 * Variable resolver for serverless.yml: what the deployer's own resources and account give the
 * template, from stage params (README "Control Tower").
 *
 *   subnetIds, securityGroupIds  comma-separated ids of the deployer's VPC: every function runs
 *                                in those subnets with those security groups, and the function
 *                                roles get the network interface permissions Lambda needs. Both
 *                                or neither.
 *   accountId                    the 12-digit account the stage deploys to: the HTTP API's
 *                                permission to invoke the http function then also names it as
 *                                SourceAccount (a literal: Control Tower's check reads no
 *                                reference, and the account is known only at deploy time).
 *
 *   ${file(iac/deployer-resources.cjs):vpc}                 provider.vpc ({} without the params)
 *   ${file(iac/deployer-resources.cjs):provisioningPolicies} ManagedPolicyArns of the http and
 *                                                            queue roles
 *   ${file(iac/deployer-resources.cjs):networkPolicies}      ManagedPolicyArns of the other roles
 *                                                            (null, i.e. none, without a VPC)
 *   ${file(iac/deployer-resources.cjs):resources}            the network interface policy and the
 *                                                            permission's SourceAccount
 *
 * A malformed id, or only one of subnetIds / securityGroupIds, fails `sls package`.
 */

const NETWORK_POLICY = 'NetworkInterfacesPolicy';
const PROVISIONING_POLICY = 'ProvisioningPolicy';
const HTTP_API_PERMISSION = 'HttpLambdaPermissionHttpApi';

const SUBNET_ID = /^subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
const ACCOUNT_ID = /^\d{12}$/;
/** Lambda takes at most 16 subnets and 5 security groups per function. */
const MAX_SUBNETS = 16;
const MAX_SECURITY_GROUPS = 5;

class DeployerResourcesError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DeployerResourcesError';
    this.stack = `${this.name}: ${message}`;
  }
}

const listOf = (value) =>
  String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

const checkIds = (name, ids, pattern, max) => {
  for (const id of ids) {
    if (!pattern.test(id)) throw new DeployerResourcesError(`param ${name}: "${id}" is no such id`);
  }
  if (new Set(ids).size !== ids.length) {
    throw new DeployerResourcesError(`param ${name} names an id twice`);
  }
  if (ids.length > max) {
    throw new DeployerResourcesError(
      `param ${name}: Lambda takes at most ${max}, got ${ids.length}`,
    );
  }
};

/** `{ vpc?: { subnetIds, securityGroupIds }, accountId? }` from the params, validated. */
const deployerSettings = ({ subnetIds, securityGroupIds, accountId }) => {
  const subnets = listOf(subnetIds);
  const groups = listOf(securityGroupIds);
  checkIds('subnetIds', subnets, SUBNET_ID, MAX_SUBNETS);
  checkIds('securityGroupIds', groups, SECURITY_GROUP_ID, MAX_SECURITY_GROUPS);
  if ((subnets.length === 0) !== (groups.length === 0)) {
    throw new DeployerResourcesError(
      'params subnetIds and securityGroupIds go together: give both (the functions run in the VPC) or neither',
    );
  }
  const account = String(accountId ?? '').trim();
  if (account !== '' && !ACCOUNT_ID.test(account)) {
    throw new DeployerResourcesError(
      `param accountId must be a 12-digit account id, got "${account}"`,
    );
  }
  return {
    ...(subnets.length > 0 ? { vpc: { subnetIds: subnets, securityGroupIds: groups } } : {}),
    ...(account ? { accountId: account } : {}),
  };
};

const ec2Arn = (resource) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:${resource}`,
});

/**
 * What Lambda needs to attach a function to the VPC (AWS Lambda Developer Guide, "Giving Lambda
 * functions access to resources in an Amazon VPC"), as narrow as EC2 allows:
 * DescribeNetworkInterfaces works only on Resource "*"; CreateNetworkInterface only in the given
 * subnets with the given security groups; the others only on network interfaces of the account
 * and Region.
 */
const networkInterfacesPolicy = ({ subnetIds, securityGroupIds }) => ({
  Type: 'AWS::IAM::ManagedPolicy',
  Properties: {
    Description: 'Network interfaces Lambda creates for the functions in the VPC',
    PolicyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DescribeNetworkInterfaces',
          Effect: 'Allow',
          Action: 'ec2:DescribeNetworkInterfaces',
          Resource: '*',
        },
        {
          Sid: 'CreateNetworkInterfacesInTheGivenSubnets',
          Effect: 'Allow',
          Action: 'ec2:CreateNetworkInterface',
          Resource: [
            ec2Arn('network-interface/*'),
            ...subnetIds.map((id) => ec2Arn(`subnet/${id}`)),
            ...securityGroupIds.map((id) => ec2Arn(`security-group/${id}`)),
          ],
        },
        {
          Sid: 'ManageNetworkInterfaces',
          Effect: 'Allow',
          Action: [
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          Resource: ec2Arn('network-interface/*'),
        },
      ],
    },
  },
});

const resources = (settings) => ({
  Resources: settings.vpc ? { [NETWORK_POLICY]: networkInterfacesPolicy(settings.vpc) } : {},
  ...(settings.accountId
    ? {
        extensions: {
          [HTTP_API_PERMISSION]: { Properties: { SourceAccount: settings.accountId } },
        },
      }
    : {}),
});

const networkPolicies = (settings) => (settings.vpc ? [{ Ref: NETWORK_POLICY }] : null);

const settingsOf = async (resolveVariable) => {
  // `${param:x, null}`: an unset param resolves to null instead of failing here.
  const param = async (name) => (await resolveVariable(`param:${name}, null`)) ?? undefined;
  return deployerSettings({
    subnetIds: await param('subnetIds'),
    securityGroupIds: await param('securityGroupIds'),
    accountId: await param('accountId'),
  });
};

module.exports = {
  vpc: async ({ resolveVariable }) => (await settingsOf(resolveVariable)).vpc ?? null,
  provisioningPolicies: async ({ resolveVariable }) => [
    { Ref: PROVISIONING_POLICY },
    ...(networkPolicies(await settingsOf(resolveVariable)) ?? []),
    // What the stage's guardrails adopt (iac/guardrails.cjs), attached through the roles too.
    ...(await resolveVariable('file(iac/guardrails.cjs):adoptionPolicies')),
  ],
  networkPolicies: async ({ resolveVariable }) =>
    networkPolicies(await settingsOf(resolveVariable)),
  resources: async ({ resolveVariable }) => resources(await settingsOf(resolveVariable)),
  // For tests.
  deployerSettings,
  NETWORK_POLICY,
};
