export type ServiceName = 'imagebuilder' | 'appstream';

/** `read`: Get*, List*, Describe*; `write`: every other operation (Create, Update, Delete, ...). */
export type CallAccess = 'read' | 'write';

const READ_OPERATION = /^(?:Get|List|Describe)[A-Z]/;

/**
 * Whether a call reads or may change something, from its operation name (AWS names every read
 * Get*, List* or Describe*). Unknown operations count by the same rule, so a write the emulator
 * does not implement still counts as a write.
 */
export function accessOf(operation: string): CallAccess {
  return READ_OPERATION.test(operation) ? 'read' : 'write';
}

export interface CallRecord {
  service: ServiceName;
  operation: string;
  /** From the operation name (`accessOf`): count `write` calls to see whether AWS was changed. */
  access: CallAccess;
  /** Decoded input: the JSON body, or the query parameters for GET operations. */
  input: unknown;
  /** ISO-8601 time the request was received. */
  at: string;
  /** Error the caller got (including injected faults, validation failures and `ConnectionReset`). */
  error?: string;
}

/** Every service call received, in arrival order. */
export class CallLog {
  private records: CallRecord[] = [];

  /** Appends at arrival; the returned record is completed (`error`) once the outcome is known. */
  public record(service: ServiceName, operation: string, input: unknown): CallRecord {
    const record: CallRecord = {
      service,
      operation,
      access: accessOf(operation),
      input,
      at: new Date().toISOString(),
    };
    this.records.push(record);
    return record;
  }

  /** Every call, or only the reads or the writes. */
  public list(access?: CallAccess): readonly CallRecord[] {
    return access ? this.records.filter((record) => record.access === access) : this.records;
  }

  public clear(): void {
    this.records = [];
  }
}
