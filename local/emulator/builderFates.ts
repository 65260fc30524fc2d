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

/** After StopImageBuilder: STOPPING, then STOPPED after `afterMs`; or STOPPING for ever. */
export type StopFate = { fate: 'STOPPED'; afterMs: number } | { fate: 'STOPPING' };

/** After DeleteImageBuilder: DELETING, then gone after `afterMs`; or DELETING for ever. */
export type DeleteFate = { fate: 'DELETED'; afterMs: number } | { fate: 'DELETING' };

/**
 * How a named builder behaves, each member optional: `fate` after CreateImageBuilder, `start`
 * after StartImageBuilder (PENDING, then like a creation fate), `stop` and `delete`.
 */
export interface BuilderBehaviour {
  fate?: BuilderFate;
  stop?: StopFate;
  start?: BuilderFate;
  delete?: DeleteFate;
}

export interface FateRecord extends BuilderBehaviour {
  name: string;
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

/** Validates a creation (or start) fate: `{fate, afterMs?, errors?, stateChangeReason?}`. */
function parseCreationFate(body: Record<string, unknown>): BuilderFate | string {
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

/** `{fate: <done>, afterMs?}` (the transition ends after afterMs) or `{fate: <stuck>}` (never). */
function parseTransition<Done extends string, Stuck extends string>(
  value: unknown,
  done: Done,
  stuck: Stuck,
): { fate: Done; afterMs: number } | { fate: Stuck } | string {
  if (!isRecord(value)) return `must be an object {fate: '${done}' | '${stuck}', afterMs?}`;
  const { fate, afterMs = 0 } = value;
  if (fate === stuck) {
    return unknownMember(value, ['fate'], '') ?? { fate: stuck };
  }
  if (fate !== done) return `'fate' must be '${done}' or '${stuck}'`;
  const extra = unknownMember(value, ['fate', 'afterMs'], '');
  if (extra) return extra;
  if (!isDelay(afterMs)) return `'afterMs' must be an integer between 0 and ${MAX_AFTER_MS}`;
  return { fate: done, afterMs };
}

const TRANSITIONS = ['stop', 'start', 'delete'] as const;

function parseTransitions(body: Record<string, unknown>): Omit<BuilderBehaviour, 'fate'> | string {
  const parsed: Omit<BuilderBehaviour, 'fate'> = {};
  for (const kind of TRANSITIONS) {
    const value = body[kind];
    if (value === undefined) continue;
    const fate =
      kind === 'stop'
        ? parseTransition(value, 'STOPPED', 'STOPPING')
        : kind === 'delete'
          ? parseTransition(value, 'DELETED', 'DELETING')
          : isRecord(value)
            ? parseCreationFate(value)
            : 'must be an object {fate, afterMs?, errors?, stateChangeReason?}';
    if (typeof fate === 'string') return `'${kind}': ${fate}`;
    Object.assign(parsed, { [kind]: fate });
  }
  return parsed;
}

/**
 * Validates a control-API fate body: a creation fate (`fate` and its members) and/or the
 * transitions `stop`, `start`, `delete`; returns them or a message describing the problem.
 */
export function parseBuilderFate(body: unknown): BuilderBehaviour | string {
  if (!isRecord(body)) return 'the fate must be a JSON object';
  const { stop, start, delete: remove, ...creation } = body;
  const transitions = parseTransitions({ stop, start, delete: remove });
  if (typeof transitions === 'string') return transitions;
  if (Object.keys(creation).length === 0) {
    if (Object.keys(transitions).length > 0) return transitions;
    return "give 'fate' and/or any of 'stop', 'start', 'delete'";
  }
  const fate = parseCreationFate(creation);
  return typeof fate === 'string' ? fate : { fate, ...transitions };
}

/** How a fate shows in the control API: its name, the fates' members and when it was set. */
export function renderFate(record: FateRecord): JsonObject {
  const { name, fate, setAtMs, ...transitions } = record;
  return { name, ...fate, ...transitions, setAt: new Date(setAtMs).toISOString() };
}

/** What a builder created at `createdAtMs` shows without a fate, given the default ready delay. */
export function defaultState(createdAtMs: number, nowMs: number, readyDelayMs: number): string {
  return nowMs - createdAtMs >= readyDelayMs ? 'RUNNING' : 'PENDING';
}

/**
 * What a builder shows once a RUNNING or FAILED fate came true at `atMs`: `State`, and once FAILED
 * `StateChangeReason` and `ImageBuilderErrors` (each `ErrorTimestamp` `atMs` unless given).
 */
export function settledState(
  fate: Exclude<BuilderFate, { fate: 'PENDING' }>,
  atMs: number,
): JsonObject {
  if (fate.fate === 'RUNNING') return { State: 'RUNNING' };
  const errors = fate.errors.map((error) => ({ ErrorTimestamp: atMs / 1000, ...error }));
  return {
    State: 'FAILED',
    StateChangeReason: fate.stateChangeReason,
    ...(errors.length > 0 ? { ImageBuilderErrors: errors } : {}),
  };
}

/**
 * `State` (and, once FAILED, `StateChangeReason` and `ImageBuilderErrors`) of a builder with a
 * creation fate set at `setAtMs`. The fate's delay counts from the later of the builder's creation
 * and the moment the fate was set; until then the builder shows the state it had when the fate
 * was set (PENDING if it was created later). The PENDING fate shows PENDING for ever.
 */
export function fatedState(
  fate: BuilderFate,
  setAtMs: number,
  createdAtMs: number,
  nowMs: number,
  readyDelayMs: number,
): JsonObject {
  if (fate.fate === 'PENDING') return { State: 'PENDING' };
  const atMs = Math.max(createdAtMs, setAtMs) + fate.afterMs;
  if (nowMs < atMs) return { State: defaultState(createdAtMs, setAtMs, readyDelayMs) };
  return settledState(fate, atMs);
}
