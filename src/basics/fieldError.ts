/** One problem in a request: where (RFC 6901 JSON Pointer, '' for the root) and what. */
export interface FieldError {
  path: string;
  message: string;
}
