import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import * as constraints from '../../../../src/operations/schemas/constraints.js';
import {
  APPSTREAM_ARN_PATTERN,
  APPSTREAM_TAG_KEY_PATTERN,
  APPSTREAM_TAG_VALUE_PATTERN,
  HTTP_TOKENS_PATTERN,
  INT32_MAX,
  INT32_MIN,
  int32,
  map,
  string,
} from '../../../../src/operations/schemas/constraints.js';
import { InstanceMetadataOptions } from '../../../../src/operations/schemas/createInfrastructureConfiguration.js';
import {
  CreateDistributionConfigurationInput,
  CreateImageBuilderInput,
  CreateInfrastructureConfigurationInput,
} from '../../../../src/operations/schemas/index.js';

const accepts = (schema: z.ZodMiniType, value: unknown): boolean => schema.safeParse(value).success;

describe('model patterns', () => {
  const patterns = Object.entries(constraints).filter(
    (entry): entry is [string, RegExp] => entry[1] instanceof RegExp,
  );

  it('exports every pattern as a named *_PATTERN constant', () => {
    expect(patterns.length).toBe(18);
    for (const [name] of patterns) expect(name).toMatch(/^[A-Z_]+_PATTERN$/);
  });

  it("uses the 'u' flag only for the two AppStream tag patterns and never 'v' or 'g'", () => {
    // Act
    const flagged = patterns.filter(([, pattern]) => pattern.flags !== '').map(([name]) => name);

    // Assess
    expect(flagged.sort()).toEqual(['APPSTREAM_TAG_KEY_PATTERN', 'APPSTREAM_TAG_VALUE_PATTERN']);
    expect(APPSTREAM_TAG_KEY_PATTERN.flags).toBe('u');
    expect(APPSTREAM_TAG_VALUE_PATTERN.flags).toBe('u');
  });

  it("needs 'u' for AppStream tag values: without it \\p{L} is literal and 'hello' fails", () => {
    expect(APPSTREAM_TAG_VALUE_PATTERN.test('hello')).toBe(true);
    expect(new RegExp(APPSTREAM_TAG_VALUE_PATTERN.source).test('hello')).toBe(false);
  });

  it("cannot use 'u' for the AppStream Arn pattern, which is a SyntaxError in Unicode mode", () => {
    expect(() => new RegExp(APPSTREAM_ARN_PATTERN.source, 'u')).toThrow(SyntaxError);
    expect(APPSTREAM_ARN_PATTERN.test('arn:aws:iam::123456789012:role/Builder')).toBe(true);
  });

  it('is tested as a search: the literal HttpTokens pattern admits optionalXYZ and XYZrequired', () => {
    expect(HTTP_TOKENS_PATTERN.test('optionalXYZ')).toBe(true);
    expect(HTTP_TOKENS_PATTERN.test('XYZrequired')).toBe(true);
    expect(HTTP_TOKENS_PATTERN.test('Optional')).toBe(false);
  });

  it('validates httpTokens against the intended set instead of that literal pattern', () => {
    expect(accepts(InstanceMetadataOptions, { httpTokens: 'optional' })).toBe(true);
    expect(accepts(InstanceMetadataOptions, { httpTokens: 'required' })).toBe(true);
    expect(accepts(InstanceMetadataOptions, { httpTokens: 'optionalXYZ' })).toBe(false);
    expect(accepts(InstanceMetadataOptions, { httpTokens: 'XYZrequired' })).toBe(false);
  });
});

describe('string lengths', () => {
  it('count Unicode scalar values: 2 emoji fit a 2-character maximum although they are 4 UTF-16 units', () => {
    // Prepare
    const schema = string({ max: 2 });

    // Assess
    expect('😀😀'.length).toBe(4);
    expect(accepts(schema, '😀😀')).toBe(true);
    expect(accepts(schema, '😀😀😀')).toBe(false);
  });

  it('count code points for minimums above 1 as well', () => {
    // Prepare
    const schema = string({ min: 3 });

    // Assess
    expect(accepts(schema, '😀😀')).toBe(false);
    expect(accepts(schema, '😀😀😀')).toBe(true);
  });

  it("rely on zod's own minLength/maxLength counting code points (pinned: a zod upgrade must keep it)", () => {
    expect(accepts(z.string().check(z.maxLength(2)), '😀😀')).toBe(true);
    expect(accepts(z.string().check(z.minLength(2)), '😀')).toBe(false);
    expect(accepts(z.string().check(z.maxLength(1)), '\ud800')).toBe(true);
  });
});

