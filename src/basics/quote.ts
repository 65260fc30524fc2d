/** How much of a caller's value a message may quote, in characters (code points). */
export const QUOTED_MAX_CHARACTERS = 64;

/** Left raw by JSON.stringify, yet unsafe in a terminal or a log line: DEL, C1 controls, U+2028/9. */
const UNSAFE_IN_JSON_TEXT = /[\u007f-\u009f\u2028\u2029]/g;

const escapeUnsafe = (json: string): string =>
  json.replace(
    UNSAFE_IN_JSON_TEXT,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** The UTF-16 length of the first `max` code points of `value` (a lone surrogate counts as one). */
const prefixLength = (value: string, max: number): number => {
  let end = 0;
  for (let count = 0; count < max && end < value.length; count++) {
    end += (value.codePointAt(end) ?? 0) > 0xffff ? 2 : 1;
  }
  return end;
};

/**
 * A caller's value as a message may name it: a string cut to `max` characters (an ellipsis after
 * the closing quote when cut) in JSON-string escaping, so control characters, lone surrogates and
 * quotes cannot break a log line, a header or a message attribute; a number, boolean or null as
 * itself; an object or array by its kind.
 */
export const quoteBounded = (value: unknown, max = QUOTED_MAX_CHARACTERS): string => {
  if (typeof value === 'string') {
    const end = prefixLength(value, max);
    const quoted = escapeUnsafe(JSON.stringify(value.slice(0, end)));
    return end < value.length ? `${quoted}…` : quoted;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a value of type ${typeof value}`;
};
