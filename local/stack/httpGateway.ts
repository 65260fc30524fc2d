import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback } from '../engines/listen.js';
import { newRequestId, type ReceivedRequest, toApiGatewayEvent } from './apiGatewayEvent.js';
import {
  fromInvocation,
  type GatewayResponse,
  INTERNAL_SERVER_ERROR,
  NOT_FOUND,
  PAYLOAD_TOO_LARGE,
  SERVICE_UNAVAILABLE,
} from './apiGatewayResponse.js';
import { type ApiReference, apiReference } from './apiReference.js';
import { concurrencyLimit } from './concurrencyLimit.js';
import { createRouter, type HttpApiRoute } from './httpRoutes.js';
import { invokeLambda } from './lambdaInvoke.js';

/** HTTP API quotas: payload size 10 MB. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** The integration timeout the service's HTTP API is deployed with (and the maximum): 30 s. */
export const INTEGRATION_TIMEOUT_MS = 30_000;

export interface HttpGatewayOptions {
  /** 0 picks a free port. */
  port: number;
  /** Named in the error when the port is taken. */
  portVariable: string;
  routes: readonly HttpApiRoute[];
  /** Lambda's Invoke API (serverless-offline's), where the routes' functions run. */
  lambdaEndpoint: string;
  accountId: string;
  apiId: string;
  integrationTimeoutMs?: number;
  maxPayloadBytes?: number;
  /**
   * Invocations of one function running at once; the others wait for a free instance, within
   * the integration timeout. In AWS every instance has CPU of its own; on one machine, dozens
   * of instances starting at once share a few cores, and their cold starts outlast the
   * function's timeout. Unset: no limit.
   */
  maxConcurrentInvocations?: number;
  /**
   * The repository whose `docs/openapi.json` the gateway serves, with its browsable reference
   * (local/stack/apiReference.ts): the offline stack's own pages, none of the service's routes.
   * Unset: only the routes are served.
   */
  referenceRoot?: string;
  /** A failure of the gateway itself (the client got a 500). */
  onError(error: unknown): void;
}

export interface HttpGateway {
  endpoint: string;
  close(): Promise<void>;
}

type Body = { kind: 'body'; body: Buffer | undefined } | { kind: 'too large' };

/**
 * Reads the body, up to `limit` bytes. A larger one is known as soon as it passes the limit (or
 * from its content-length): the answer goes out then, and the rest is read and dropped so the
 * client can take it.
 */
const readBody = (incoming: IncomingMessage, limit: number): Promise<Body> =>
  new Promise((resolve, reject) => {
    if (Number(incoming.headers['content-length'] ?? 0) > limit) {
      incoming.resume();
      resolve({ kind: 'too large' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        chunks.length = 0;
        resolve({ kind: 'too large' });
      }
    });
    // After a 'too large' answer, this resolve is a no-op.
    incoming.once('end', () =>
      resolve({ kind: 'body', body: size > 0 ? Buffer.concat(chunks) : undefined }),
    );
    incoming.once('error', reject);
  });

const send = (outgoing: ServerResponse, response: GatewayResponse, requestId: string): void => {
  const { statusCode } = response;
  const bodyless = statusCode < 200 || statusCode === 204 || statusCode === 304;
  const body = bodyless ? Buffer.alloc(0) : response.body;
  const headers = [
    ...response.headers,
    ['apigw-requestid', requestId],
    ...(bodyless ? [] : [['content-length', String(body.length)]]),
  ].flat();
  outgoing.writeHead(statusCode, headers);
  outgoing.end(body);
};

const isTimeout = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

/**
 * The service's HTTP API as API Gateway runs it, on loopback: routes from the service's own
 * definition, payload-2.0 events, the route's function invoked through Lambda's Invoke API, and
 * the function's result mapped back to HTTP. Unknown routes answer 404 `{"message":"Not Found"}`,
 * bodies above 10 MB 413, a function error 500 `{"message":"Internal Server Error"}`, an
 * integration that does not answer within 30 s 503 `{"message":"Service Unavailable"}`.
 * With `referenceRoot`, `GET /openapi.json` and `GET /docs` (and the viewer's files under it) are
 * the offline stack's own pages, answered before any route is matched.
 */
export const startHttpGateway = async (options: HttpGatewayOptions): Promise<HttpGateway> => {
  const route = createRouter(options.routes);
  const integrationTimeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
  const maxPayloadBytes = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  const limits = new Map<string, ReturnType<typeof concurrencyLimit>>();
  /** Known once the gateway listens: the document it serves names the gateway's address. */
  let reference: ApiReference | undefined;
  /** One limit per function: instances are per function. */
  const limitOf = (functionName: string) => {
    let limit = limits.get(functionName);
    if (!limit) {
      limit = concurrencyLimit(options.maxConcurrentInvocations ?? Number.MAX_SAFE_INTEGER);
      limits.set(functionName, limit);
    }
    return limit;
  };

  const answer = async (incoming: IncomingMessage, requestId: string): Promise<GatewayResponse> => {
    const receivedAt = new Date();
    const read = await readBody(incoming, maxPayloadBytes);
    if (read.kind === 'too large') return PAYLOAD_TOO_LARGE;
    const url = incoming.url ?? '/';
    const method = incoming.method ?? 'GET';
    const path = url.split('?')[0] as string;
    const page = await reference?.answer(method, path);
    if (page) return page;
    const match = url.startsWith('/') ? route(method, path) : undefined;
    if (!match) return NOT_FOUND;
    const request: ReceivedRequest = {
      method,
      url,
      httpVersion: incoming.httpVersion,
      rawHeaders: incoming.rawHeaders,
      sourceIp: (incoming.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      port: incoming.socket.localPort ?? 0,
      body: read.body,
      receivedAt,
    };
    const event = toApiGatewayEvent(request, match, {
      accountId: options.accountId,
      apiId: options.apiId,
      requestId,
    });
    try {
      const signal = AbortSignal.timeout(integrationTimeoutMs);
      const { functionName } = match.route;
      const invocation = await limitOf(functionName).run(
        () => invokeLambda(options.lambdaEndpoint, functionName, event, signal),
        signal,
      );
      return fromInvocation(invocation);
    } catch (error) {
      if (isTimeout(error)) return SERVICE_UNAVAILABLE;
      options.onError(error);
      return INTERNAL_SERVER_ERROR;
    }
  };

  const server = createServer((incoming, outgoing) => {
    const requestId = newRequestId();
    answer(incoming, requestId)
      .catch((error: unknown) => {
        options.onError(error);
        return INTERNAL_SERVER_ERROR;
      })
      .then((response) => {
        try {
          send(outgoing, response, requestId);
        } catch (error) {
          // A header the function set that HTTP cannot carry.
          options.onError(error);
          if (!outgoing.headersSent) send(outgoing, INTERNAL_SERVER_ERROR, requestId);
        }
      })
      .catch((error: unknown) => {
        options.onError(error);
        outgoing.destroy();
      });
  });
  const port = await listenOnLoopback(server, options.port, options.portVariable);
  const endpoint = `http://127.0.0.1:${port}`;
  if (options.referenceRoot !== undefined) {
    reference = apiReference(options.referenceRoot, endpoint);
  }
  return { endpoint, close: () => closeServer(server) };
};
