import { randomUUID } from 'node:crypto';
import type { ServiceName } from './callLog.js';

/** Destroys the socket without answering, to simulate a connection reset. */
export const CONNECTION_RESET = 'ConnectionReset';

export interface Fault {
  id: string;
  /** Operation name (e.g. `CreateImageBuilder`) or `*` for every operation. */
  operation: string;
  /** Optional: limit a `*` fault to one service. */
  service?: ServiceName;
  /** AWS error name to answer with, or `ConnectionReset`; absent = only add latency. */
  error?: string;
  message?: string;
  /** Calls still to affect; -1 = until cleared. */
  count: number;
  latencyMs: number;
}

const MAX_LATENCY_MS = 60_000;
const NAME = /^[A-Za-z][A-Za-z0-9_]{0,127}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a control-API fault body; returns the fault or a message describing the problem. */
export function parseFault(body: unknown): Fault | string {
  if (!isRecord(body)) return 'fault must be a JSON object';
  const { operation, service, error, message, count = 1, latencyMs = 0 } = body;
  if (typeof operation !== 'string' || (operation !== '*' && !NAME.test(operation))) {
    return "'operation' must be an operation name or '*'";
  }
  if (service !== undefined && service !== 'imagebuilder' && service !== 'appstream') {
    return "'service' must be 'imagebuilder' or 'appstream'";
  }
  if (error !== undefined && (typeof error !== 'string' || !NAME.test(error))) {
    return "'error' must be an error name such as 'ServiceException' or 'ConnectionReset'";
  }
  if (message !== undefined && typeof message !== 'string') return "'message' must be a string";
  if (typeof count !== 'number' || !Number.isInteger(count) || (count < 1 && count !== -1)) {
    return "'count' must be a positive integer or -1 (until cleared)";
  }
  if (
    typeof latencyMs !== 'number' ||
    !Number.isInteger(latencyMs) ||
    latencyMs < 0 ||
    latencyMs > MAX_LATENCY_MS
  ) {
    return `'latencyMs' must be an integer between 0 and ${MAX_LATENCY_MS}`;
  }
  if (error === undefined && latencyMs === 0) return "a fault needs 'error' and/or 'latencyMs'";
  return {
    id: randomUUID(),
    operation,
    ...(service === undefined ? {} : { service }),
    ...(error === undefined ? {} : { error }),
    ...(message === undefined ? {} : { message }),
    count,
    latencyMs,
  };
}

/** Registered faults, matched in registration order; the first match is consumed. */
export class FaultStore {
  private faults: Fault[] = [];

  public add(fault: Fault): void {
    this.faults.push(fault);
  }

  public take(service: ServiceName, operation: string): Fault | undefined {
    const fault = this.faults.find(
      (candidate) =>
        (candidate.operation === '*' || candidate.operation === operation) &&
        (candidate.service === undefined || candidate.service === service),
    );
    if (!fault) return undefined;
    if (fault.count > 0) {
      fault.count -= 1;
      if (fault.count === 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    }
    return { ...fault };
  }

  public list(): readonly Fault[] {
    return this.faults;
  }

  public clear(): void {
    this.faults = [];
  }
}
