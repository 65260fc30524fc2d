import type { JsonObject } from './state.js';

/** com.amazonaws.appstream#ImageBuilderStateChangeReasonCode (docs/aws-contracts.md §6.1). */
export const STATE_CHANGE_REASON_CODES: readonly string[] = ['INTERNAL_ERROR', 'IMAGE_UNAVAILABLE'];

/** com.amazonaws.appstream#FleetErrorCode, the type of `ResourceError$ErrorCode` (§6.1). */
export const FLEET_ERROR_CODES: readonly string[] = [
  'IAM_SERVICE_ROLE_MISSING_ENI_DESCRIBE_ACTION',
  'IAM_SERVICE_ROLE_MISSING_ENI_CREATE_ACTION',
  'IAM_SERVICE_ROLE_MISSING_ENI_DELETE_ACTION',
  'NETWORK_INTERFACE_LIMIT_EXCEEDED',
  'INTERNAL_SERVICE_ERROR',
  'IAM_SERVICE_ROLE_IS_MISSING',
  'MACHINE_ROLE_IS_MISSING',
  'STS_DISABLED_IN_REGION',
  'SUBNET_HAS_INSUFFICIENT_IP_ADDRESSES',
  'IAM_SERVICE_ROLE_MISSING_DESCRIBE_SUBNET_ACTION',
  'SUBNET_NOT_FOUND',
  'IMAGE_NOT_FOUND',
  'INVALID_SUBNET_CONFIGURATION',
  'SECURITY_GROUPS_NOT_FOUND',
  'IGW_NOT_ATTACHED',
  'IAM_SERVICE_ROLE_MISSING_DESCRIBE_SECURITY_GROUPS_ACTION',
  'FLEET_STOPPED',
  'FLEET_INSTANCE_PROVISIONING_FAILURE',
  'DOMAIN_JOIN_ERROR_FILE_NOT_FOUND',
  'DOMAIN_JOIN_ERROR_ACCESS_DENIED',
  'DOMAIN_JOIN_ERROR_LOGON_FAILURE',
  'DOMAIN_JOIN_ERROR_INVALID_PARAMETER',
  'DOMAIN_JOIN_ERROR_MORE_DATA',
  'DOMAIN_JOIN_ERROR_NO_SUCH_DOMAIN',
  'DOMAIN_JOIN_ERROR_NOT_SUPPORTED',
  'DOMAIN_JOIN_NERR_INVALID_WORKGROUP_NAME',
  'DOMAIN_JOIN_NERR_WORKSTATION_NOT_STARTED',
  'DOMAIN_JOIN_ERROR_DS_MACHINE_ACCOUNT_QUOTA_EXCEEDED',
  'DOMAIN_JOIN_NERR_PASSWORD_EXPIRED',
  'DOMAIN_JOIN_INTERNAL_SERVICE_ERROR',
  'VALIDATION_ERROR',
];

/** com.amazonaws.appstream#ResourceError; `ErrorTimestamp` in epoch seconds, as on the wire. */
export interface ResourceError {
  ErrorCode: string;
  ErrorMessage: string;
  ErrorTimestamp?: number;
}

/** com.amazonaws.appstream#ImageBuilderStateChangeReason. */
export interface StateChangeReason {
  Code?: string;
  Message?: string;
}

/** What a named image builder does instead of PENDING -> RUNNING after the default delay. */
export type BuilderFate =
  | { fate: 'PENDING' }
  | { fate: 'RUNNING'; afterMs: number }
  | {
      fate: 'FAILED';
      afterMs: number;
      errors: ResourceError[];
      stateChangeReason: StateChangeReason;
    };

export interface FateRecord {
  name: string;
  fate: BuilderFate;
  /** When the fate was set; its delay counts from this or the builder's creation, the later. */
  setAtMs: number;
}

export const MAX_AFTER_MS = 86_400_000;

const MEMBERS: Readonly<Record<BuilderFate['fate'], readonly string[]>> = {
  PENDING: ['fate'],
  RUNNING: ['fate', 'afterMs'],
  FAILED: ['fate', 'afterMs', 'errors', 'stateChangeReason'],
};

const DEFAULT_REASON: StateChangeReason = {
  Code: 'INTERNAL_ERROR',
  Message: 'The image builder could not be started.',
};

