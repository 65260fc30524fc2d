import type { FieldError } from '../basics/fieldError.js';
import { isRecord } from '../basics/records.js';

/** A token given beside the request, with where it came from for error messages. */
export interface TokenCandidate {
  value: unknown;
  /** Where the caller put it, for messages: e.g. 'the Idempotency-Key header'. */
  label: string;
  /**
   * JSON Pointer of the token in what the caller sent. Absent for a header: errors then point
   * where the token would sit in the request and name the header in the message.
   */
  path?: string;
}

export interface ResolvedToken {
  /** The token the caller chose, if any. */
  value: string | undefined;
  /** The request without the token member: what the schema and the AWS call see. */
  input: unknown;
  errors: FieldError[];
}

export const MAX_TOKEN_LENGTH = 64;
/**
 * Printable ASCII (U+0020..U+007E) only: a token travels unchanged into the Idempotency-Key
 * response header, log lines and outcomes, where a line break, NUL or non-ASCII cannot go.
 */
export const TOKEN_CHARACTERS = /^[\x20-\x7e]*$/;

type TokenCheck = { token: string; problem?: never } | { token?: never; problem: string };

export const checkToken = (value: unknown): TokenCheck => {
  if (typeof value !== 'string') return { problem: 'must be a string' };
  if (!TOKEN_CHARACTERS.test(value)) {
    return { problem: 'must contain only printable ASCII characters (U+0020 to U+007E)' };
  }
  // ASCII from here: one UTF-16 unit per character.
  if (value.length < 1 || value.length > MAX_TOKEN_LENGTH) {
    return { problem: `must be between 1 and ${MAX_TOKEN_LENGTH} characters long` };
  }
  return { token: value };
};

/**
 * Reconciles the token given beside the request with the one inside it: either may be
 * absent, both present must agree, and the request loses its token member.
 */
export const resolveClientToken = ({
  input,
  inputPointer,
  member,
  given,
}: {
  input: unknown;
  inputPointer: string;
  member: string | undefined;
  given: TokenCandidate | undefined;
}): ResolvedToken => {
  const errors: FieldError[] = [];
  const path = `${inputPointer}/${member ?? 'clientToken'}`;
  const givenCheck = given === undefined ? undefined : checkToken(given.value);
  if (given && givenCheck?.problem) {
    errors.push(
      given.path === undefined
        ? { path, message: `${given.label} ${givenCheck.problem}` }
        : { path: given.path, message: givenCheck.problem },
    );
  }
  const givenToken = givenCheck?.token;

  if (!member || !isRecord(input) || !Object.hasOwn(input, member)) {
    return { value: givenToken, input, errors };
  }
  const { [member]: inner, ...rest } = input;
  const innerCheck = checkToken(inner);
  if (innerCheck.problem) errors.push({ path, message: innerCheck.problem });
  const innerToken = innerCheck.token;
  if (given && givenToken !== undefined && innerToken !== undefined && givenToken !== innerToken) {
    errors.push({ path, message: `differs from ${given.label}` });
  }
  return { value: givenToken ?? innerToken, input: rest, errors };
};
