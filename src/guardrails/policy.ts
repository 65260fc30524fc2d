import * as z from 'zod/mini';

/**
 * A stage's guardrails: allow-lists and requirements checked after schema validation and before
 * any AWS call. Outside `sharing`, a list that is absent allows anything the schema allows and an
 * empty list allows nothing (e.g. `"keyPairs": []` forbids key pairs). Everything under `sharing`
 * is denied unless the policy allows it: an absent list there allows nothing.
 */
const allowList = z.optional(z.array(z.string().check(z.minLength(1))));
const accountId = z.string().check(z.regex(/^\d{12}$/));
/** A role IAM can name in iam:PassRole: arn:aws:iam::<account>:role/<path><name>. */
const roleArn = z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/));
/** A name IAM accepts for an instance profile: 1-128 of A-Z a-z 0-9 _+=,.@- */
const instanceProfileName = z.string().check(z.regex(/^[\w+=,.@-]{1,128}$/));

/**
 * A resource the service did not create, named for adoption: an Image Builder configuration or
 * AppStream image builder ARN, or an image builder name; `*` stands for any run of characters and
 * `?` for one (as in IAM's resource ARNs).
 */
const adoptableResource = z
  .string()
  .check(
    z.regex(
      /^(?:arn:aws[a-z-]*:(?:imagebuilder|appstream):[a-z0-9*?-]+:[0-9*?]{1,12}:(?:infrastructure-configuration|distribution-configuration|image-builder)\/[A-Za-z0-9_.*?-]+|[A-Za-z0-9*?][A-Za-z0-9_.*?-]{0,100})$/,
    ),
  );

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
      /** Require `instanceMetadataOptions.httpTokens: required` (IMDSv2). */
      requireImdsV2: z.optional(z.boolean()),
    }),
  ),
  distribution: z.optional(
    z.strictObject({
      regions: allowList,
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
    }),
  ),
  /**
   * What may leave the service's own account or open a way in: each member of the five
   * operations that shares, exports, places elsewhere or opens network access is governed here
   * (the README's "Sharing, export and access" table), and is denied unless allowed.
   */
  sharing: z.optional(
    z.strictObject({
      /**
       * Other accounts that may receive an image (copies, launch permissions), hold a launch
       * template, Fast Launch or SSM parameter for it, or own a resource a request names by ARN.
       * The service's own account is always allowed.
       */
      accounts: z.optional(z.array(accountId)),
      /** Organizations (ARNs) images may be shared with. */
      organizationArns: allowList,
      /** Organizational units (ARNs) images may be shared with. */
      organizationalUnitArns: allowList,
      /** true: images may be made public (launch permission for the group `all`). */
      publicImages: z.optional(z.boolean()),
      /** S3 buckets images may be exported to (VM disk images). */
      exportBuckets: allowList,
      /** S3 buckets build logs may be written to. */
      logBuckets: allowList,
      /** Directories image builders may join, each with the OUs (distinguished names) allowed. */
      domainJoin: z.optional(
        z.record(z.string().check(z.minLength(1)), z.array(z.string().check(z.minLength(1)))),
      ),
      /** Interface VPC endpoints image builders may be reached through (`AccessEndpoints`). */
      vpcEndpointIds: allowList,
      /** true: image builders may have default internet access. */
      internetAccess: z.optional(z.boolean()),
    }),
  ),
  /**
   * Resources without the service's ownership tag that it may still update, stop, start or
   * delete. Absent or empty: only what the service created in this stage.
   */
  adoptable: z.optional(z.array(adoptableResource)),
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
