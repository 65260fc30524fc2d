/** One call the Image Builder / AppStream emulator received, as its control API lists it. */
export interface EmulatorCall {
  service: 'imagebuilder' | 'appstream';
  operation: string;
  /** `read` for Get*, List* and Describe*, `write` for every other operation. */
  access?: 'read' | 'write';
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

/** An entry of an image builder's `ImageBuilderErrors` (ErrorTimestamp in epoch seconds). */
export interface BuilderError {
  ErrorCode: string;
  ErrorMessage: string;
  ErrorTimestamp?: number;
}

/**
 * What a named image builder does instead of PENDING -> RUNNING after the emulator's default
 * delay: FAILED (with errors and a state change reason, defaults when omitted), PENDING for ever,
 * or RUNNING; `afterMs` counts from its creation, or from this call for an existing builder.
 */
export type BuilderFate =
  | { fate: 'PENDING' }
  | { fate: 'RUNNING'; afterMs?: number }
  | {
      fate: 'FAILED';
      afterMs?: number;
      errors?: BuilderError[];
      stateChangeReason?: { Code?: 'INTERNAL_ERROR' | 'IMAGE_UNAVAILABLE'; Message?: string };
    };

/** An IAM identity the emulated services cannot see yet, named as the calls name it. */
export type IamIdentity = { instanceProfileName: string } | { roleArn: string };

export type HiddenIam = IamIdentity & { remainingSeconds: number };

/** Matches the calls made with `token` as their clientToken (Image Builder's idempotency token). */
export const withToken =
  (token: string) =>
  (input: Record<string, unknown>): boolean =>
    input.clientToken === token;

/**
 * The emulator's control API (`/_emulator/...`): what "AWS" received, faults to inject, image
 * builder fates and IAM identities not visible yet.
 */
export class EmulatorControl {
  public constructor(private readonly endpoint: string) {}

  public async calls(): Promise<EmulatorCall[]> {
    const response = await this.request('GET', 'calls');
    return ((await response.json()) as { calls: EmulatorCall[] }).calls;
  }

  /** The calls that could change AWS (`?access=write`), in arrival order. */
  public async writes(): Promise<EmulatorCall[]> {
    const response = await this.request('GET', 'calls?access=write');
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

  /** Sets the fate of the image builder `name`, existing or created later. */
  public async builderFate(name: string, fate: BuilderFate): Promise<void> {
    await this.request('PUT', `image-builders/${encodeURIComponent(name)}`, fate);
  }

  public async clearBuilderFates(): Promise<void> {
    await this.request('DELETE', 'image-builders');
  }

  /** Image Builder / AppStream cannot see `identity` for `seconds` from now. */
  public async hideIam(identity: IamIdentity, seconds: number): Promise<void> {
    const response = await this.request('POST', 'iam/invisible', { ...identity, seconds });
    if (response.status !== 201) {
      throw new Error(`hiding ${JSON.stringify(identity)} failed (${response.status})`);
    }
  }

  public async hiddenIam(): Promise<HiddenIam[]> {
    const response = await this.request('GET', 'iam/invisible');
    return ((await response.json()) as { invisible: HiddenIam[] }).invisible;
  }

  public async clearHiddenIam(): Promise<void> {
    await this.request('DELETE', 'iam/invisible');
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
