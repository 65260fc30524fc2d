import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { toJsonPointer } from '../../../src/basics/jsonPointer.js';
import { type FieldError, validate } from '../../../src/basics/validation.js';
import {
  CreateDistributionConfigurationInput,
  CreateImageBuilderInput,
  CreateInfrastructureConfigurationInput,
} from '../../../src/operations/schemas/index.js';
import { maximalRequests, validRequests } from '../../fixtures/requests.js';
import { resolvePointer } from '../../support/jsonPointer.js';
import { operationNames, schemaOf } from '../../support/operations.js';

const infra = validRequests.CreateInfrastructureConfiguration;
const builder = validRequests.CreateImageBuilder;

const errorsOf = (result: ReturnType<typeof validate>): FieldError[] =>
  result.success ? [] : result.errors;

describe('toJsonPointer', () => {
  it('returns the empty string for the root', () => {
    expect(toJsonPointer([])).toBe('');
  });

  it('joins segments with / and writes array indexes as numbers', () => {
    expect(toJsonPointer(['distributions', 0, 'region'])).toBe('/distributions/0/region');
  });

  it("escapes '~' as '~0' and '/' as '~1', tilde first (RFC 6901)", () => {
    expect(toJsonPointer(['a/b', 'c~d', '~1'])).toBe('/a~1b/c~0d/~01');
  });

  it('keeps an empty key as an empty segment', () => {
    expect(toJsonPointer(['tags', ''])).toBe('/tags/');
  });
});

