import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RouteMatch } from './httpRoutes.js';

/** One HTTP request as it reached the gateway. */
export interface ReceivedRequest {
  method: string;
  /** The request target as sent: percent-encoded path and query. */
  url: string;
  httpVersion: string;
  /** Names and values as sent, alternating (Node's `rawHeaders`). */
  rawHeaders: readonly string[];
  sourceIp: string;
  /** The gateway's port the request arrived on (`x-forwarded-port`). */
  port: number;
  /** Undefined when the request has no body. */
  body: Buffer | undefined;
  receivedAt: Date;
}

export interface ApiContext {
  accountId: string;
  apiId: string;
  requestId: string;
}

/** Not forwarded to the integration: they describe the client's connection, not the request. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The request body travels as text only for these media types; anything else, and a body
 * without a content type, is base64-encoded with `isBase64Encoded: true`.
 */
const isTextMediaType = (contentType: string | undefined): boolean => {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    mediaType.startsWith('text/') ||
    ['application/json', 'application/xml', 'application/javascript'].includes(mediaType)
  );
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (value: number) => String(value).padStart(2, '0');

/** `21/Nov/2026:16:00:02 +0000`, the format of `requestContext.time`. */
export const requestTime = (at: Date): string =>
  `${pad(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:` +
  `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`;

/** A request id shaped like API Gateway's (`Qx1AjkLMoAMEdey=`), unique per request. */
export const newRequestId = (): string => randomBytes(11).toString('base64');

const traceId = (at: Date): string =>
  `Root=1-${Math.floor(at.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;

const decodeOr = (raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
};

/** A map for names a client chose (`__proto__` and `constructor` included). */
const namesMap = (): Record<string, string> => Object.create(null) as Record<string, string>;

/** Query string parameters, decoded, repeated names joined with commas. */
const queryParameters = (rawQueryString: string): Record<string, string> | undefined => {
  const parameters = namesMap();
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const name = decodeOr(separator === -1 ? pair : pair.slice(0, separator));
    const value = separator === -1 ? '' : decodeOr(pair.slice(separator + 1));
    parameters[name] = name in parameters ? `${parameters[name]},${value}` : value;
  }
  return Object.keys(parameters).length > 0 ? parameters : undefined;
};

/**
 * The Lambda event API Gateway builds for an HTTP API route with payload format 2.0: header
 * names lower-cased and repeated headers joined with commas, the `Cookie` header moved to
 * `cookies`, the `x-forwarded-*` and `x-amzn-trace-id` headers API Gateway adds, decoded query
 * and path parameters, and a body only when the request has one. No authorizer block: the local
 * routes are open.
 */
export const toApiGatewayEvent = (
  request: ReceivedRequest,
  match: RouteMatch,
  { accountId, apiId, requestId }: ApiContext,
): APIGatewayProxyEventV2 => {
  const queryAt = request.url.indexOf('?');
  const rawPath = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const rawQueryString = queryAt === -1 ? '' : request.url.slice(queryAt + 1);

  const headers = namesMap();
  const cookies: string[] = [];
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = (request.rawHeaders[index] as string).toLowerCase();
    const value = request.rawHeaders[index + 1] as string;
    if (HOP_BY_HOP.has(name)) continue;
    if (name === 'cookie') {
      cookies.push(...value.split(';').flatMap((cookie) => cookie.trim() || []));
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${request.sourceIp}`
    : request.sourceIp;
  headers['x-forwarded-port'] = String(request.port);
  headers['x-forwarded-proto'] = 'http';
  headers['x-amzn-trace-id'] ??= traceId(request.receivedAt);

  const domainName = (headers.host ?? '').replace(/:\d+$/, '');
  const query = queryParameters(rawQueryString);
  const { body } = request;
  const asText = isTextMediaType(headers['content-type']);
  return {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId,
      apiId,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? '',
      http: {
        method: request.method,
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: match.route.routeKey,
      stage: '$default',
      time: requestTime(request.receivedAt),
      timeEpoch: request.receivedAt.getTime(),
    },
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    ...(body ? { body: asText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body !== undefined && !asText,
  };
};
