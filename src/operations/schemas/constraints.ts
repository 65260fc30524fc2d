import * as z from 'zod/mini';
import { $constructor, $ZodAsyncError, config, util } from 'zod/v4/core';

/*
 * Building blocks that turn Smithy traits into zod/mini schemas with the same semantics:
 * - @pattern is an ECMA-262 *search* (RegExp.prototype.test), so the patterns below are the model's
 *   text unchanged: no anchors added, no flags except where the model needs them.
 * - @length counts Unicode scalar values, not UTF-16 code units (zod 4.6 counts the same way).
 * - Smithy `integer` is 32-bit, so an open upper bound still stops at 2^31 - 1.
 * Bounds live in zod's own checks wherever zod has one with the same meaning, so JSON Schema /
 * OpenAPI generation and error messages can read them back; the one custom check (map entry
 * counts) publishes its bounds in the schema's bag and in the global registry.
 */

// ---------------------------------------------------------------------------------------------
// Model patterns: the @pattern of the Smithy shape each is named after (com.amazonaws.imagebuilder
// and com.amazonaws.appstream namespaces). The only edits are the `\/` that a regex literal needs
// where the model has a bare `/`.
// ---------------------------------------------------------------------------------------------

export const ACCOUNT_ID_PATTERN = /^[0-9]{12}$/;
// biome-ignore lint/complexity/noUselessEscapeInRegex: verbatim Smithy pattern
export const AMI_NAME_PATTERN = /^[-_A-Za-z0-9{][-_A-Za-z0-9\s:{}\.]+[-_A-Za-z0-9}]$/;
/**
 * The model's literal HttpTokens pattern. Unparenthesised, it accepts `optionalXYZ` and
 * `XYZrequired`; request schemas validate the intended set instead (docs/aws-contracts.md
 * §4.3). Exported for code that must mirror the service byte for byte.
 */
export const HTTP_TOKENS_PATTERN = /^optional|required$/;
export const INFRASTRUCTURE_CONFIGURATION_ARN_PATTERN =
  /^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws):infrastructure-configuration\/[a-z0-9-_]+$/;
export const INSTANCE_PROFILE_NAME_PATTERN = /^[\w+=,.@-]+$/;
export const LAUNCH_TEMPLATE_ID_PATTERN = /^lt-[a-z0-9-_]{17}$/;
export const LICENSE_CONFIGURATION_ARN_PATTERN =
  /^arn:aws[^:]*:license-manager:[^:]+:[0-9]{12}:license-configuration:lic-[a-z0-9-_]{32}$/;
export const ORGANIZATION_ARN_PATTERN =
  /^arn:aws[^:]*:organizations::[0-9]{12}:organization\/o-[a-z0-9]{10,32}$/;
export const ORGANIZATIONAL_UNIT_ARN_PATTERN =
  /^arn:aws[^:]*:organizations::[0-9]{12}:ou\/o-[a-z0-9]{10,32}\/ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
/** Bounds a name to 3..128 characters on its own: the model has no @length for it. */
export const RESOURCE_NAME_PATTERN = /^[-_A-Za-z-0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z-0-9]$/;
export const SNS_TOPIC_ARN_PATTERN = /^arn:aws[^:]*:sns:[^:]+:[0-9]{12}:[a-zA-Z0-9-_]{1,256}$/;
// biome-ignore lint/complexity/noUselessEscapeInRegex: verbatim Smithy pattern
export const SSM_PARAMETER_NAME_PATTERN = /^[a-zA-Z0-9_.\-\/]+$/;
/** Image Builder TagKey since 2026-02-09; the `aws:` ban is case-sensitive (`AWS:x` passes). */
export const IMAGEBUILDER_TAG_KEY_PATTERN = /^(?!aws:)[a-zA-Z0-9\s_.:/=+\-@]*$/;

/**
 * AppStream generic Arn. No flag on purpose: its `\-` escapes outside a class are a SyntaxError
 * under `u` (docs/aws-contracts.md §4.9).
 */
export const APPSTREAM_ARN_PATTERN =
  // biome-ignore lint/complexity/noUselessEscapeInRegex: verbatim Smithy pattern
  /^arn:aws(?:\-cn|\-iso\-b|\-iso|\-us\-gov)?:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.\\-]{0,1023}$/;
export const APPSTREAM_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$/;
/**
 * `u` is required: without it `\p{L}` means the letters `p{L}` and `hello` fails
 * (docs/aws-contracts.md §4.8). The first character is `.`, so `#env` is a valid key.
 */
