import type { ServiceError } from './errors.js';
import { fingerprint } from './state.js';

/**
 * Opaque pagination tokens: base64url of the last key served and a fingerprint of the request's
 * other members (operation, filters or names). Items are paged in key order, so a page after a
 * deletion starts right after the last key served; a token is refused (`invalid`) when it was not
 * issued for the same operation and filters.
 */
export interface PageRequest {
  /** What the token is bound to: the operation and the request members other than paging. */
  scope: unknown;
  /** Items per page. */
  pageSize: number;
  nextToken?: unknown;
  /** The error for a token that does not decode or belongs to another request. */
  invalid: () => ServiceError;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

function decode(token: string): { scope?: unknown; after?: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The page of `items` (sorted by `keyOf`) after the request's token, and the next token. */
export function pageOf<T>(items: readonly T[], keyOf: (item: T) => string, request: PageRequest) {
  const scope = fingerprint(request.scope);
  let after: string | undefined;
  if (request.nextToken !== undefined) {
    const token = decode(String(request.nextToken));
    if (token?.scope !== scope || typeof token.after !== 'string') throw request.invalid();
    after = token.after;
  }
  const sorted = [...items].sort((left, right) => (keyOf(left) < keyOf(right) ? -1 : 1));
  const rest = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  const page = rest.slice(0, request.pageSize);
  const last = page.at(-1);
  const result: Page<T> = { items: page };
  if (rest.length > page.length && last !== undefined) {
    const json = JSON.stringify({ scope, after: keyOf(last) });
    result.nextToken = Buffer.from(json).toString('base64url');
  }
  return result;
}
