import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import {
  isSqsAction,
  type QueryError,
  queryErrorFromJson,
  queryErrorXml,
  queryResponseXml,
  translateQueryRequest,
} from './sqsQuery.js';

/** The messaging engine behind the front. */
export interface MessagingEngine {
  /** Hands a request over as it came (streamed, untouched). */
  handle(request: IncomingMessage, response: ServerResponse): void;
  /** Calls the engine in-process and returns its answer. */
  call(request: EngineRequest): Promise<EngineAnswer>;
}

export interface EngineRequest {
  /** Only form-encoded posts and JSON calls are handed over this way. */
  method: 'POST';
  url: string;
  headers: Record<string, string | string[]>;
  payload: string | Buffer;
}

export interface EngineAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/** Larger than any SQS request can be (a 1 MiB message, form-encoded). */
const MAX_BODY_BYTES = 11 * 1024 * 1024;

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/** The service a SigV4 `Authorization` header is scoped to (`Credential=AKID/date/region/sqs/aws4_request`). */
export const signedForService = (authorization: string | undefined): string | undefined =>
  /Credential=[^,\s]*?\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '')?.[1];

/**
 * How the front treats a request, from what is known before its body is read:
 * - `engine`: the engine's own business (SQS's JSON protocol, SNS, STS, S3, the engine's pages);
 * - `query`: an SQS Query request;
 * - `body`: form-encoded and unsigned: its `Action` decides.
 */
export const classifyRequest = (
  method: string | undefined,
  url: URL,
  headers: IncomingMessage['headers'],
): 'engine' | 'query' | 'body' => {
  const contentType = String(headers['content-type'] ?? '').toLowerCase();
  const service = signedForService(headers.authorization);
  if (service !== undefined && service !== 'sqs') return 'engine';
  const form = method === 'POST' && contentType.startsWith(FORM_CONTENT_TYPE);
  if (form) return service === 'sqs' || url.pathname !== '/' ? 'query' : 'body';
  // The Query protocol also takes its parameters in the URL of a GET.
  const action = url.searchParams.get('Action');
  if ((method === 'GET' || method === 'POST') && action !== null) {
    return service === 'sqs' || isSqsAction(action) ? 'query' : 'engine';
  }
  return 'engine';
};

class BodyTooLarge extends Error {}

/** The whole body; one larger than SQS could take is read to its end and refused. */
const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new BodyTooLarge());
      else resolve(Buffer.concat(chunks));
    });
    request.on('error', reject);
  });

const send = (
  response: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  body: string | Buffer,
): void => {
  if (response.destroyed || response.headersSent) return;
  const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(status, { ...headers, 'content-length': payload.length });
  response.end(payload);
};

const sendXml = (response: ServerResponse, status: number, xml: string, requestId: string) =>
  send(response, status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, xml);

const sendError = (response: ServerResponse, error: QueryError) => {
  const requestId = randomUUID();
  sendXml(response, error.status, queryErrorXml(error, requestId), requestId);
};

/** Headers that belong to one connection, not to the answer. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

const withoutHopByHop = <T>(headers: Record<string, T | undefined>): Record<string, T> => {
  const kept: Record<string, T> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
};

const parseJson = (body: Buffer): unknown => {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
};

/**
 * The SQS endpoint for both of SQS's protocols in front of an engine that speaks only JSON:
 * JSON requests (`X-Amz-Target: AmazonSQS.*`, `application/x-amz-json-1.0`) and everything else
 * the engine serves (SNS's Query API, STS) go to it untouched; SQS Query requests (form-encoded
 * `Action=SendMessage&Version=2012-11-05&...`, or the same parameters in a GET's URL, posted to the
 * endpoint or to the queue URL) become the JSON call, and its answer the Query XML answer.
 */
export const sqsQueryFront =
  (engine: MessagingEngine) =>
  (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const kind = classifyRequest(request.method, url, request.headers);
    if (kind === 'engine') {
      engine.handle(request, response);
      return;
    }
    answer(engine, request, response, url, kind).catch((error: unknown) => {
      if (error instanceof BodyTooLarge) {
        sendError(response, {
          code: 'RequestEntityTooLarge',
          message: `The request is larger than ${MAX_BODY_BYTES} bytes.`,
          status: 413,
        });
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      sendError(response, { code: 'InternalFailure', message, status: 500 });
    });
  };

const answer = async (
  engine: MessagingEngine,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  kind: 'query' | 'body',
): Promise<void> => {
  const body = request.method === 'POST' ? await readBody(request) : Buffer.alloc(0);
  const params = new URLSearchParams(url.search);
  const form = String(request.headers['content-type'] ?? '')
    .toLowerCase()
    .startsWith(FORM_CONTENT_TYPE);
  if (form) {
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) params.set(name, value);
  }
  if (kind === 'body' && !isSqsAction(params.get('Action'))) {
    // Unsigned form-encoded requests for SNS or STS: the engine's, with the body already read.
    const answered = await engine.call({
      method: 'POST',
      url: request.url ?? '/',
      headers: withoutHopByHop(request.headers),
      payload: body,
    });
    send(response, answered.status, withoutHopByHop(answered.headers), answered.body);
    return;
  }

  const host = request.headers.host ?? 'localhost';
  const queueUrlFromPath = url.pathname === '/' ? undefined : `http://${host}${url.pathname}`;
  const translation = translateQueryRequest(params, queueUrlFromPath);
  if (translation.kind === 'error') {
    sendError(response, translation.error);
    return;
  }
  const headers: Record<string, string> = {
    host,
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': translation.target,
  };
  // The engine reads the region from the signature's scope, as SQS does.
  if (request.headers.authorization) headers.authorization = request.headers.authorization;
  const answered = await engine.call({
    method: 'POST',
    url: '/',
    headers,
    payload: JSON.stringify(translation.body),
  });
  const requestId = randomUUID();
  const json = parseJson(answered.body);
  if (answered.status >= 200 && answered.status < 300) {
    sendXml(response, 200, queryResponseXml(translation.action, json, requestId), requestId);
    return;
  }
  const error = queryErrorFromJson(answered.status, json);
  sendXml(response, error.status, queryErrorXml(error, requestId), requestId);
};