export const APPSTREAM_TAG_KEY_PATTERN = /^(^(?!aws:).[\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
export const APPSTREAM_TAG_VALUE_PATTERN = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;

// ---------------------------------------------------------------------------------------------
// Generic helpers
// ---------------------------------------------------------------------------------------------

export const INT32_MIN = -2_147_483_648;
export const INT32_MAX = 2_147_483_647;

type StringCheck = z.core.$ZodCheck<string>;

interface StringConstraints {
  /** Smithy @length min, in code points. */
  readonly min?: number;
  /** Smithy @length max, in code points. */
  readonly max?: number;
  /** Smithy @pattern, tested as a search. */
  readonly pattern?: RegExp;
}

/**
 * A JSON string with optional @length and @pattern. zod 4.6's minLength/maxLength measure strings in
 * code points, exactly like Smithy's @length (docs/aws-contracts.md §4.2), so its own checks are
 * used: they carry the bounds into JSON Schema. constraints.test.ts pins that behaviour in case a
 * zod upgrade changes it.
 */
export const string = ({ min, max, pattern }: StringConstraints = {}): z.ZodMiniString<string> => {
  const checks: StringCheck[] = [];
  if (min !== undefined && min > 0) checks.push(z.minLength(min));
  if (max !== undefined) checks.push(z.maxLength(max));
  // z.regex keeps the pattern in metadata and tests it with RegExp.prototype.test (a search).
  if (pattern) checks.push(z.regex(pattern));
  return checks.length > 0 ? z.string().check(...checks) : z.string();
};

/** A JSON integer inside the model's @range, capped to 32 bits (Smithy `integer`). */
export const int32 = (min: number = INT32_MIN, max: number = INT32_MAX): z.ZodMiniInt32 => {
  const checks: z.core.$ZodCheck<number>[] = [];
  if (min > INT32_MIN) checks.push(z.gte(min));
  if (max < INT32_MAX) checks.push(z.lte(max));
  return checks.length > 0 ? z.int32().check(...checks) : z.int32();
};

interface CountConstraints {
  readonly min?: number;
  readonly max?: number;
}

/** A JSON array with the model's item-count @length. */
export const list = <T extends z.core.SomeType>(
  item: T,
  { min, max }: CountConstraints = {},
): z.ZodMiniArray<T> => {
  const checks: z.core.$ZodCheck<unknown[]>[] = [];
  if (min !== undefined && min > 0) checks.push(z.minLength(min));
  if (max !== undefined) checks.push(z.maxLength(max));
  const schema = z.array(item);
  return checks.length > 0 ? schema.check(...checks) : schema;
};

type Entries = Record<string, unknown>;

/**
 * Entry count of a map (Smithy @length on a map). zod has no such check for records, so the bound
 * is checked here, written to the bag for error messages, and registered as
 * minProperties/maxProperties for JSON Schema.
 */
const entryCount = (min: number, max: number): z.core.$ZodCheck<Entries> => {
  const check = z.check<Entries>((payload) => {
    const count = Object.keys(payload.value).length;
    if (count >= min && count <= max) return;
    payload.issues.push(
      count < min
        ? {
            code: 'too_small',
            origin: 'record',
            minimum: min,
            inclusive: true,
            input: payload.value,
            inst: check,
            continue: true,
          }
        : {
            code: 'too_big',
            origin: 'record',
            maximum: max,
            inclusive: true,
            input: payload.value,
            inst: check,
            continue: true,
          },
    );
  });
  check._zod.onattach.push((schema) => {
    schema._zod.bag.minimum = min;
    schema._zod.bag.maximum = max;
  });
  return check;
};

/** zod/mini's record, set up on an instance of a schema built on it. */
const initRecord: (inst: z.ZodMiniRecord, def: z.core.$ZodRecordDef) => void = z.ZodMiniRecord.init;

type ParseFunction = z.ZodMiniRecord['_zod']['parse'];

/**
 * zod's record parse, except that the result is an object without a prototype, so every key is
 * an ordinary member. zod's own record skips a `__proto__` key unchecked (assigning it to an
 * object with `Object.prototype` would set the prototype instead), yet `__proto__` is a valid tag
 * key of both services. Keys and values are checked and reported exactly as zod's record does.
 */
const nullPrototypeParse =
  (inst: z.ZodMiniRecord, def: z.core.$ZodRecordDef): ParseFunction =>
  (payload, ctx) => {
    const input = payload.value;
    if (!util.isPlainObject(input)) {
      payload.issues.push({ expected: 'record', code: 'invalid_type', input, inst });
      return payload;
    }
    const members: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(input)) {
      const keyResult = def.keyType._zod.run({ value: key, issues: [] }, ctx);
      if (keyResult instanceof Promise) throw new $ZodAsyncError();
      if (keyResult.issues.length > 0) {
        payload.issues.push({
          code: 'invalid_key',
          origin: 'record',
          issues: keyResult.issues.map((issue) => util.finalizeIssue(issue, ctx, config())),
          input: key,
          path: [key],
          inst,
        });
        continue;
      }
      const valueResult = def.valueType._zod.run({ value: input[key], issues: [] }, ctx);
      if (valueResult instanceof Promise) throw new $ZodAsyncError();
      if (valueResult.issues.length > 0) {
        payload.issues.push(...util.prefixIssues(key, valueResult.issues));
      }
      members[key] = valueResult.value;
    }
    payload.value = members;
    return payload;
  };

/**
 * A JSON object used as a Smithy map of string to string, with its entry-count @length. The
 * result has no prototype: a key such as `__proto__` or `constructor` is a member like any other,
 * for the guardrails and for the SDK, which sends it as one.
 */
export const map = <K extends z.ZodMiniString<string>, V extends z.ZodMiniString<string>>(
  key: K,
  value: V,
  { min = 0, max = INT32_MAX }: CountConstraints = {},
): z.ZodMiniRecord<K, V> => {
  const NullPrototypeRecord = $constructor<z.ZodMiniRecord<K, V>>(
    'NullPrototypeRecord',
    (inst, def) => {
      initRecord(inst, def);
      inst._zod.parse = nullPrototypeParse(inst, def);
    },
  );
  return new NullPrototypeRecord({ type: 'record', keyType: key, valueType: value }).check(
    entryCount(min, max),
    z.meta({ minProperties: min, maxProperties: max }),
  );
};

// ---------------------------------------------------------------------------------------------
// Image Builder shapes shared by several operations (names as in the model)
// ---------------------------------------------------------------------------------------------

export const NonEmptyString = string({ min: 1, max: 1024 });
export const AccountId = string({ pattern: ACCOUNT_ID_PATTERN });
export const AccountList = list(AccountId, { min: 1, max: 1536 });
export const ResourceName = string({ pattern: RESOURCE_NAME_PATTERN });
export const InfrastructureConfigurationArn = string({
  pattern: INFRASTRUCTURE_CONFIGURATION_ARN_PATTERN,
});
export const InstanceProfileNameType = string({
  min: 1,
  max: 256,
  pattern: INSTANCE_PROFILE_NAME_PATTERN,
});
export const SnsTopicArn = string({ pattern: SNS_TOPIC_ARN_PATTERN });
/** Instance types are unconstrained strings in the model (even empty). */
export const InstanceTypeList = list(z.string());
export const StringList = list(NonEmptyString);
const TagKey = string({ min: 1, max: 128, pattern: IMAGEBUILDER_TAG_KEY_PATTERN });
/** No pattern: any string of 0..256 code points. */
const TagValue = string({ max: 256 });
export const TagMap = map(TagKey, TagValue, { min: 1, max: 50 });
/** Tags for the build instance: at most 30, unlike TagMap's 50. */
export const ResourceTagMap = map(TagKey, TagValue, { min: 1, max: 30 });
export const DISTRIBUTION_CONFIGURATION_ARN_PATTERN =
  /^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws):distribution-configuration\/[a-z0-9-_]+$/;
