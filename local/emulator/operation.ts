import type { ServerResponse } from 'node:http';
import type { TransitionKind } from './builderLifecycle.js';
import type { CallLog, ServiceName } from './callLog.js';
import { ServiceError, sendAwsJsonError, sendRestJsonError } from './errors.js';
import { CONNECTION_RESET, type FaultStore } from './faults.js';
import { delay, sendJson } from './http.js';
import type { IamVisibility } from './iamVisibility.js';
import type { JsonObject, ResourceStore } from './state.js';
import { type Shape, type Violation, validate } from './validation.js';

export interface OperationContext {
  store: ResourceStore;
  region: string;
  accountId: string;
  appstreamReadyDelayMs: number;
  /** How long STOPPING, PENDING (after a start) and DELETING last unless a fate says otherwise. */
  appstreamTransitionDelaysMs: Readonly<Record<TransitionKind, number>>;
  /** Instance profiles and roles the services cannot see yet. */
  iam: IamVisibility;
  now: () => Date;
}

export interface EmulatorRuntime {
  context: OperationContext;
  calls: CallLog;
  faults: FaultStore;
}

export interface OperationDefinition {
  name: string;
  shape: Shape;
  /** Runs after model validation; throws ServiceError for modelled failures. */
  run(input: JsonObject, context: OperationContext): JsonObject;
}

/** How one wire protocol renders results and names its input errors. */
export interface ProtocolCodec {
  service: ServiceName;
  sendResult(res: ServerResponse, body: JsonObject): void;
  sendError(res: ServerResponse, errorName: string, message: string): void;
  malformedInputError: string;
  violationError(violation: Violation): string;
  internalError: string;
}

export const restJson1: ProtocolCodec = {
  service: 'imagebuilder',
  sendResult: (res, body) => sendJson(res, 200, body),
  sendError: sendRestJsonError,
  malformedInputError: 'InvalidRequestException',
  violationError: () => 'InvalidRequestException',
  internalError: 'ServiceException',
};

/**
 * AppStream's live service reports constraint violations with the (unmodelled)
 * `ValidationException` and undecodable input with `SerializationException`.
 */
export const awsJson1_1: ProtocolCodec = {
  service: 'appstream',
  sendResult: (res, body) => sendJson(res, 200, body, 'application/x-amz-json-1.1'),
  sendError: sendAwsJsonError,
  malformedInputError: 'SerializationException',
  violationError: (violation) =>
    violation.kind === 'type' ? 'SerializationException' : 'ValidationException',
  internalError: 'InternalFailure',
};

export type DecodedInput = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * The request pipeline shared by every operation: log the call, apply an injected fault
 * (latency, error or connection reset; before any state change), validate against the model,
 * run the operation, encode the outcome in the service's protocol.
 */
export async function invokeOperation(
  runtime: EmulatorRuntime,
  codec: ProtocolCodec,
  operation: OperationDefinition,
  input: DecodedInput,
  res: ServerResponse,
): Promise<void> {
  const call = runtime.calls.record(codec.service, operation.name, input.ok ? input.value : {});
  const fail = (errorName: string, message: string): void => {
    call.error = errorName;
    codec.sendError(res, errorName, message);
  };
  if (!input.ok) return fail(codec.malformedInputError, input.message);

  const fault = runtime.faults.take(codec.service, operation.name);
  if (fault) {
    if (fault.latencyMs > 0) await delay(fault.latencyMs);
    if (fault.error === CONNECTION_RESET) {
      call.error = CONNECTION_RESET;
      res.socket?.destroy();
      return;
    }
    if (fault.error) return fail(fault.error, fault.message ?? `Injected fault: ${fault.error}`);
  }

  const violation = validate(operation.shape, input.value);
  if (violation) return fail(codec.violationError(violation), violation.message);

  try {
    codec.sendResult(res, operation.run(input.value as JsonObject, runtime.context));
  } catch (error) {
    if (error instanceof ServiceError) return fail(error.errorName, error.message);
    fail(codec.internalError, `Emulator failure: ${(error as Error).message}`);
  }
}
