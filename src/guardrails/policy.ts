import * as z from 'zod/mini';

/**
 * A stage's guardrails: allow-lists and requirements checked after schema validation and before
 * any AWS call. A list that is absent allows anything the schema allows; an empty list allows
 * nothing (e.g. `"keyPairs": []` forbids key pairs).
 */
const allowList = z.optional(z.array(z.string().check(z.minLength(1))));
/** A role IAM can name in iam:PassRole: arn:aws:iam::<account>:role/<path><name>. */
const roleArn = z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/));
/** A name IAM accepts for an instance profile: 1-128 of A-Z a-z 0-9 _+=,.@- */
const instanceProfileName = z.string().check(z.regex(/^[\w+=,.@-]{1,128}$/));

export const GuardrailPolicy = z.strictObject({
  description: z.optional(z.string()),
  infrastructure: z.optional(
    z.strictObject({
      instanceTypes: allowList,
      subnetIds: allowList,
      securityGroupIds: allowList,
      /** Allowed instance profiles, each with the role it hands to EC2 (what iam:PassRole covers). */
      instanceProfiles: z.optional(z.record(instanceProfileName, roleArn)),
      keyPairs: allowList,
      snsTopicArns: allowList,
      logBuckets: allowList,
      /** Require `instanceMetadataOptions.httpTokens: required` (IMDSv2). */
      requireImdsV2: z.optional(z.boolean()),
    }),
  ),
  distribution: z.optional(
    z.strictObject({
      regions: allowList,
      targetAccountIds: allowList,
    }),
  ),
  appstream: z.optional(
    z.strictObject({
      instanceTypes: allowList,
      imageNames: allowList,
      imageArns: allowList,
      iamRoleArns: z.optional(z.array(roleArn)),
      subnetIds: allowList,
      securityGroupIds: allowList,
      /** false: `EnableDefaultInternetAccess` must not be true. */
      allowInternetAccess: z.optional(z.boolean()),
    }),
  ),
  tags: z.optional(
    z.strictObject({
      /** Keys every created resource must carry. */
      required: allowList,
      /** For these keys, the only values allowed. */
      allowedValues: z.optional(z.record(z.string(), z.array(z.string()))),
    }),
  ),
});

export type GuardrailPolicy = z.output<typeof GuardrailPolicy>;
