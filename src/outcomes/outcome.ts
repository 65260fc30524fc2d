import { createHash } from 'node:crypto';
import type { Channel } from '../basics/channel.js';
import type { ProvisioningErrorDetails } from '../basics/errors.js';
import type { FieldError } from '../basics/fieldError.js';

type OutcomeStatus = 'SUCCEEDED' | 'FAILED';

/** What happened to one request: the `data` of the outcome event. */
export interface Outcome {
  operation: string;
  clientToken?: string;
  correlationId?: string;
  channel: Channel;
  /** The caller: IAM principal ARN or JWT subject (HTTP), the SQS sender id (queue). */
  requestedBy?: string;
  status: OutcomeStatus;
  response?: unknown;
  /**
   * Where the response can be read (the status lookup) when it was too large to travel with the
   * event: set instead of `response`.
   */
  responseLocation?: string;
  error?: { code: string; message: string; retryable: boolean; errors?: FieldError[] };
}

/** A CloudEvents 1.0 event in structured JSON mode. */
export interface OutcomeEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  data: Outcome;
}

export const OUTCOME_EVENT_TYPE = 'image-provisioner.provisioning.outcome.v1';
/** The `event` message attribute of a request's outcome. */
export const OUTCOME_EVENT_NAME = 'ProvisioningOutcome';

/**
 * What became of the resource a request created, once it was followed through: `event` names it
 * (e.g. `ImageBuilderReady`), `resource` is the resource as AWS described it then.
 */
export interface ReadinessNotice {
  operation: string;
  clientToken: string;
  correlationId?: string;
  channel: Channel;
  requestedBy?: string;
  event: string;
  resource: unknown;
}

/** A follow-through event: its CloudEvents `type` carries the event's name. */
export interface ReadinessEvent extends Omit<OutcomeEvent, 'data'> {
  data: ReadinessNotice;
}

/** Every event the service announces. */
export type ServiceEvent = OutcomeEvent | ReadinessEvent;

export const readinessEventType = (event: string): string =>
  `image-provisioner.readiness.${event}.v1`;

export const isReadinessEvent = (event: ServiceEvent): event is ReadinessEvent =>
  'event' in event.data;

export const failedOutcomeError = (details: ProvisioningErrorDetails): Outcome['error'] => ({
  code: details.code,
  message: details.detail,
  retryable: details.retryable,
  ...(details.errors ? { errors: details.errors } : {}),
});

/**
 * The same outcome always gets the same id, so a subscriber can drop a copy that a publish
 * retried after a lost acknowledgement may produce (CloudEvents: source + id identify an event).
 */
export const outcomeId = (outcome: Outcome): string =>
  eventId([
    outcome.operation,
    outcome.clientToken ?? '',
    outcome.status,
    outcome.error?.code ?? '',
  ]);

/** A follow-through event happens once per request: its id follows from the two. */
export const readinessEventId = (operation: string, clientToken: string, event: string): string =>
  eventId([operation, clientToken, 'readiness', event]);

const eventId = (parts: readonly string[]): string => {
  const hex = createHash('sha256').update(parts.join('\n')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/** The CloudEvents envelope every event of the service shares. */
const envelope = (options: {
  id: string;
  source: string;
  type: string;
  subject?: string | undefined;
  time: string;
}) => ({
  specversion: '1.0' as const,
  id: options.id,
  source: options.source,
  type: options.type,
  ...(options.subject ? { subject: options.subject } : {}),
  time: options.time,
  datacontenttype: 'application/json' as const,
});

export const toOutcomeEvent = (
  outcome: Outcome,
  options: { source: string; subject?: string | undefined; now?: Date; id?: string },
): OutcomeEvent => ({
  ...envelope({
    id: options.id ?? outcomeId(outcome),
    source: options.source,
    type: OUTCOME_EVENT_TYPE,
    subject: options.subject,
    time: (options.now ?? new Date()).toISOString(),
  }),
  data: outcome,
});

/** A follow-through event: `data.event` names it, and its CloudEvents `type` carries the name. */
export const toReadinessEvent = (
  notice: ReadinessNotice,
  options: { id: string; source: string; subject?: string | undefined; time: string },
): ReadinessEvent => ({
  ...envelope({ ...options, type: readinessEventType(notice.event) }),
  data: notice,
});
