export type ServiceName = 'imagebuilder' | 'appstream';

export interface CallRecord {
  service: ServiceName;
  operation: string;
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
    const record: CallRecord = { service, operation, input, at: new Date().toISOString() };
    this.records.push(record);
    return record;
  }

  public list(): readonly CallRecord[] {
    return this.records;
  }

  public clear(): void {
    this.records = [];
  }
}
