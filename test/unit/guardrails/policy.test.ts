import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guardrailIamResources } from '../../../src/guardrails/iamResources.js';
import { GuardrailPolicyError, parseGuardrailPolicy } from '../../../src/guardrails/loadPolicy.js';

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

describe('the IAM names of a policy', () => {
  const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
  const parse = (policy: unknown) => () =>
    parseGuardrailPolicy(JSON.stringify(policy), 'config/guardrails/x.json');

  it.each([
    role('Name'),
    role('image-provisioner/nested/path/Name+=,.@_-1'),
    'arn:aws-us-gov:iam::123456789012:role/Name',
    'arn:aws-cn:iam::123456789012:role/Name',
  ])('accepts the role ARN %s', (arn) => {
    expect(parse({ infrastructure: { instanceProfiles: { P: arn } } })).not.toThrow();
    expect(parse({ appstream: { iamRoleArns: [arn] } })).not.toThrow();
  });

  it.each([
    '*',
    'arn:aws:iam::123456789012:role/',
    'arn:aws:iam::123456789012:role/*',
    'arn:aws:iam::123456789012:role/a b',
    'arn:aws:iam::123456789012:user/u',
    'arn:aws:iam::12345:role/Name',
    'arn:aws:sts::123456789012:assumed-role/Name/session',
  ])('rejects %s as a role, for instance profiles and AppStream alike', (arn) => {
    expect(parse({ infrastructure: { instanceProfiles: { P: arn } } })).toThrow(
      /x\.json is not a valid guardrail policy: \/infrastructure\/instanceProfiles\/P must match pattern/,
    );
    expect(parse({ appstream: { iamRoleArns: [arn] } })).toThrow(
      /: \/appstream\/iamRoleArns\/0 must match pattern/,
    );
  });

  it('accepts the instance profile names IAM accepts, and no other', () => {
    const profiles = (name: string) => ({
      infrastructure: { instanceProfiles: { [name]: role('r') } },
    });
    expect(parse(profiles('Profile_+=,.@-1'))).not.toThrow();
    expect(parse(profiles('p'.repeat(128)))).not.toThrow();
    expect(parse(profiles(''))).toThrow(
      /\/infrastructure\/instanceProfiles\/ key must match pattern/,
    );
    expect(parse(profiles('p'.repeat(129)))).toThrow(/key must match pattern/);
    expect(parse(profiles('a/b'))).toThrow(/\/infrastructure\/instanceProfiles\/a~1b key/);
    expect(parse(profiles('My Profile'))).toThrow(/\/My Profile key must match pattern/);
  });
});

/** A policy without `adoptable` lets IAM change nothing the stage did not create. */
const NOTHING_ADOPTED = { imagebuilder: [], appstream: [] };

describe('guardrailIamResources', () => {
  const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;

  it('lists the roles and instance profiles a policy names, in its order', () => {
    expect(
      guardrailIamResources({
        infrastructure: { instanceProfiles: { P2: role('b'), P1: role('a') } },
        appstream: { iamRoleArns: [role('c'), role('a')] },
      }),
    ).toEqual({
      roleArns: { instanceProfiles: [role('b'), role('a')], appstream: [role('c'), role('a')] },
      instanceProfileNames: ['P2', 'P1'],
      adoptable: NOTHING_ADOPTED,
    });
  });

  it('leaves out a list the policy leaves out: that service is not restricted', () => {
    expect(guardrailIamResources({})).toEqual({ roleArns: {}, adoptable: NOTHING_ADOPTED });
    const onlyProfiles = guardrailIamResources({
      infrastructure: { instanceProfiles: { P: role('a') } },
    });
    expect(onlyProfiles.roleArns).toEqual({ instanceProfiles: [role('a')], appstream: undefined });
    const onlyAppstream = guardrailIamResources({
      infrastructure: { requireImdsV2: true },
      appstream: { iamRoleArns: [role('a')] },
    });
    expect(onlyAppstream.roleArns.instanceProfiles).toBeUndefined();
    expect(onlyAppstream.instanceProfileNames).toBeUndefined();
  });

  it('keeps an empty list (no role), but names no instance profile for an empty map', () => {
    expect(
      guardrailIamResources({
        infrastructure: { instanceProfiles: {} },
        appstream: { iamRoleArns: [] },
      }),
    ).toEqual({
      roleArns: { instanceProfiles: [], appstream: [] },
      instanceProfileNames: undefined,
      adoptable: NOTHING_ADOPTED,
    });
  });

  it.each(readdirSync(DIR).filter((f) => f.endsWith('.json')))(
    'derives from %s only roles and names the schema accepts',
    (file) => {
      const { roleArns, instanceProfileNames } = guardrailIamResources(
        parseGuardrailPolicy(readFileSync(join(DIR, file), 'utf8'), file),
      );
      for (const arn of [...(roleArns.instanceProfiles ?? []), ...(roleArns.appstream ?? [])]) {
        expect(arn).toMatch(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/);
      }
      for (const name of instanceProfileNames ?? []) expect(name).toMatch(/^[\w+=,.@-]{1,128}$/);
    },
  );
});
