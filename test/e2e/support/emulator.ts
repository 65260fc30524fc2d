/** One call the Image Builder / AppStream emulator received, as its control API lists it. */
export interface EmulatorCall {
  service: 'imagebuilder' | 'appstream';
  operation: string;
  input: Record<string, unknown>;
  at: string;
  error?: string;
}

export interface FaultRequest {
  operation: string;
  error?: string;
  message?: string;
  /** Calls to affect; -1 = until cleared. */
  count?: number;
  latencyMs?: number;
}

/** Matches the calls made with `token` as their clientToken (Image Builder's idempotency token). */
export const withToken =
  (token: string) =>
  (input: Record<string, unknown>): boolean =>
    input.clientToken === token;

/** The emulator's control API (`/_emulator/...`): what "AWS" received, and faults to inject. */
export class EmulatorControl {
  public constructor(private readonly endpoint: string) {}

  public async calls(): Promise<EmulatorCall[]> {
    const response = await this.request('GET', 'calls');
    return ((await response.json()) as { calls: EmulatorCall[] }).calls;
  }

  /** Calls of `operation` whose input satisfies `matches` (e.g. carries this test's name). */
  public async callsOf(
    operation: string,
    matches: (input: Record<string, unknown>) => boolean,
  ): Promise<EmulatorCall[]> {
    return (await this.calls()).filter(
      (call) => call.operation === operation && matches(call.input),
    );
  }

  public async fault(fault: FaultRequest): Promise<void> {
    const response = await this.request('POST', 'faults', fault);
    if (response.status !== 201) {
      throw new Error(`fault rejected (${response.status}): ${await response.text()}`);
    }
  }

  public async clearFaults(): Promise<void> {
    await this.request('DELETE', 'faults');
  }

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await fetch(`${this.endpoint}/_emulator/${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status >= 400) {
      throw new Error(`${method} /_emulator/${path}: ${response.status} ${await response.text()}`);
    }
    return response;
  }
}
