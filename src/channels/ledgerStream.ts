import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type {
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
  AttributeValue as StreamAttributeValue,
} from 'aws-lambda';
import { decodeLedgerRecord } from '../ledger/dynamoLedger.js';
import type { OutboxRelay } from '../outbox/relay.js';
import { type EntryDependencies, lambdaEntry } from './middleware.js';

interface OutboxChannelDependencies extends EntryDependencies {
  relay: OutboxRelay;
}

/** A stream image's attribute in the SDK's shape (the event carries binaries as base64). */
const toSdkValue = (value: StreamAttributeValue): AttributeValue => {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.B !== undefined) return { B: Buffer.from(value.B, 'base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((item) => Buffer.from(item, 'base64')) };
  if (value.L !== undefined) return { L: value.L.map(toSdkValue) };
  return { M: toSdkMap(value.M ?? {}) };
};

const toSdkMap = (map: Record<string, StreamAttributeValue>): Record<string, AttributeValue> =>
  Object.fromEntries(Object.entries(map).map(([name, value]) => [name, toSdkValue(value)]));

const toSdkImage = (image: Record<string, StreamAttributeValue> | undefined) =>
  image && toSdkMap(image);

/**
 * The ledger's DynamoDB stream entry: each change publishes the outcomes it committed. Records
 * run in stream order; at the first that fails, the rest of the batch is left to the retry, which
 * starts again from it (partial batch response), so a request's outcomes keep their order.
 */
export const createOutboxHandler = ({ relay, ...entry }: OutboxChannelDependencies) =>
  lambdaEntry<DynamoDBStreamEvent, DynamoDBBatchResponse>(entry).handler(async (event) => {
    for (const record of event.Records) {
      const change = {
        before: decodeLedgerRecord(toSdkImage(record.dynamodb?.OldImage)),
        after: decodeLedgerRecord(toSdkImage(record.dynamodb?.NewImage)),
      };
      try {
        await relay.relay(change);
      } catch (error) {
        entry.logger.warn('outcome not published yet', {
          operation: change.after?.operation,
          clientToken: change.after?.clientToken,
          sequenceNumber: record.dynamodb?.SequenceNumber,
          error,
        });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  });
