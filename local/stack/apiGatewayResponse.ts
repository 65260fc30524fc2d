import type { Invocation } from './lambdaInvoke.js';

/** What the gateway answers the client. */
export interface GatewayResponse {
  statusCode: number;
  /** Name and value pairs; a name may repeat (`set-cookie`). */
  headers: Array<[string, string]>;
  body: Buffer;
}

/** API Gateway's own answers carry a JSON `{"message": ...}` body. */
export const gatewayAnswer = (statusCode: number, message: string): GatewayResponse => ({
  statusCode,
  headers: [['content-type', 'application/json']],
  body: Buffer.from(JSON.stringify({ message })),
});

export const NOT_FOUND = gatewayAnswer(404, 'Not Found');
/** The payload limit of HTTP APIs is 10 MB; API Gateway answers a larger body with a 413. */
export const PAYLOAD_TOO_LARGE = gatewayAnswer(413, 'Request Entity Too Large');
/** A function error, or a result API Gateway cannot read. */
export const INTERNAL_SERVER_ERROR = gatewayAnswer(500, 'Internal Server Error');
/** No answer from the integration within its timeout. */
export const SERVICE_UNAVAILABLE = gatewayAnswer(503, 'Service Unavailable');

/** Set by the gateway from the body it sends, never taken from the function. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A function's result read the way API Gateway reads it for payload format 2.0. A result with
 * `statusCode` is taken as `{statusCode, headers, cookies, body, isBase64Encoded}` (each cookie
 * becomes a `set-cookie` header); any other JSON result is the body of a 200 with
 * `content-type: application/json` (a string as itself, anything else as JSON).
 */
export const fromFunctionResult = (result: unknown): GatewayResponse => {
  if (!isRecord(result) || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return {
      statusCode: 200,
      headers: [['content-type', 'application/json']],
      body: Buffer.from(body),
    };
  }
  const { statusCode, headers = {}, cookies = [], body, isBase64Encoded } = result;
  const valid =
    Number.isInteger(statusCode) &&
    (statusCode as number) >= 100 &&
    (statusCode as number) <= 599 &&
    isRecord(headers) &&
    Object.values(headers).every((value) =>
      ['string', 'number', 'boolean'].includes(typeof value),
    ) &&
    Array.isArray(cookies) &&
    cookies.every((cookie) => typeof cookie === 'string') &&
    (body === undefined || body === null || typeof body === 'string');
  if (!valid) return INTERNAL_SERVER_ERROR;
  return {
    statusCode: statusCode as number,
    headers: [
      ...Object.entries(headers)
        .filter(([name]) => !FRAMING.has(name.toLowerCase()))
        .map(([name, value]): [string, string] => [name, String(value)]),
      ...(cookies as string[]).map((cookie): [string, string] => ['set-cookie', cookie]),
    ],
    body:
      typeof body === 'string'
        ? Buffer.from(body, isBase64Encoded === true ? 'base64' : 'utf8')
        : Buffer.alloc(0),
  };
};

/**
 * The client's answer for one invocation: the function's result, or API Gateway's 500 when the
 * function failed (thrown error, crash, Lambda's own timeout) or Lambda refused the invocation;
 * a request Lambda finds too large (above its 6 MB invocation payload) is a 413.
 */
export const fromInvocation = ({ statusCode, functionError, payload }: Invocation) => {
  if (statusCode === 413) return PAYLOAD_TOO_LARGE;
  if (statusCode !== 200 || functionError) return INTERNAL_SERVER_ERROR;
  let result: unknown;
  try {
    result = payload === '' ? null : JSON.parse(payload);
  } catch {
    return INTERNAL_SERVER_ERROR;
  }
  return fromFunctionResult(result);
};