export const DistributionConfigurationArn = string({
  pattern: DISTRIBUTION_CONFIGURATION_ARN_PATTERN,
});

// ---------------------------------------------------------------------------------------------
// The ownership tag: every resource the service creates carries it (src/operations/ownership.ts),
// so a caller may not set it, and it takes one of the model's tag places.
// ---------------------------------------------------------------------------------------------

/** The tag key that marks a resource as created by this service (its value: the stage). */
export const OWNER_TAG_KEY = 'image-provisioner:owner';
const RESERVED_TAG_KEY = /^(?!image-provisioner:owner$)/;

/** A tag key of the model that is not the ownership tag's. */
export const unreservedTagKey = (key: z.ZodMiniString<string>): z.ZodMiniString<string> =>
  key.check(z.regex(RESERVED_TAG_KEY, { error: `is the service's own tag (${OWNER_TAG_KEY})` }));

/** TagMap on a resource the service creates: one place of the model's 50 is the ownership tag's. */
export const OwnedTagMap = map(unreservedTagKey(TagKey), TagValue, { min: 1, max: 49 });

/** com.amazonaws.imagebuilder#FilterList, as the List* operations take it. */
const Filter = z.strictObject({
  name: z.optional(string({ pattern: /^[a-zA-Z]{1,1024}$/ })),
  values: z.optional(
    list(string({ pattern: /^[0-9a-zA-Z./_ :,{}"-]{1,1024}$/ }), { min: 1, max: 10 }),
  ),
});
export const FilterList = list(Filter, { min: 1, max: 10 });
/** com.amazonaws.imagebuilder#RestrictedInteger. */
export const RestrictedInteger = int32(1, 25);
/** com.amazonaws.imagebuilder#PaginationToken. */
export const PaginationToken = string({ min: 1, max: 65535 });
