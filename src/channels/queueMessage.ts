import type { SQSRecord } from 'aws-lambda';
import { requestTooLargeError } from '../basics/errors.js';
import { type FieldError, listErrors, unlistedMessage } from '../basics/fieldError.js';
import { toJsonPointer } from '../basics/jsonPointer.js';
import { quoteBounded } from '../basics/quote.js';
import { isRecord } from '../basics/records.js';
import { isOperationName, operations } from '../operations/index.js';
import type { ProvisioningRequest } from '../provisioning/request.js';
import { CORRELATION_ID_RULE, isValidCorrelationId } from './correlationId.js';
import type { ChannelSettings } from './settings.js';

const ENVELOPE_MEMBERS = new Set(['operation', 'clientToken', 'correlationId', 'request']);
/**
 * Unknown envelope members reported one by one, each at its whole JSON Pointer; past this (or
 * past the size bound of a list of errors), a count, so the outcome stays small.
 */
const MAX_UNKNOWN_MEMBERS = 20;
const OPERATION_NAMES = Object.keys(operations).join(', ');

type Envelope = Pick<ProvisioningRequest, 'operation' | 'input' | 'errors' | 'rejection'> &
  Partial<Pick<ProvisioningRequest, 'clientToken' | 'correlationId' | 'inputUnreadable'>>;

const unreadable = (
  problem: Pick<ProvisioningRequest, 'errors' | 'rejection' | 'inputUnreadable'>,
): Envelope => ({
  operation: undefined,
  input: undefined,
  ...problem,
});

/** The envelope `{operation, clientToken?, correlationId?, request}` of one message body. */
const readEnvelope = (body: string, maxRequestBytes: number): Envelope => {
  if (Buffer.byteLength(body) > maxRequestBytes) {
    return unreadable({ rejection: requestTooLargeError(maxRequestBytes) });
  }
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return unreadable({ errors: [rootError('must be valid JSON')], inputUnreadable: true });
  }
  if (!isRecord(message)) {
    return unreadable({ errors: [rootError('must be a JSON object')], inputUnreadable: true });
  }
  const errors = unknownMembers(message);
  const { operation, correlationId } = message;
  // What the sender wrote goes no further than this message, bounded and escaped.
  if (!isOperationName(operation)) {
    const got = operation === undefined ? '' : ` (got ${quoteBounded(operation)})`;
    errors.push({ path: '/operation', message: `must be one of: ${OPERATION_NAMES}${got}` });
  }
  if (correlationId !== undefined && !isValidCorrelationId(correlationId)) {
    errors.push({ path: '/correlationId', message: CORRELATION_ID_RULE });
  }
  return {
    operation: isOperationName(operation) ? operation : undefined,
    input: message.request,
    ...(message.clientToken === undefined
      ? {}
      : {
          clientToken: {
            value: message.clientToken,
            label: 'the message clientToken',
            path: '/clientToken',
          },
        }),
    ...(isValidCorrelationId(correlationId) ? { correlationId } : {}),
    errors,
  };
};

/** This delivery's number, 1 on the first (SQS `ApproximateReceiveCount`). */
export const receiveCountOf = (record: SQSRecord): number =>
  Number(record.attributes?.ApproximateReceiveCount ?? '1');

/**
 * When the message was first sent, epoch ms (SQS `SentTimestamp`): the same on every receive, so
 * redeliveries share one IAM propagation window. Now when it is missing or in the future.
 */
const firstSentAtOf = (record: SQSRecord, now = Date.now()): number => {
  const sent = Number(record.attributes?.SentTimestamp);
  return Number.isSafeInteger(sent) && sent > 0 ? Math.min(sent, now) : now;
};

/**
 * Reads one queue message for the pipeline. Problems become field errors for the pipeline, which
 * announces them: nothing is dropped silently, since no caller waits for an answer.
 */
export const toProvisioningRequest = (
  record: SQSRecord,
  {
    queueMaxReceiveCount,
    maxRequestBytes,
  }: Pick<ChannelSettings, 'queueMaxReceiveCount' | 'maxRequestBytes'>,
  remainingTimeMs: number,
): ProvisioningRequest => {
  const receiveCount = receiveCountOf(record);
  return {
    channel: 'sqs',
    inputPointer: '/request',
    fallbackToken: () => record.messageId,
    ...(record.attributes?.SenderId ? { requestedBy: record.attributes.SenderId } : {}),
    finalAttempt: !(receiveCount < queueMaxReceiveCount),
    announcesRejections: true,
    // A redelivered read must not announce twice.
    idempotentReads: true,
    remainingTimeMs,
    firstSentAt: firstSentAtOf(record),
    ...readEnvelope(record.body, maxRequestBytes),
  };
};

const rootError = (message: string): FieldError => ({ path: '', message });

/** Each member the envelope does not know, at its JSON Pointer, up to a bound; then a count. */
const unknownMembers = (message: Record<string, unknown>): FieldError[] => {
  const unknown = Object.keys(message)
    .filter((key) => !ENVELOPE_MEMBERS.has(key))
    .map((key) => ({ path: toJsonPointer([key]), message: 'unknown field' }));
  const { listed, unlisted } = listErrors(unknown, { maxCount: MAX_UNKNOWN_MEMBERS });
  if (unlisted === 0) return listed;
  return [...listed, rootError(unlistedMessage(unlisted, listed.length, 'unknown field(s)'))];
};
