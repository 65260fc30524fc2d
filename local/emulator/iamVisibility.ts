import { ARN_PATTERN } from './appstreamShapes.js';
import { ServiceError } from './errors.js';
import { INSTANCE_PROFILE_NAME_PATTERN } from './imagebuilderShapes.js';

/** What an IAM identity is named by in the calls that use it. */
export type IamKind = 'instanceProfileName' | 'roleArn';

export interface HideRequest {
  kind: IamKind;
  id: string;
  seconds: number;
}

/** How a hidden identity shows in the control API, e.g. `{instanceProfileName, remainingSeconds}`. */
export type HiddenIam = Partial<Record<IamKind, string>> & { remainingSeconds: number };

export const MAX_HIDDEN_SECONDS = 31_536_000;

const ID_RULES: Readonly<Record<IamKind, { valid: (id: string) => boolean; rule: string }>> = {
  instanceProfileName: {
    valid: (id) => id.length <= 256 && INSTANCE_PROFILE_NAME_PATTERN.test(id),
    rule: 'an instance profile name (1-256 characters of letters, digits and +=,.@_-)',
  },
  roleArn: {
    valid: (id) => ARN_PATTERN.test(id),
    rule: 'an ARN such as arn:aws:iam::<account>:role/<name>',
  },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a control-API body `{instanceProfileName | roleArn, seconds}`. */
export function parseHideRequest(body: unknown): HideRequest | string {
  if (!isRecord(body)) return 'the body must be a JSON object';
  const extra = Object.keys(body).find(
    (key) => key !== 'instanceProfileName' && key !== 'roleArn' && key !== 'seconds',
  );
  if (extra !== undefined) {
    return `'${extra}' is not allowed (allowed: instanceProfileName, roleArn, seconds)`;
  }
  const kinds = (['instanceProfileName', 'roleArn'] as const).filter((key) => key in body);
  const [kind] = kinds;
  if (kind === undefined || kinds.length > 1) {
    return "give exactly one of 'instanceProfileName' and 'roleArn'";
  }
  const id = body[kind];
  if (typeof id !== 'string' || !ID_RULES[kind].valid(id)) {
    return `'${kind}' must be ${ID_RULES[kind].rule}`;
  }
  const { seconds } = body;
  if (typeof seconds !== 'number' || !(seconds > 0) || seconds > MAX_HIDDEN_SECONDS) {
    return `'seconds' must be a number greater than 0 and at most ${MAX_HIDDEN_SECONDS}`;
  }
  return { kind, id, seconds };
}

/** IAM identities the emulated services cannot see yet, each until a moment (computed on read). */
export class IamVisibility {
  private readonly hidden = new Map<string, { kind: IamKind; id: string; untilMs: number }>();

  public hide(request: HideRequest, nowMs: number): HiddenIam {
    const entry = { kind: request.kind, id: request.id, untilMs: nowMs + request.seconds * 1000 };
    this.hidden.set(`${request.kind}\u0000${request.id}`, entry);
    return { [entry.kind]: entry.id, remainingSeconds: request.seconds };
  }

  public isHidden(kind: IamKind, id: string, nowMs: number): boolean {
    const entry = this.hidden.get(`${kind}\u0000${id}`);
    return entry !== undefined && nowMs < entry.untilMs;
  }

  /** Identities still hidden, with the seconds (to the millisecond) until they appear. */
  public list(nowMs: number): HiddenIam[] {
    return [...this.hidden.values()]
      .filter((entry) => nowMs < entry.untilMs)
      .map((entry) => ({
        [entry.kind]: entry.id,
        remainingSeconds: (entry.untilMs - nowMs) / 1000,
      }));
  }

  public clear(): void {
    this.hidden.clear();
  }
}

/** Image Builder's answer for an instance profile it cannot see (docs/aws-contracts.md §6.2). */
export function instanceProfileNotVisible(): ServiceError {
  return new ServiceError(
    'InvalidParameterValueException',
    "The value supplied for parameter 'instanceProfileName' is not valid. The provided instance profile does not exist. Please specify a different instance profile and try again.",
  );
}

/** AppStream's answer for a role it cannot assume (docs/aws-contracts.md §6.3). */
export function roleNotVisible(roleArn: string): ServiceError {
  return new ServiceError(
    'InvalidRoleException',
    `AppStream 2.0 encountered an error because your IAM role ${roleArn} is not valid or could not be assumed. Make sure that the role exists and that its trust policy allows AppStream 2.0 to assume it, then try again.`,
  );
}
