import { describe, expect, it } from 'vitest';
import { ProvisioningError } from '../../../src/basics/errors.js';
import {
  DEFAULT_OWNERSHIP,
  mayChange,
  OWNER_TAG_KEY,
  type Ownership,
  requireOwnership,
  withOwnerTag,
} from '../../../src/operations/ownership.js';

const STAGE: Ownership = { owner: 'image-provisioner.dev', adoptable: () => false };
const ARN = 'arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/legacy';

describe('the ownership tag', () => {
  it('is added to the caller tags of a new resource, with the stage as its value', () => {
    expect(withOwnerTag(STAGE, { team: 'platform' })).toEqual({
      team: 'platform',
      'image-provisioner:owner': 'image-provisioner.dev',
    });
  });

  it('is the only tag of a resource the caller gave none', () => {
    expect(withOwnerTag(DEFAULT_OWNERSHIP, undefined)).toEqual({
      [OWNER_TAG_KEY]: 'image-provisioner',
    });
  });

  it('keeps a __proto__ tag key of the caller as a member', () => {
    const tags = JSON.parse('{"__proto__":"x"}') as Record<string, string>;

    const owned = withOwnerTag(STAGE, tags);

    expect(Object.hasOwn(owned, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(owned)).toBe(Object.prototype);
  });
});

describe('whether the service may change a resource', () => {
  it('may change what carries its own stage tag', () => {
    expect(mayChange(STAGE, { arn: ARN, tags: { [OWNER_TAG_KEY]: 'image-provisioner.dev' } })).toBe(
      true,
    );
  });

  it("may not change another stage's resource, nor an untagged one", () => {
    expect(
      mayChange(STAGE, { arn: ARN, tags: { [OWNER_TAG_KEY]: 'image-provisioner.prod' } }),
    ).toBe(false);
    expect(mayChange(STAGE, { arn: ARN })).toBe(false);
    expect(mayChange(STAGE, { arn: ARN, tags: { owner: 'image-provisioner.dev' } })).toBe(false);
  });

  it('may change an untagged resource the policy adopts', () => {
    const adopting: Ownership = { ...STAGE, adoptable: ({ arn }) => arn === ARN };

    expect(mayChange(adopting, { arn: ARN })).toBe(true);
    expect(mayChange(adopting, { arn: `${ARN}-2` })).toBe(false);
  });

  it('refuses with a 403 PolicyViolationException at the member that names the resource', () => {
    const refusal = (() => {
      try {
        requireOwnership(STAGE, { arn: ARN }, '/infrastructureConfigurationArn');
        return undefined;
      } catch (error) {
        return error;
      }
    })();

    expect(refusal).toBeInstanceOf(ProvisioningError);
    expect(refusal).toMatchObject({
      code: 'PolicyViolationException',
      status: 403,
      retryable: false,
      errors: [
        {
          path: '/infrastructureConfigurationArn',
          message: expect.stringMatching(/^policy: .*image-provisioner:owner.*adoptable/),
        },
      ],
    });
  });
});