describe('validate', () => {
  it('returns the parsed data on success', () => {
    // Act
    const result = validate(CreateInfrastructureConfigurationInput, infra);

    // Assess
    expect(result).toEqual({ success: true, data: infra });
  });

  it("reports a missing required member as 'is required' at its path", () => {
    // Prepare
    const { name: _name, ...request } = infra;

    // Act
    const result = validate(CreateInfrastructureConfigurationInput, request);

    // Assess
    expect(result).toEqual({ success: false, errors: [{ path: '/name', message: 'is required' }] });
  });

  it("reports a missing required enum member as 'is required', not as a bad value", () => {
    // Prepare
    const request = { ...builder, AccessEndpoints: [{ VpceId: 'vpce-1' }] };

    // Act
    const errors = errorsOf(validate(CreateImageBuilderInput, request));

    // Assess
    expect(errors).toEqual([{ path: '/AccessEndpoints/0/EndpointType', message: 'is required' }]);
  });

  it('reports each unknown key as its own error, with the key in the path', () => {
    // Prepare
    const request = {
      ...infra,
      foo: 1,
      bar: 2,
      placement: { tenancy: 'host', zone: 'a', rack: 'b' },
    };

    // Act
    const errors = errorsOf(validate(CreateInfrastructureConfigurationInput, request));

    // Assess
    expect(errors).toEqual([
      { path: '/bar', message: 'unknown field' },
      { path: '/foo', message: 'unknown field' },
      { path: '/placement/rack', message: 'unknown field' },
      { path: '/placement/zone', message: 'unknown field' },
    ]);
  });

  it('points an invalid map key at the key itself, escaped', () => {
    // Prepare
    const request = { ...infra, tags: { 'aws:a/b~c': 'v', team: 'platform' } };

    // Act
    const errors = errorsOf(validate(CreateInfrastructureConfigurationInput, request));

    // Assess
    expect(errors).toEqual([
      {
        path: '/tags/aws:a~1b~0c',
        message: String.raw`key must match pattern ^(?!aws:)[a-zA-Z0-9\s_.:/=+\-@]*$`,
      },
    ]);
  });

  it('prepends pointerPrefix to every path, including the root', () => {
    // Prepare
    const request = { ...infra, name: 'ab', extra: true };

    // Act
    const nested = errorsOf(validate(CreateInfrastructureConfigurationInput, request, '/request'));
    const root = errorsOf(validate(CreateInfrastructureConfigurationInput, null, '/request'));

    // Assess
    expect(nested.map(({ path }) => path)).toEqual(['/request/extra', '/request/name']);
    expect(root).toEqual([{ path: '/request', message: 'must be an object' }]);
  });

  it('sorts errors by path', () => {
    // Prepare
    const request = { zeta: 1, instanceProfileName: 'has space', alpha: 2, name: 'x' };

    // Act
    const paths = errorsOf(validate(CreateInfrastructureConfigurationInput, request)).map(
      ({ path }) => path,
    );

    // Assess
    expect(paths).toEqual(['/alpha', '/instanceProfileName', '/name', '/zeta']);
  });

  it('reports an out-of-int32 value once, not once per bound it crosses', () => {
    // Prepare
    const request = { ...infra, instanceMetadataOptions: { httpPutResponseHopLimit: 3e9 } };

    // Act
    const errors = errorsOf(validate(CreateInfrastructureConfigurationInput, request));

    // Assess
    expect(errors).toEqual([
      {
        path: '/instanceMetadataOptions/httpPutResponseHopLimit',
        message: 'must be an integer between 1 and 64',
      },
    ]);
  });

  it.each([
    ['a string where a string is expected', { name: 1 }, '/name', 'must be a string'],
    [
      'a boolean',
      { terminateInstanceOnFailure: 'yes' },
      '/terminateInstanceOnFailure',
      'must be a boolean',
    ],
    ['an object', { placement: [] }, '/placement', 'must be an object'],
    ['an array', { instanceTypes: {} }, '/instanceTypes', 'must be an array'],
    [
      'an integer',
      { instanceMetadataOptions: { httpPutResponseHopLimit: 2.5 } },
      '/instanceMetadataOptions/httpPutResponseHopLimit',
      'must be an integer',
    ],
    [
      'an integer, not a numeric string',
      { instanceMetadataOptions: { httpPutResponseHopLimit: '2' } },
      '/instanceMetadataOptions/httpPutResponseHopLimit',
      'must be an integer',
    ],
    [
      'a range',
      { instanceMetadataOptions: { httpPutResponseHopLimit: 0 } },
      '/instanceMetadataOptions/httpPutResponseHopLimit',
      'must be an integer between 1 and 64',
    ],
    [
      'an enum',
      { placement: { tenancy: 'Default' } },
      '/placement/tenancy',
      'must be one of: default, dedicated, host',
    ],
    [
      'a minimum length',
      { description: '' },
      '/description',
      'must be at least 1 character(s) long',
    ],
    [
      'a maximum length',
      { description: 'd'.repeat(1025) },
      '/description',
      'must be at most 1024 characters long',
    ],
    // The model's 50 tags, one of them the ownership tag the service adds.
    ['a map entry count', { tags: {} }, '/tags', 'must have between 1 and 49 entries'],
    [
      'a smaller map entry count',
      { resourceTags: {} },
      '/resourceTags',
      'must have between 1 and 30 entries',
    ],
    [
      'a pattern',
      { snsTopicArn: 'topic' },
      '/snsTopicArn',
      `must match pattern ^arn:aws[^:]*:sns:[^:]+:[0-9]{12}:[a-zA-Z0-9-_]{1,256}$`,
    ],
  ])('words the message for %s', (_, change, path, message) => {
    // Act
    const errors = errorsOf(
      validate(CreateInfrastructureConfigurationInput, { ...infra, ...change }),
    );

    // Assess
    expect(errors).toContainEqual({ path, message });
  });

  it.each([
    [{ AccessEndpoints: [] }, '/AccessEndpoints', 'must have between 1 and 4 items'],
    [
      { VpcConfig: { SecurityGroupIds: ['1', '2', '3', '4', '5', '6'] } },
      '/VpcConfig/SecurityGroupIds',
      'must have at most 5 items',
    ],
  ])('words list limits: %j', (change, path, message) => {
    // Act
    const errors = errorsOf(validate(CreateImageBuilderInput, { ...builder, ...change }));

    // Assess
    expect(errors).toContainEqual({ path, message });
  });

  it('names the int32 cap when the model has no maximum', () => {
    // Prepare
    const request = structuredClone(maximalRequests.CreateDistributionConfiguration) as {
      distributions: Array<{ fastLaunchConfigurations: Array<Record<string, unknown>> }>;
    };
    const fastLaunch = request.distributions[0]?.fastLaunchConfigurations[0];
    if (fastLaunch) fastLaunch.maxParallelLaunches = 0;

    // Act
    const errors = errorsOf(validate(CreateDistributionConfigurationInput, request));

    // Assess
    expect(errors).toEqual([
      {
        path: '/distributions/0/fastLaunchConfigurations/0/maxParallelLaunches',
        message: 'must be an integer between 1 and 2147483647',
      },
    ]);
  });

  it.each([
    ['the only key', '{"__proto__":"x"}'],
    ['one key of two', '{"__proto__":"x","team":"a"}'],
  ])(
    'accepts __proto__ as a tag key when it is %s, as an own member, and leaves Object.prototype alone',
    (_, tags) => {
      // Prepare
      const request = JSON.parse(
        `{"name":"my-infra","instanceProfileName":"p","tags":${tags}}`,
      ) as unknown;

      // Act
      const result = validate(CreateInfrastructureConfigurationInput, request);

      // Assess
      expect(result.success).toBe(true);
      if (!result.success) return;
      const parsed = result.data.tags ?? {};
      expect(Object.getPrototypeOf(parsed)).toBeNull();
      expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
      expect(Object.keys(parsed)).toEqual(Object.keys(JSON.parse(tags)));
      expect(JSON.parse(JSON.stringify(result.data))).toEqual(request);
      expect(Object.getPrototypeOf(Object.prototype)).toBeNull();
      expect(Object.prototype).not.toHaveProperty('x');
      expect(({} as Record<string, unknown>).team).toBeUndefined();
    },
  );

  it('checks a __proto__ tag key and its value like any other', () => {
    // Prepare
    const request = JSON.parse(
      `{"Name":"b","InstanceType":"stream.standard.medium","ImageName":"i","Tags":{"__proto__":"${'v'.repeat(257)}"}}`,
    ) as unknown;

    // Act
    const errors = errorsOf(validate(CreateImageBuilderInput, request));

    // Assess
    expect(errors).toEqual([
      { path: '/Tags/__proto__', message: 'must be at most 256 characters long' },
    ]);
  });

  it('still refuses a __proto__ key that a plain zod record would drop silently', () => {
    // Prepare
    const schema = z.strictObject({ profiles: z.record(z.string(), z.string()) });
    const document = JSON.parse('{"profiles":{"__proto__":"x","a":"b"}}') as unknown;

    // Act
    const result = validate(schema, document, '/policy');

    // Assess
    expect(result).toEqual({
      success: false,
      errors: [{ path: '/policy/profiles/__proto__', message: 'unsupported key' }],
    });
  });

  it('reports a __proto__ member of a structure once, as an unknown field', () => {
    // Prepare
    const request = JSON.parse(
      '{"name":"my-infra","instanceProfileName":"p","__proto__":{}}',
    ) as unknown;

    // Act
    const errors = errorsOf(validate(CreateInfrastructureConfigurationInput, request));

    // Assess
    expect(errors).toEqual([{ path: '/__proto__', message: 'unknown field' }]);
  });

  it('keeps messages short and never echoes a large value', () => {
    // Prepare
    const huge = 'x'.repeat(100_000);
    const request = { ...infra, name: huge, description: huge, tags: { team: huge } };

    // Act
    const errors = errorsOf(validate(CreateInfrastructureConfigurationInput, request));

    // Assess
    expect(errors.map(({ path }) => path)).toEqual(['/description', '/name', '/tags/team']);
    for (const { message } of errors) expect(message.length).toBeLessThan(200);
    expect(JSON.stringify(errors)).not.toContain('x'.repeat(50));
  });

  it('keeps the pointer of a long key whole, RFC 6901-escaped, so that it resolves', () => {
    // Prepare
    const key = `k/${'~'.repeat(9_998)}`;
    const request = { ...infra, [key]: 1 };

    // Act
    const errors = errorsOf(validate(CreateInfrastructureConfigurationInput, request, '/request'));

    // Assess
    expect(errors).toEqual([
      { path: `/request/k~1${'~0'.repeat(9_998)}`, message: 'unknown field' },
    ]);
    expect(resolvePointer({ request }, errors[0]?.path ?? '')).toBe(1);
  });

  it('keeps the pointer of a long tag key whole too', () => {
    // Prepare
    const key = 'k'.repeat(300);
    const request = { ...infra, tags: { [key]: 'v' } };

    // Act
    const errors = errorsOf(validate(CreateInfrastructureConfigurationInput, request));

    // Assess
    expect(errors).toEqual([
      { path: `/tags/${key}`, message: 'key must be at most 128 characters long' },
    ]);
    expect(resolvePointer(request, errors[0]?.path ?? '')).toBe('v');
  });

  it('counts, rather than cuts, errors beyond the size bound of the list', () => {
    // Prepare
    const huge = 'h'.repeat(40_000);
    const request = { ...infra, [huge]: 1, junk: 2 };

    // Act
    const errors = errorsOf(validate(CreateInfrastructureConfigurationInput, request, '/request'));

    // Assess
    expect(errors).toEqual([
      { path: '/request/junk', message: 'unknown field' },
      { path: '/request', message: '1 more error(s) not shown' },
    ]);
  });

  it('caps the number of errors and says how many were left out', () => {
    // Prepare
    const junk = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`junk${i}`, i]));

    // Act
    const errors = errorsOf(
      validate(CreateInfrastructureConfigurationInput, { ...infra, ...junk }, '/request'),
    );

    // Assess
    expect(errors).toHaveLength(101);
    expect(errors.at(-1)).toEqual({ path: '/request', message: '400 more error(s) not shown' });
  });

  it('does not overflow the stack on deeply nested input', () => {
    // Prepare
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20_000; i++) deep = i % 2 ? [deep] : { __proto__x: deep };

    // Act
    const act = () => validate(CreateInfrastructureConfigurationInput, { ...infra, junk: deep });

    // Assess
    expect(act).not.toThrow();
    expect(errorsOf(act())).toEqual([{ path: '/junk', message: 'unknown field' }]);
  });

  it('works with any zod/mini schema, not only the request schemas', () => {
    // Prepare
    const schema = z.object({ count: z.number().check(z.gte(0), z.lte(10)), when: z.iso.date() });

    // Act
    const errors = errorsOf(validate(schema, { count: 11, when: 'tomorrow' }));

    // Assess
    expect(errors).toEqual([
      { path: '/count', message: 'must be a number between 0 and 10' },
      { path: '/when', message: 'must be a valid date' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Fuzzing: arbitrary JSON and mutated valid requests must never make validate throw.
// ---------------------------------------------------------------------------------------------

/** mulberry32: a tiny seeded PRNG, so a failure reproduces. */
const randomSource = (seed: number) => {
  let state = seed >>> 0;
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

const collectKeys = (value: unknown, into: Set<string>): Set<string> => {
  if (Array.isArray(value)) for (const item of value) collectKeys(item, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      into.add(key);
      collectKeys(member, into);
    }
  }
  return into;
};

const KEYS = [
  ...collectKeys(Object.values(maximalRequests), new Set<string>()),
  '__proto__',
  'constructor',
  'toString',
  'aws:x',
  'a/b~c',
  '',
  '😀',
];
const STRINGS = [
  '',
  'a',
  'optional',
  'required',
  'ECR',
  'STREAMING',
  'default',
  '😀',
  '\ud800',
  'aws:x',
  'x'.repeat(300),
  'arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/my-infra',
];
const NUMBERS = [0, 1, -1, 1.5, 64, 65, 10_000, 2_147_483_647, 2_147_483_648, -2_147_483_649, 1e21];

const randomJson = (random: () => number, depth: number): unknown => {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const kind = Math.floor(random() * (depth > 0 ? 7 : 5));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick(NUMBERS);
    case 3:
    case 4:
      return pick(STRINGS);
    case 5:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth - 1));
    default: {
      const entries = Array.from({ length: Math.floor(random() * 5) }, () => [
        pick(KEYS),
        randomJson(random, depth - 1),
      ]);
      // Like JSON.parse, fromEntries makes `__proto__` an own key rather than the prototype.
      return Object.fromEntries(entries);
    }
  }
};

/** A copy of `request` with one random node replaced by random JSON or removed. */
const mutate = (request: unknown, random: () => number): unknown => {
  const copy = structuredClone(request);
  let node = copy;
  for (;;) {
    if (typeof node !== 'object' || node === null) return copy;
    const container = node as Record<string, unknown>;
    const keys = Object.keys(container);
    if (keys.length === 0) return copy;
    const key = keys[Math.floor(random() * keys.length)] as string;
    if (random() < 0.3) {
      if (random() < 0.3) delete container[key];
      else container[key] = randomJson(random, 3);
      return copy;
    }
    node = container[key];
  }
};

const expectWellFormed = (result: ReturnType<typeof validate>, input: unknown): void => {
  if (result.success) {
    expect(result.data).toEqual(input);
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  expect(result.errors.length).toBeLessThanOrEqual(101);
  for (const { path, message } of result.errors) {
    expect(path === '/request' || path.startsWith('/request/')).toBe(true);
    expect(message.length).toBeGreaterThan(0);
    expect(message.length).toBeLessThan(300);
  }
};

describe('validate on arbitrary input', () => {
  it.each(operationNames)('never throws for 300 random JSON values (%s)', (operation) => {
    // Prepare
    const random = randomSource(operation.length * 7919);

    for (let i = 0; i < 300; i++) {
      const value = randomJson(random, 4);

      // Act
      const result = validate(schemaOf(operation), value, '/request');

      // Assess
      expectWellFormed(result, value);
    }
  });

  it.each(operationNames)(
    'never throws for 300 mutations of the maximal request (%s)',
    (operation) => {
      // Prepare
      const random = randomSource(operation.length * 104_729);

      for (let i = 0; i < 300; i++) {
        const value = mutate(maximalRequests[operation], random);

        // Act
        const result = validate(schemaOf(operation), value, '/request');

        // Assess
        expectWellFormed(result, value);
      }
    },
  );
});
