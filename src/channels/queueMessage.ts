import type { SQSRecord } from 'aws-lambda';
import type { Config } from '../config.js';
import { CORRELATION_ID_RULE, isValidCorrelationId } from '../provisioning/correlationId.js';
import { requestTooLargeError } from '../provisioning/errors.js';
import type { ProvisioningRequest } from '../provisioning/pipeline.js';
import type { FieldError } from '../provisioning/validation.js';

const ENVELOPE_MEMBERS = new Set(['operation', 'clientToken', 'correlationId', 'request']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads `{operation, clientToken?, correlationId?, request}` from a queue message. Problems
 * become field errors for the pipeline, which announces them: nothing is dropped silently.
 */
export const toProvisioningRequest = (
  record: SQSRecord,
  {
    queueMaxReceiveCount,
    maxRequestBytes,
  }: Pick<Config, 'queueMaxReceiveCount' | 'maxRequestBytes'>,
): ProvisioningRequest => {
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? '1');
  const base = {
    channel: 'sqs' as const,
    inputPointer: '/request',
    fallbackToken: () => record.messageId,
    ...(record.attributes?.SenderId ? { requestedBy: record.attributes.SenderId } : {}),
    finalAttempt: !(receiveCount < queueMaxReceiveCount),
  };
  if (Buffer.byteLength(record.body) > maxRequestBytes) {
    return {
      ...base,
      operation: undefined,
      input: undefined,
      rejection: requestTooLargeError(maxRequestBytes),
    };
  }
  let message: unknown;
  try {
    message = JSON.parse(record.body);
  } catch {
    return {
      ...base,
      operation: undefined,
      input: undefined,
      errors: [rootError('must be valid JSON')],
    };
  }
  if (!isRecord(message)) {
    return {
      ...base,
      operation: undefined,
      input: undefined,
      errors: [rootError('must be a JSON object')],
    };
  }
  const errors: FieldError[] = Object.keys(message)
    .filter((key) => !ENVELOPE_MEMBERS.has(key))
    .map((key) => ({
      path: `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
      message: 'unknown field',
    }));
  const { correlationId } = message;
  if (correlationId !== undefined && !isValidCorrelationId(correlationId)) {
    errors.push({ path: '/correlationId', message: CORRELATION_ID_RULE });
  }
  return {
    ...base,
    operation: message.operation,
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

const rootError = (message: string): FieldError => ({ path: '', message });