const DEFAULT_ERRORS: Readonly<Record<string, ResourceError>> = {
  INTERNAL_ERROR: {
    ErrorCode: 'INTERNAL_SERVICE_ERROR',
    ErrorMessage: 'The image builder could not be started because of an internal service error.',
  },
  IMAGE_UNAVAILABLE: {
    ErrorCode: 'IMAGE_NOT_FOUND',
    ErrorMessage: 'The image the image builder was created from is not available.',
  },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownMember(value: Record<string, unknown>, allowed: readonly string[], at: string) {
  const extra = Object.keys(value).find((key) => !allowed.includes(key));
  return extra === undefined
    ? undefined
    : `'${at}${extra}' is not allowed here (allowed: ${allowed.join(', ')})`;
}

const isOneOf = (value: unknown, values: readonly string[]): value is string =>
  typeof value === 'string' && values.includes(value);

const isEpochSeconds = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

function parseReason(value: unknown): StateChangeReason | string {
  if (!isRecord(value)) return "'stateChangeReason' must be an object {Code?, Message?}";
  const extra = unknownMember(value, ['Code', 'Message'], 'stateChangeReason.');
  if (extra) return extra;
  const { Code, Message } = value;
  if (Code !== undefined && !isOneOf(Code, STATE_CHANGE_REASON_CODES)) {
    return `'stateChangeReason.Code' must be one of ${STATE_CHANGE_REASON_CODES.join(', ')}`;
  }
  if (Message !== undefined && !isText(Message)) {
    return "'stateChangeReason.Message' must be a non-empty string";
  }
  return { ...(Code === undefined ? {} : { Code }), ...(Message === undefined ? {} : { Message }) };
}

function parseError(value: unknown, index: number): ResourceError | string {
  const at = `errors[${index}]`;
  if (!isRecord(value)) {
    return `'${at}' must be an object {ErrorCode, ErrorMessage, ErrorTimestamp?}`;
  }
  const extra = unknownMember(value, ['ErrorCode', 'ErrorMessage', 'ErrorTimestamp'], `${at}.`);
  if (extra) return extra;
  const { ErrorCode, ErrorMessage, ErrorTimestamp } = value;
  if (!isOneOf(ErrorCode, FLEET_ERROR_CODES)) {
    return `'${at}.ErrorCode' must be one of ${FLEET_ERROR_CODES.join(', ')}`;
  }
  if (!isText(ErrorMessage)) return `'${at}.ErrorMessage' must be a non-empty string`;
  if (ErrorTimestamp === undefined) return { ErrorCode, ErrorMessage };
  if (!isEpochSeconds(ErrorTimestamp)) {
    return `'${at}.ErrorTimestamp' must be a non-negative number of epoch seconds`;
  }
  return { ErrorCode, ErrorMessage, ErrorTimestamp };
}

function parseErrors(value: unknown): ResourceError[] | string {
  if (!Array.isArray(value)) return "'errors' must be a list of {ErrorCode, ErrorMessage}";
  const errors: ResourceError[] = [];
  for (const [index, item] of value.entries()) {
    const error = parseError(item, index);
    if (typeof error === 'string') return error;
    errors.push(error);
  }
  return errors;
}

function parseFailure(body: Record<string, unknown>, afterMs: number): BuilderFate | string {
  const reason =
    body.stateChangeReason === undefined ? DEFAULT_REASON : parseReason(body.stateChangeReason);
  if (typeof reason === 'string') return reason;
  const fallback = DEFAULT_ERRORS[reason.Code ?? 'INTERNAL_ERROR'];
  const errors =
    body.errors === undefined ? (fallback ? [fallback] : []) : parseErrors(body.errors);
  if (typeof errors === 'string') return errors;
  return { fate: 'FAILED', afterMs, errors, stateChangeReason: reason };
}

const isDelay = (value: unknown): value is number =>
  Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_AFTER_MS;

const isFate = (value: unknown): value is BuilderFate['fate'] =>
  value === 'FAILED' || value === 'PENDING' || value === 'RUNNING';

/** Validates a control-API fate body; returns the fate or a message describing the problem. */
export function parseBuilderFate(body: unknown): BuilderFate | string {
  if (!isRecord(body)) return 'the fate must be a JSON object';
  const { fate, afterMs = 0 } = body;
  if (!isFate(fate)) return "'fate' must be 'FAILED', 'PENDING' or 'RUNNING'";
  const extra = unknownMember(body, MEMBERS[fate], '');
  if (extra) return `${extra} for fate ${fate}`;
  if (fate === 'PENDING') return { fate };
  if (!isDelay(afterMs)) {
    return `'afterMs' must be an integer between 0 and ${MAX_AFTER_MS}`;
  }
  return fate === 'RUNNING' ? { fate, afterMs } : parseFailure(body, afterMs);
}

/** How a fate shows in the control API: its name, the fate's members and when it was set. */
export function renderFate(record: FateRecord): JsonObject {
  return { name: record.name, ...record.fate, setAt: new Date(record.setAtMs).toISOString() };
}

/** What a builder created at `createdAtMs` shows without a fate, given the default ready delay. */
export function defaultState(createdAtMs: number, nowMs: number, readyDelayMs: number): string {
  return nowMs - createdAtMs >= readyDelayMs ? 'RUNNING' : 'PENDING';
}

/**
 * `State` (and, once FAILED, `StateChangeReason` and `ImageBuilderErrors`) of a builder with a
 * fate. The fate's delay counts from the later of the builder's creation and the moment the fate
 * was set; until then the builder shows the state it had when the fate was set (PENDING if it was
 * created later). The PENDING fate shows PENDING for ever.
 */
export function fatedState(
  record: FateRecord,
  createdAtMs: number,
  nowMs: number,
  readyDelayMs: number,
): JsonObject {
  const { fate } = record;
  if (fate.fate === 'PENDING') return { State: 'PENDING' };
  const atMs = Math.max(createdAtMs, record.setAtMs) + fate.afterMs;
  if (nowMs < atMs) return { State: defaultState(createdAtMs, record.setAtMs, readyDelayMs) };
  if (fate.fate === 'RUNNING') return { State: 'RUNNING' };
  const errors = fate.errors.map((error) => ({ ErrorTimestamp: atMs / 1000, ...error }));
  return {
    State: 'FAILED',
    StateChangeReason: fate.stateChangeReason,
    ...(errors.length > 0 ? { ImageBuilderErrors: errors } : {}),
  };
}
