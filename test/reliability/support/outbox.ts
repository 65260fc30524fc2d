import type { Api, ApiResponse } from '../../e2e/support/api.js';
import type { ReceivedOutcome } from '../../e2e/support/outcomes.js';
import { mapLimit } from '../../e2e/support/queues.js';

/*
 * What the outbox tests look at: the outcomes a subscriber received, by event id, and what the
 * request ledger committed (the status lookup).
 */

/**
 * The ledger stream's trigger as serverless.yml deploys it (1,000 retries, records up to 6 h old)
 * instead of the offline stack's default (5 retries, about 8 s of backoff): an SNS outage must hold
 * outcomes, never give them up.
 */
export const OUTBOX_AS_DEPLOYED: Readonly<Record<string, string>> = {
  OUTBOX_MAXIMUM_RETRY_ATTEMPTS: '1000',
  OUTBOX_MAXIMUM_RECORD_AGE_SECONDS: '21600',
};

/** The copies received of each event id, in the order they arrived. */
export const byEventId = (received: readonly ReceivedOutcome[]): Map<string, ReceivedOutcome[]> => {
  const copies = new Map<string, ReceivedOutcome[]>();
  for (const outcome of received) {
    const list = copies.get(outcome.event.id) ?? [];
    list.push(outcome);
    copies.set(outcome.event.id, list);
  }
  return copies;
};

/** The ids whose copies differ in anything (event or attributes): none may. */
export const differingCopies = (copies: ReadonlyMap<string, ReceivedOutcome[]>): string[] =>
  [...copies].flatMap(([id, list]) => {
    const shapes = new Set(
      list.map(({ event, attributes }) => JSON.stringify({ event, attributes })),
    );
    return shapes.size > 1 ? [id] : [];
  });

/** How many copies beyond the first were received, over every id. */
export const repeatedCopies = (copies: ReadonlyMap<string, ReceivedOutcome[]>): number =>
  [...copies.values()].reduce((sum, list) => sum + list.length - 1, 0);

/** The distinct event ids received for each clientToken, in the order each first arrived. */
export const idsByToken = (received: readonly ReceivedOutcome[]): Map<string, string[]> => {
  const ids = new Map<string, string[]>();
  for (const { event } of received) {
    const token = event.data.clientToken ?? '';
    const list = ids.get(token) ?? [];
    if (!list.includes(event.id)) list.push(event.id);
    ids.set(token, list);
  }
  return ids;
};

/** Lines of the outbox's warning for a record it could not publish yet (the stack's output). */
export const unpublishedWarnings = (output: string): number =>
  output.split('\n').filter((line) => line.includes('"outcome not published yet"')).length;

/** The status lookup of each token (at most `limit` in flight), in the order of `tokens`. */
export const lookupAll = (
  api: Api,
  operation: string,
  tokens: readonly string[],
  limit = 4,
): Promise<ApiResponse[]> => mapLimit(tokens, limit, (token) => api.lookup(operation, token));

/** Milliseconds from `started` (a `performance.now()`), rounded. */
export const since = (started: number): number => Math.round(performance.now() - started);
