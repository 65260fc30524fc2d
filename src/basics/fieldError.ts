/** One problem in a request: where (RFC 6901 JSON Pointer, '' for the root) and what. */
export interface FieldError {
  path: string;
  message: string;
}

/** Past this many errors, a request is being abused rather than mistyped. */
export const MAX_LISTED_ERRORS = 100;
/**
 * What the listed errors of one check may take, as JSON: an answer, an outcome and the ledger
 * record that holds it stay far below SNS's 256 KiB and DynamoDB's 400 KB, whatever was sent.
 */
export const MAX_LISTED_ERROR_BYTES = 32_768;

interface ErrorBounds {
  maxCount?: number;
  maxBytes?: number;
}

/**
 * The errors to list, in their order, up to `maxCount` of them and `maxBytes` of JSON together,
 * and how many are left out. A pointer is never cut (it would no longer resolve): an error too
 * long to fit is left out and counted.
 */
export const listErrors = (
  errors: readonly FieldError[],
  { maxCount = MAX_LISTED_ERRORS, maxBytes = MAX_LISTED_ERROR_BYTES }: ErrorBounds = {},
): { listed: FieldError[]; unlisted: number } => {
  const listed: FieldError[] = [];
  let bytes = 0;
  for (const error of errors) {
    if (listed.length === maxCount) break;
    const size = Buffer.byteLength(JSON.stringify(error));
    if (bytes + size > maxBytes) continue;
    bytes += size;
    listed.push(error);
  }
  return { listed, unlisted: errors.length - listed.length };
};

/** `what` (e.g. 'error(s)') left out of a list, counted: "3 more error(s) not shown". */
export const unlistedMessage = (unlisted: number, listed: number, what: string): string =>
  `${unlisted} ${listed > 0 ? 'more ' : ''}${what} not shown`;
