import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CONTROL_PREFIX, handleControl } from './control.js';
import { sendCborError } from './errors.js';
import { decodeSegment, type ParsedJson, parseJson, readBody } from './http.js';
import {
  awsJson1_1,
  type EmulatorRuntime,
  invokeOperation,
  type OperationDefinition,
  restJson1,
} from './operation.js';
import {
  APPSTREAM_OPERATIONS,
  APPSTREAM_TARGET_PREFIX,
  CBOR_PATH,
  IMAGEBUILDER_ROUTES,
  IMAGEBUILDER_TAG_ROUTES,
  IMAGEBUILDER_TAGS_PREFIX,
} from './routes.js';

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Unknown operations are logged (without fault/validation) and answered in the protocol's format. */
function rejectUnknown(
  runtime: EmulatorRuntime,
  service: 'imagebuilder' | 'appstream',
  operation: string,
  input: unknown,
  send: (errorName: string, message: string) => void,
): void {
  runtime.calls.record(service, operation, input).error = 'UnknownOperationException';
  send('UnknownOperationException', `The emulator does not implement operation '${operation}'.`);
}

/**
 * The installed @aws-sdk/client-appstream speaks awsJson1_1 (captured: `POST /` with
 * `X-Amz-Target`), so Smithy RPC v2 CBOR is recognised but answered with a CBOR error.
 */
function rejectCbor(runtime: EmulatorRuntime, operation: string, res: ServerResponse): void {
  runtime.calls.record('appstream', operation, {}).error = 'UnknownOperationException';
  sendCborError(
    res,
    'com.amazonaws.appstream#UnknownOperationException',
    'Smithy RPC v2 CBOR is not supported by this emulator; use the awsJson1_1 protocol (X-Amz-Target).',
  );
}

async function route(req: IncomingMessage, res: ServerResponse, runtime: EmulatorRuntime) {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const { pathname } = url;
  if (pathname.startsWith(CONTROL_PREFIX)) return handleControl(req, res, runtime, pathname);

  const cbor = CBOR_PATH.exec(pathname);
  if (cbor || header(req, 'smithy-protocol') === 'rpc-v2-cbor') {
    await readBody(req);
    return rejectCbor(runtime, decodeURIComponent(cbor?.[2] ?? pathname), res);
  }

  const target = header(req, 'x-amz-target');
  if (target !== undefined || (req.method === 'POST' && pathname === '/')) {
    const input = parseJson(await readBody(req));
    const name = target?.startsWith(APPSTREAM_TARGET_PREFIX)
      ? target.slice(APPSTREAM_TARGET_PREFIX.length)
      : (target ?? '');
    const operation = APPSTREAM_OPERATIONS[name];
    if (!operation || pathname !== '/' || req.method !== 'POST') {
      return rejectUnknown(
        runtime,
        'appstream',
        name,
        input.ok ? input.value : {},
        (error, message) => awsJson1_1.sendError(res, error, message),
      );
    }
    return invokeOperation(runtime, awsJson1_1, operation, input, res);
  }

  const ibRoute = imagebuilderRoute(req.method ?? 'GET', pathname);
  if (!ibRoute) {
    const body = parseJson(await readBody(req));
    return rejectUnknown(
      runtime,
      'imagebuilder',
      pathname.slice(1),
      body.ok ? body.value : {},
      (error, message) => restJson1.sendError(res, error, message),
    );
  }
  return invokeOperation(runtime, restJson1, ibRoute.operation, await ibRoute.input(req, url), res);
}

type InputReader = (req: IncomingMessage, url: URL) => Promise<ParsedJson>;

/** restJson1 input: the query string for GET and DELETE (`@httpQuery`), else the JSON body. */
const queryOrBody: InputReader = async (req, url) =>
  req.method === 'GET' || req.method === 'DELETE'
    ? { ok: true, value: Object.fromEntries(url.searchParams) }
    : parseJson(await readBody(req));

/** The Image Builder operation a method and path name, with how its input is read. */
function imagebuilderRoute(
  method: string,
  pathname: string,
): { operation: OperationDefinition; input: InputReader } | undefined {
  const route = IMAGEBUILDER_ROUTES[pathname];
  if (route) {
    return route.method === method ? { operation: route.operation, input: queryOrBody } : undefined;
  }
  const operation = IMAGEBUILDER_TAG_ROUTES[method];
  const label = pathname.startsWith(IMAGEBUILDER_TAGS_PREFIX)
    ? decodeSegment(pathname.slice(IMAGEBUILDER_TAGS_PREFIX.length))
    : undefined;
  if (!operation || !label) return undefined;
  return {
    operation,
    input: async (req, url) => {
      const body: ParsedJson =
        method === 'POST' ? parseJson(await readBody(req)) : { ok: true, value: {} };
      if (!body.ok) return body;
      const tagKeys = url.searchParams.getAll('tagKeys');
      return {
        ok: true,
        value: {
          ...(body.value as object),
          resourceArn: label,
          ...(method === 'DELETE' && tagKeys.length > 0 ? { tagKeys } : {}),
        },
      };
    },
  };
}

export function createEmulatorServer(runtime: EmulatorRuntime): Server {
  return createServer((req, res) => {
    route(req, res, runtime).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: `Emulator failure: ${(error as Error).message}` }));
    });
  });
}
