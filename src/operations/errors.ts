/**
 * AWS already holds a resource under the requested name, configured otherwise than the request
 * asks: sending the request again cannot help.
 */
export class ResourceConflictError extends Error {
  /** The AWS error code the conflict was reported with. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ResourceConflictError';
    this.code = code;
  }
}
