import { describe, expect, expectTypeOf, it } from 'vitest';
import { type GuardrailChecks, guardrailChecks } from '../../../src/guardrails/evaluate.js';
import { type OperationName, operations } from '../../../src/operations/index.js';
import { defineOperation } from '../../../src/operations/operation.js';
import { CreateImageBuilderInput } from '../../../src/operations/schemas/index.js';
import {
  edgeValidRequests,
  invalidRequests,
  maximalRequests,
  validRequests,
} from '../../fixtures/requests.js';

/*
 * Adding an operation to the registry (src/operations/index.ts) is the one step that names it:
 * its guardrail entry and its fixtures are keyed by the registry's names, so an operation that
 * lacks one of them does not compile. The `@ts-expect-error` lines below are the proof: `tsc`
 * (part of `npm test`) fails if any of them stops being an error.
 */

describe('the operations registry', () => {
  it('files every operation under its own AWS name, with a schema', () => {
    for (const [name, operation] of Object.entries(operations)) {
      expect(operation.name).toBe(name);
      expect(typeof operation.schema.safeParse).toBe('function');
    }
    const renamed = { ...operations.CreateImageBuilder, name: 'CreateFleet' } as const;
    // @ts-expect-error an operation filed under another operation's name
    const misfiled: (typeof operations)['CreateImageBuilder'] = renamed;
    expect(misfiled.name).not.toBe('CreateImageBuilder');
  });

  it('does not define an operation without a schema', () => {
    const operation = {
      name: 'DescribeImageBuilders',
      service: 'appstream',
      kind: 'read',
      execute: async () => ({}),
      subject: () => undefined,
    } as const;

    // @ts-expect-error `schema` is missing
    const defined = defineOperation(operation);
    expect(defined.name).toBe('DescribeImageBuilders');

    const complete = defineOperation({ ...operation, schema: CreateImageBuilderInput });
    expectTypeOf(complete.name).toEqualTypeOf<'DescribeImageBuilders'>();
  });

  it('takes its names from the registry alone', () => {
    expectTypeOf<OperationName>().toEqualTypeOf<keyof typeof operations>();
    expect(Object.keys(operations)).toHaveLength(15);
  });
});

describe('what every operation must bring', () => {
  const names = Object.keys(operations).sort();

  it('has a guardrail entry, and a check map without one does not compile', () => {
    const { CreateImageBuilder: omitted, ...withoutOne } = guardrailChecks;
    // @ts-expect-error CreateImageBuilder has no guardrail entry
    const incomplete: GuardrailChecks = withoutOne;

    expect(Object.keys(guardrailChecks).sort()).toEqual(names);
    expect(typeof omitted).toBe('function');
    expect(Object.keys(incomplete)).not.toContain('CreateImageBuilder');
  });

  it('has its fixtures, and a fixture set without one does not compile', () => {
    const { CreateImageBuilder: omitted, ...withoutOne } = validRequests;
    // @ts-expect-error CreateImageBuilder has no valid request fixture
    const incomplete: typeof validRequests = withoutOne;

    expectTypeOf<keyof typeof validRequests>().toEqualTypeOf<OperationName>();
    expectTypeOf<keyof typeof maximalRequests>().toEqualTypeOf<OperationName>();
    expectTypeOf<keyof typeof invalidRequests>().toEqualTypeOf<OperationName>();
    expectTypeOf<keyof typeof edgeValidRequests>().toEqualTypeOf<OperationName>();
    for (const fixtures of [validRequests, maximalRequests, invalidRequests, edgeValidRequests]) {
      expect(Object.keys(fixtures).sort()).toEqual(names);
    }
    expect(omitted).toBeDefined();
    expect(Object.keys(incomplete)).not.toContain('CreateImageBuilder');
  });
});
