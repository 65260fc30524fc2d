import type { IncomingMessage, ServerResponse } from 'node:http';
import { IMAGE_BUILDER_NAME_PATTERN } from './appstreamShapes.js';
import { type FateRecord, parseBuilderFate, renderFate } from './builderFates.js';
import { parseFault } from './faults.js';
import { parseJson, readBody, sendJson, sendNoContent } from './http.js';
import { parseHideRequest } from './iamVisibility.js';
import type { EmulatorRuntime } from './operation.js';

export const CONTROL_PREFIX = '/_emulator/';
const BUILDER_PREFIX = 'image-builders/';

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  runtime: EmulatorRuntime,
) => void | Promise<void>;

/** Reads a JSON body and checks it with `parse`; answers 400 with the problem, else calls `use`. */
async function withBody<T extends object>(
  req: IncomingMessage,
  res: ServerResponse,
  parse: (body: unknown) => T | string,
  use: (value: T) => void,
): Promise<void> {
  const parsed = parseJson(await readBody(req));
  if (!parsed.ok) return sendJson(res, 400, { error: parsed.message });
  const value = parse(parsed.value);
  if (typeof value === 'string') return sendJson(res, 400, { error: value });
  use(value);
}

const nowMs = (runtime: EmulatorRuntime): number => runtime.context.now().getTime();

const cleared =
  (clear: (runtime: EmulatorRuntime) => void): Handler =>
  (_req, res, runtime) => {
    clear(runtime);
    sendNoContent(res);
  };

/** Exact routes, keyed by `<METHOD> <path after /_emulator/>`. */
const ROUTES: Readonly<Record<string, Handler>> = {
  'GET health': (_req, res) => sendJson(res, 200, { status: 'ok' }),
  'GET calls': (_req, res, runtime) => sendJson(res, 200, { calls: runtime.calls.list() }),
  'DELETE calls': cleared((runtime) => runtime.calls.clear()),
  'GET faults': (_req, res, runtime) => sendJson(res, 200, { faults: runtime.faults.list() }),
  'POST faults': (req, res, runtime) =>
    withBody(req, res, parseFault, (fault) => {
      runtime.faults.add(fault);
      sendJson(res, 201, fault);
    }),
  'DELETE faults': cleared((runtime) => runtime.faults.clear()),
  'DELETE state': cleared((runtime) => runtime.context.store.reset()),
  'GET image-builders': (_req, res, runtime) =>
    sendJson(res, 200, {
      fates: [...runtime.context.store.builderFates.values()].map(renderFate),
    }),
  'DELETE image-builders': cleared((runtime) => runtime.context.store.builderFates.clear()),
  'POST iam/invisible': (req, res, runtime) =>
    withBody(req, res, parseHideRequest, (request) =>
      sendJson(res, 201, runtime.context.iam.hide(request, nowMs(runtime))),
    ),
  'GET iam/invisible': (_req, res, runtime) =>
    sendJson(res, 200, { invisible: runtime.context.iam.list(nowMs(runtime)) }),
  'DELETE iam/invisible': cleared((runtime) => runtime.context.iam.clear()),
};

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** `PUT` sets the fate of the image builder named by the path, `DELETE` removes it (204). */
async function handleBuilderFate(
  req: IncomingMessage,
  res: ServerResponse,
  runtime: EmulatorRuntime,
  segment: string,
): Promise<void> {
  const name = decodeSegment(segment);
  if (name === undefined || !IMAGE_BUILDER_NAME_PATTERN.test(name)) {
    return sendJson(res, 400, {
      error: `'${name ?? segment}' is not an image builder name (${IMAGE_BUILDER_NAME_PATTERN.source})`,
    });
  }
  const fates = runtime.context.store.builderFates;
  if (req.method === 'DELETE') return cleared(() => fates.delete(name))(req, res, runtime);
  if (req.method !== 'PUT') {
    return sendJson(res, 404, {
      error: `No control route ${req.method} ${CONTROL_PREFIX}${BUILDER_PREFIX}{name}`,
    });
  }
  await withBody(req, res, parseBuilderFate, (fate) => {
    const record: FateRecord = { name, fate, setAtMs: nowMs(runtime) };
    fates.set(name, record);
    sendJson(res, 200, renderFate(record));
  });
}

/**
 * Control API (plain JSON, never recorded in the call log): health, calls, faults, state,
 * image builder fates and hidden IAM identities; local/emulator/README.md lists the routes.
 */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  runtime: EmulatorRuntime,
  pathname: string,
): Promise<void> {
  const path = pathname.slice(CONTROL_PREFIX.length);
  if (path.startsWith(BUILDER_PREFIX) && path.length > BUILDER_PREFIX.length) {
    return handleBuilderFate(req, res, runtime, path.slice(BUILDER_PREFIX.length));
  }
  const handler = ROUTES[`${req.method ?? 'GET'} ${path}`];
  if (!handler) return sendJson(res, 404, { error: `No control route ${req.method} ${pathname}` });
  return handler(req, res, runtime);
}
