import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { validate } from '../../../../src/basics/validation.js';
import {
  edgeValidRequests,
  invalidRequests,
  maximalRequests,
  validRequests,
} from '../../../fixtures/requests.js';
import { operationNames, schemaOf } from '../../../support/operations.js';

/** Every member path a schema declares, down through objects, arrays and optionals. */
const memberPaths = (schema: z.core.$ZodType, prefix = ''): string[] => {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'optional':
      return memberPaths(def.innerType, prefix);
    case 'array':
      return memberPaths(def.element, `${prefix}/0`);
    case 'object':
      return Object.entries(def.shape).flatMap(([key, member]) => [
        `${prefix}/${key}`,
        ...memberPaths(member, `${prefix}/${key}`),
      ]);
    default:
      return [];
  }
};

const has = (value: unknown, pointer: string): boolean => {
  let node = value;
  for (const segment of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, segment)) return false;
    node = (node as Record<string, unknown>)[segment];
  }
  return true;
};

describe.each(operationNames)('%s request schema', (operation) => {
  const schema = schemaOf(operation);

  it('accepts the realistic valid request and returns it unchanged', () => {
    // Prepare
    const request = validRequests[operation];

    // Act
    const result = validate(schema, request);

    // Assess
    expect(result).toEqual({ success: true, data: request });
  });

  it('accepts the maximal request and returns it unchanged', () => {
    // Prepare
    const request = maximalRequests[operation];

    // Act
    const result = validate(schema, request);

    // Assess
    expect(result).toEqual({ success: true, data: request });
  });

  it('has a maximal request that populates every member the schema declares', () => {
    // Prepare
    const members = memberPaths(schema);

    // Act
    const missing = members.filter((pointer) => !has(maximalRequests[operation], pointer));

    // Assess
    expect(members.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it.each(edgeValidRequests[operation])('accepts $name', ({ request }) => {
    // Act
    const result = validate(schema, request);

    // Assess
    expect(result).toEqual({ success: true, data: request });
  });

  it.each(invalidRequests[operation])('rejects $name at $path', ({ request, path }) => {
    // Act
    const result = validate(schema, request);

    // Assess
    expect(result.success).toBe(false);
    const paths = result.success ? [] : result.errors.map((error) => error.path);
    expect(paths).toContain(path);
  });

  it('has at least 18 invalid cases, each with a distinct name', () => {
    // Prepare
    const names = invalidRequests[operation].map(({ name }) => name);

    // Assess
    expect(names.length).toBeGreaterThanOrEqual(18);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has fixtures that survive a JSON round trip, so they can travel over HTTP and SQS', () => {
    // Prepare
    const fixtures = [
      validRequests[operation],
      maximalRequests[operation],
      ...edgeValidRequests[operation].map(({ request }) => request),
      ...invalidRequests[operation].map(({ request }) => request),
    ];

    // Act
    const roundTripped = JSON.parse(JSON.stringify(fixtures)) as unknown;

    // Assess
    expect(roundTripped).toEqual(fixtures);
  });
});

describe('idempotency tokens', () => {
  it.each([
    ['CreateInfrastructureConfiguration', 'clientToken'],
    ['UpdateInfrastructureConfiguration', 'clientToken'],
    ['CreateDistributionConfiguration', 'clientToken'],
    ['CreateImageBuilder', 'ClientToken'],
  ] as const)(
    'rejects %s with %s left in: the pipeline strips it before validation',
    (operation, member) => {
      // Prepare
      const request = { ...validRequests[operation], [member]: 'token-1' };
      const schema = schemaOf(operation);

      // Act
      const result = validate(schema, request);

      // Assess
      expect(result).toEqual({
        success: false,
        errors: [{ path: `/${member}`, message: 'unknown field' }],
      });
    },
  );
});
