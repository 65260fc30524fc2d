import { policyViolationError } from '../basics/errors.js';
import { OWNER_TAG_KEY } from './schemas/constraints.js';

export { OWNER_TAG_KEY } from './schemas/constraints.js';

/** An existing resource as the ownership check sees it: its identity and its tags. */
export interface OwnedResource {
  arn?: string;
  name?: string;
  tags?: Readonly<Record<string, string>>;
}

/**
 * Whose resources the service may change. Every resource it creates carries the tag
 * `OWNER_TAG_KEY` with the stage's own value, so one stage never manages another's; a resource
 * without it is changed only when the stage's guardrail policy lists it as adoptable.
 */
export interface Ownership {
  /** The value of the ownership tag in this stage. */
  readonly owner: string;
  /** Whether the stage's policy lets the service change `resource` although it did not create it. */
  adoptable(resource: Pick<OwnedResource, 'arn' | 'name'>): boolean;
}

/** The stage's value when nothing else is configured: the default CloudEvents source. */
export const DEFAULT_OWNERSHIP: Ownership = {
  owner: 'image-provisioner',
  adoptable: () => false,
};

/** Tags of a new resource: the caller's, and the ownership tag (a caller can never send that key). */
export const withOwnerTag = <T extends Readonly<Record<string, string>>>(
  ownership: Ownership,
  tags: T | undefined,
): Record<string, string> => ({ ...tags, [OWNER_TAG_KEY]: ownership.owner });

/** Whether the service created `resource` in this stage, or may change it anyway. */
export const mayChange = (ownership: Ownership, resource: OwnedResource): boolean =>
  resource.tags?.[OWNER_TAG_KEY] === ownership.owner || ownership.adoptable(resource);

/**
 * Refuses a change to a resource the service may not change: a 403 PolicyViolationException at
 * `path` (the member naming the resource), before any AWS write call.
 */
export const requireOwnership = (
  ownership: Ownership,
  resource: OwnedResource,
  path: string,
): void => {
  if (mayChange(ownership, resource)) return;
  throw policyViolationError([
    {
      path,
      message: `policy: the service did not create this resource (no ${OWNER_TAG_KEY} tag of this stage) and adoptable does not list it`,
    },
  ]);
};
