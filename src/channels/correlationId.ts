/** Printable ASCII, bounded: it travels into logs, headers and outcomes unchanged. */
export const CORRELATION_ID = /^[\x20-\x7e]{1,256}$/;

export const CORRELATION_ID_RULE = 'must be 1 to 256 printable ASCII characters';

export const isValidCorrelationId = (value: unknown): value is string =>
  typeof value === 'string' && CORRELATION_ID.test(value);
