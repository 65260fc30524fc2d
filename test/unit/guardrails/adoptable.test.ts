import { describe, expect, it } from 'vitest';
import { validate } from '../../../src/basics/validation.js';
import { adoptableIn } from '../../../src/guardrails/adoptable.js';
import { guardrailIamResources } from '../../../src/guardrails/iamResources.js';
import { GuardrailPolicy } from '../../../src/guardrails/policy.js';

const CONFIG = 'arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration';
const BUILDER = 'arn:aws:appstream:us-east-1:123456789012:image-builder';

describe('adoptable', () => {
  it('adopts nothing when the policy lists nothing', () => {
    expect(adoptableIn({})({ arn: `${CONFIG}/legacy`, name: 'legacy' })).toBe(false);
    expect(adoptableIn({ adoptable: [] })({ arn: `${CONFIG}/legacy` })).toBe(false);
  });

  it('matches an ARN exactly, or by * and ? patterns', () => {
    const adoptable = adoptableIn({
      adoptable: [`${CONFIG}/legacy-*`, `${BUILDER}/team-?`, `${CONFIG}/exact`],
    });

    expect(adoptable({ arn: `${CONFIG}/legacy-build` })).toBe(true);
    expect(adoptable({ arn: `${CONFIG}/legacy-` })).toBe(true);
    expect(adoptable({ arn: `${CONFIG}/exact` })).toBe(true);
    expect(adoptable({ arn: `${CONFIG}/exact-2` })).toBe(false);
    expect(adoptable({ arn: `${CONFIG}/golden-legacy-1` })).toBe(false);
    expect(adoptable({ arn: `${BUILDER}/team-a`, name: 'team-a' })).toBe(true);
    expect(adoptable({ arn: `${BUILDER}/team-ab`, name: 'team-ab' })).toBe(false);
  });

  it('reads a dot as a dot, not as any character', () => {
    const adoptable = adoptableIn({ adoptable: ['builder.v1'] });

    expect(adoptable({ name: 'builder.v1' })).toBe(true);
    expect(adoptable({ name: 'builderXv1' })).toBe(false);
  });

  it('matches an entry that is no ARN against image builder names only', () => {
    const adoptable = adoptableIn({ adoptable: ['legacy*'] });

    expect(adoptable({ arn: `${BUILDER}/legacy-1`, name: 'legacy-1' })).toBe(true);
    expect(adoptable({ arn: `${CONFIG}/legacy-1` })).toBe(false);
  });

  it.each([
    [`${CONFIG}/legacy-*`],
    ['arn:aws:imagebuilder:*:123456789012:distribution-configuration/*'],
    [`${BUILDER}/design`],
    ['legacy-design-builder'],
    ['*'],
  ])('is a policy entry the schema accepts: %s', (entry) => {
    expect(validate(GuardrailPolicy, { adoptable: [entry] }).success).toBe(true);
  });

  it.each([
    ['another service', 'arn:aws:ec2:us-east-1:123456789012:instance/i-1'],
    ['an image recipe', 'arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/r/1.0.0'],
    ['an empty entry', ''],
    ['a name with a space', 'legacy builder'],
    ['a name of 102 characters', 'b'.repeat(102)],
  ])('refuses %s at its pointer', (_, entry) => {
    const result = validate(GuardrailPolicy, { adoptable: [entry] });

    expect(result.success).toBe(false);
    if (!result.success) expect(result.errors.map(({ path }) => path)).toEqual(['/adoptable/0']);
  });

  it('gives IAM the ARNs per service, builder names under the stage account and Region', () => {
    const { adoptable } = guardrailIamResources({
      adoptable: [`${CONFIG}/legacy-*`, `${BUILDER}/design`, 'legacy-?'],
    });

    expect(adoptable).toEqual({
      imagebuilder: [`${CONFIG}/legacy-*`],
      appstream: [
        `${BUILDER}/design`,
        `arn:\${AWS::Partition}:appstream:\${AWS::Region}:\${AWS::AccountId}:image-builder/legacy-?`,
      ],
    });
    expect(guardrailIamResources({}).adoptable).toEqual({ imagebuilder: [], appstream: [] });
  });
});
