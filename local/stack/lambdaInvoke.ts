/** What Lambda's Invoke API answered for one synchronous invocation. */
export interface Invocation {
  /** The Invoke API's own status: 200 when the function ran (even if it failed). */
  statusCode: number;
  /** `Unhandled` / `Handled` when the function failed (the `X-Amz-Function-Error` header). */
  functionError: string | undefined;
  /** The function's result (or error) as JSON text; empty when it returned nothing. */
  payload: string;
}

/**
 * `POST <endpoint>/2015-03-31/functions/<name>/invocations` (RequestResponse), the call AWS's
 * event sources and API Gateway make; `endpoint` is serverless-offline's Lambda API.
 */
export const invokeLambda = async (
  endpoint: string,
  functionName: string,
  event: unknown,
  signal?: AbortSignal,
): Promise<Invocation> => {
  const response = await fetch(
    `${endpoint}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
    { method: 'POST', body: JSON.stringify(event), ...(signal ? { signal } : {}) },
  );
  return {
    statusCode: response.status,
    functionError: response.headers.get('x-amz-function-error') ?? undefined,
    payload: await response.text(),
  };
};
