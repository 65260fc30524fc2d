import { randomUUID } from 'node:crypto';
import type { ProvisioningErrorDetails } from '../provisioning/errors.js';
import type { FieldError } from '../provisioning/validation.js';

export type Channel = 'http' | 'sqs';
export type OutcomeStatus = 'SUCCEEDED' | 'FAILED';

/** What happened to one request: the `data` of the outcome event. */
export interface Outcome {
  operation: string;
  clientToken?: string;
  correlationId?: string;
  channel: Channel;
  status: OutcomeStatus;
  response?: unknown;
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

export const failedOutcomeError = (details: ProvisioningErrorDetails): Outcome['error'] => ({
  code: details.code,
  message: details.detail,
  retryable: details.retryable,
  ...(details.errors ? { errors: details.errors } : {}),
});

export const toOutcomeEvent = (
  outcome: Outcome,
  options: { source: string; subject?: string | undefined; now?: Date; id?: string },
): OutcomeEvent => ({
  specversion: '1.0',
  id: options.id ?? randomUUID(),
  source: options.source,
  type: OUTCOME_EVENT_TYPE,
  ...(options.subject ? { subject: options.subject } : {}),
  time: (options.now ?? new Date()).toISOString(),
  datacontenttype: 'application/json',
  data: outcome,
});
