import type { OwnedResource } from '../operations/ownership.js';
import type { GuardrailPolicy } from './policy.js';

/** A resource as the ownership check names it: its ARN, and its name when AWS names it so. */
type NamedResource = Pick<OwnedResource, 'arn' | 'name'>;

/** `*` any run of characters, `?` one; everything else literally. */
const patternOf = (glob: string): RegExp =>
  new RegExp(
    `^${[...glob]
      .map((character) =>
        character === '*'
          ? '.*'
          : character === '?'
            ? '.'
            : character.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('')}$`,
  );

/**
 * Whether the stage's policy lists `resource` under `adoptable`: an entry that starts with
 * `arn:` matches the resource's ARN, any other an image builder's name.
 */
export const adoptableIn = (policy: GuardrailPolicy): ((resource: NamedResource) => boolean) => {
  const entries = (policy.adoptable ?? []).map((entry) => ({
    byArn: entry.startsWith('arn:'),
    pattern: patternOf(entry),
  }));
  return ({ arn, name }) =>
    entries.some(({ byArn, pattern }) => {
      const value = byArn ? arn : name;
      return value !== undefined && pattern.test(value);
    });
};
