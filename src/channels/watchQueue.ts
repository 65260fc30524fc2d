import type { Context, SQSRecord } from 'aws-lambda';
import { isRecord } from '../basics/records.js';
import type { ReadinessWatch, WatchCheck } from '../readiness/watch.js';
import { ANSWER_MARGIN_MS } from './deadline.js';
import { type EntryDependencies, sqsBatchEntry } from './middleware.js';

interface WatchChannelDependencies extends EntryDependencies {
  watch: ReadinessWatch;
}

/** The check a watch queue message carries; undefined when the body is not one. */
export const toWatchCheck = (body: string): WatchCheck | undefined => {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(message)) return undefined;
  const { operation, clientToken, checks } = message;
  if (typeof operation !== 'string' || typeof clientToken !== 'string') return undefined;
  if (typeof checks !== 'number' || !Number.isSafeInteger(checks) || checks < 0) return undefined;
  return { operation, clientToken, checks };
};

/**
 * Watch queue entry: each message is one check of a watched resource. Only the outbox writes to
 * this queue; a body that is not a check is logged and dropped. A check that could not be
 * committed (the ledger down) is reported failed, and SQS brings it back.
 */
export const createWatchHandler = ({ watch, ...entry }: WatchChannelDependencies) => {
  const checkRecord = async (record: SQSRecord, context: Context): Promise<void> => {
    const check = toWatchCheck(record.body);
    if (!check) {
      entry.logger.error('not a check; dropped', { messageId: record.messageId });
      return;
    }
    const signal = AbortSignal.timeout(
      Math.max(0, context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS),
    );
    const result = await watch.check(check, signal);
    entry.logger.info('check made', { ...check, ...result });
  };
  return sqsBatchEntry(entry, checkRecord);
};