describe('integers', () => {
  it('caps an open maximum at the int32 limit', () => {
    // Prepare
    const schema = int32(1);

    // Assess
    expect(accepts(schema, INT32_MAX)).toBe(true);
    expect(accepts(schema, INT32_MAX + 1)).toBe(false);
    expect(accepts(schema, 0)).toBe(false);
  });

  it('accepts the whole int32 range when the model has no range, and nothing else', () => {
    // Prepare
    const schema = int32();

    // Assess
    expect(accepts(schema, INT32_MIN)).toBe(true);
    expect(accepts(schema, INT32_MIN - 1)).toBe(false);
    expect(accepts(schema, 2.5)).toBe(false);
    expect(accepts(schema, '7')).toBe(false);
  });
});

describe('maps', () => {
  it('enforces a minimum of one entry, so {} is rejected', () => {
    // Prepare
    const schema = map(z.string(), z.string(), { min: 1, max: 2 });

    // Assess
    expect(accepts(schema, {})).toBe(false);
    expect(accepts(schema, { a: '1' })).toBe(true);
    expect(accepts(schema, { a: '1', b: '2', c: '3' })).toBe(false);
  });

  it('gives an object without a prototype, in which __proto__, constructor and toString are members like any other', () => {
    // Prepare
    const schema = map(z.string(), z.string(), { min: 1, max: 3 });
    const input = JSON.parse('{"__proto__":"a","constructor":"b","toString":"c"}') as unknown;
    const prototypeMembers = Object.getOwnPropertyNames(Object.prototype);

    // Act
    const parsed = schema.parse(input);

    // Assess
    expect(Object.getPrototypeOf(parsed)).toBeNull();
    expect(Object.keys(parsed)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')).toMatchObject({
      value: 'a',
      enumerable: true,
    });
    expect(JSON.stringify(parsed)).toBe('{"__proto__":"a","constructor":"b","toString":"c"}');
    expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(prototypeMembers);
    expect(Object.getPrototypeOf(input)).toBe(Object.prototype);
  });

  it('counts a __proto__ key towards the entry count, so it alone is one entry', () => {
    // Prepare
    const schema = map(z.string(), z.string(), { min: 1, max: 1 });

    // Assess
    expect(accepts(schema, JSON.parse('{"__proto__":"a"}'))).toBe(true);
    expect(accepts(schema, JSON.parse('{"__proto__":"a","b":"c"}'))).toBe(false);
    expect(accepts(schema, {})).toBe(false);
  });

  it('takes __proto__ as a tag key of both services, as their patterns allow', () => {
    // Assess
    expect(constraints.IMAGEBUILDER_TAG_KEY_PATTERN.test('__proto__')).toBe(true);
    expect(APPSTREAM_TAG_KEY_PATTERN.test('__proto__')).toBe(true);
  });
});

describe('JSON Schema generation', () => {
  it('publishes code-point bounds, patterns, map and list limits, and int ranges', () => {
    // Act
    const schema = z.toJSONSchema(CreateImageBuilderInput) as unknown as {
      properties: Record<string, Record<string, unknown>>;
    };
    const { Tags, Description, Name, AccessEndpoints } = schema.properties;

    // Assess
    expect(Description).toMatchObject({ type: 'string', maxLength: 256 });
    expect(Name).toMatchObject({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$' });
    // The model's 50, one of them the ownership tag the service adds.
    expect(Tags).toMatchObject({
      minProperties: 1,
      maxProperties: 49,
      propertyNames: { minLength: 1, maxLength: 128 },
      additionalProperties: { maxLength: 256 },
    });
    expect(AccessEndpoints).toMatchObject({ minItems: 1, maxItems: 4 });
  });

  it('publishes integer ranges, including the int32 cap', () => {
    // Act
    const infra = z.toJSONSchema(CreateInfrastructureConfigurationInput) as unknown as {
      properties: { instanceMetadataOptions: { properties: Record<string, unknown> } };
    };
    const distribution = JSON.stringify(z.toJSONSchema(CreateDistributionConfigurationInput));

    // Assess
    expect(
      infra.properties.instanceMetadataOptions.properties.httpPutResponseHopLimit,
    ).toMatchObject({ type: 'integer', minimum: 1, maximum: 64 });
    expect(distribution).toContain('"minimum":1,"maximum":2147483647');
  });
});

describe('imports', () => {
  it("uses zod/mini everywhere and never the classic 'zod' entry point", () => {
    // Prepare
    const root = join(import.meta.dirname, '../../../../src');
    const files = [
      ...readdirSync(join(root, 'operations/schemas')).map((file) =>
        join(root, 'operations/schemas', file),
      ),
      join(root, 'basics/validation.ts'),
    ];

    // Act
    const classic = files.filter((file) => /from ['"]zod['"]/.test(readFileSync(file, 'utf8')));

    // Assess
    expect(classic).toEqual([]);
  });
});
