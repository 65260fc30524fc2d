import {
  type ProvisioningError,
  type ProvisioningErrorDetails,
  serviceUnavailableError,
  validationError,
} from '../basics/errors.js';
import type { FieldError } from '../basics/fieldError.js';
import type { LedgerRecord, RequestLedger } from '../ledger/record.js';
import type { LedgerWatch } from '../ledger/watch.js';
import { isOperationName, operations } from '../operations/index.js';
import { checkToken } from './clientToken.js';

/** What the status lookup tells of one request. */
export interface RequestStatus {
  operation: string;
  clientToken: string;
  status: LedgerRecord['status'];
  correlationId?: string;
  requestedBy?: string;
  channel: LedgerRecord['channel'];
  createdAt: string;
  updatedAt: string;
  /** The AWS response, for a request that succeeded. */
  response?: unknown;
  /** What the caller was answered, for a request that failed. */
  error?: ProvisioningErrorDetails;
  /** The outcomes committed for the request, in order: the outbox publishes each of them. */
  outcomeIds: string[];
  /**
   * The follow-through of the created resource (an image builder until `RUNNING`): where the
   * watch stands, the resource's last seen state and when it became ready.
   */
  readiness?: LedgerWatch;
}

export type LookupResult =
  | { found: true; request: RequestStatus }
  | { found: false; error?: ProvisioningError };

export interface RequestLookup {
  /** The request `clientToken` made to `operation`; both as the caller gave them. */
  find(operation: unknown, clientToken: unknown): Promise<LookupResult>;
}

const OPERATION_RULE = `must be one of: ${Object.keys(operations).join(', ')}`;

const statusOf = (record: LedgerRecord): RequestStatus => ({
  operation: record.operation,
  clientToken: record.clientToken,
  status: record.status,
  ...(record.correlationId ? { correlationId: record.correlationId } : {}),
  ...(record.requestedBy ? { requestedBy: record.requestedBy } : {}),
  channel: record.channel,
  createdAt: record.createdAt,
  updatedAt: record.updatedAt,
  ...(record.status === 'SUCCEEDED' ? { response: record.response } : {}),
  ...(record.status === 'FAILED' && record.error ? { error: record.error } : {}),
  outcomeIds: record.outcomes.map(({ id }) => id),
  ...(record.watch ? { readiness: record.watch } : {}),
});

/** The status lookup: tokens are scoped per operation, so both are needed. */
export const createRequestLookup = (ledger: RequestLedger): RequestLookup => ({
  async find(operation, clientToken) {
    const errors: FieldError[] = [];
    if (operation === undefined) {
      errors.push({ path: '', message: 'the operation query parameter is required' });
    } else if (!isOperationName(operation)) {
      errors.push({ path: '', message: `the operation query parameter ${OPERATION_RULE}` });
    }
    const token = checkToken(clientToken);
    if (token.problem) errors.push({ path: '', message: `the clientToken ${token.problem}` });
    if (errors.length > 0 || !isOperationName(operation) || token.token === undefined) {
      return { found: false, error: validationError(errors) };
    }
    try {
      const record = await ledger.find(operation, token.token);
      return record ? { found: true, request: statusOf(record) } : { found: false };
    } catch (error) {
      return {
        found: false,
        error: serviceUnavailableError('The request ledger is unavailable; retry later.', error),
      };
    }
  },
});
