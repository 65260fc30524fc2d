import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkGuardrails } from '../../src/guardrails/evaluate.js';
import { GuardrailPolicyError, parseGuardrailPolicy } from '../../src/guardrails/loadPolicy.js';
import { operationNames } from '../../src/operations/schemas/index.js';
import { maximalRequests } from '../fixtures/requests.js';

const DIR = 'config/guardrails';

describe('guardrail policy files', () => {
  it.each(readdirSync(DIR).filter((f) => f.endsWith('.json')))('%s is a valid policy', (file) => {
    expect(() => parseGuardrailPolicy(readFileSync(join(DIR, file), 'utf8'), file)).not.toThrow();
  });

  it('rejects a file that is not JSON, naming it', () => {
    expect(() => parseGuardrailPolicy('{ nope', 'config/guardrails/x.json')).toThrow(
      /config\/guardrails\/x\.json is not valid JSON/,
    );
  });

  it('rejects unknown rules and wrong types, with the place of each problem', () => {
    const attempt = () =>
      parseGuardrailPolicy(
        JSON.stringify({ infrastructure: { instanceTypes: 'm7i.large', maxCost: 3 } }),
        'config/guardrails/bad.json',
      );

    expect(attempt).toThrow(GuardrailPolicyError);
    expect(attempt).toThrow(/\/infrastructure\/instanceTypes/);
    expect(attempt).toThrow(/\/infrastructure\/maxCost unknown field/);
  });
});

describe('an empty policy', () => {
  it.each(operationNames)('allows every request the schema allows (%s)', (operation) => {
    expect(checkGuardrails({}, operation, maximalRequests[operation])).toEqual([]);
  });
});
