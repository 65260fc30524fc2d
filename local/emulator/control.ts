import type { IncomingMessage, ServerResponse } from 'node:http';
import { IMAGE_BUILDER_NAME_PATTERN } from './appstreamShapes.js';
import { type FateRecord, parseBuilderFate, renderFate } from './builderFates.js';
import type { CallAccess } from './callLog.js';
import { parseFault } from './faults.js';
import { decodeSegment, parseJson, readBody, sendJson, sendNoContent } from './http.js';
import { parseHideRequest } from './iamVisibility.js';
import { imagebuilderArn } from './imagebuilder.js';
import type { EmulatorRuntime } from './operation.js';
import { isPipelineName, parsePipelineUses } from './pipelines.js';

export const CONTROL_PREFIX = '/_emulator/';

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
  'GET calls': (req, res, runtime) => {
    const access = new URL(req.url ?? '/', 'http://emulator').searchParams.get('access');
    if (access !== null && access !== 'read' && access !== 'write') {
      return sendJson(res, 400, { error: "'access' must be 'read' or 'write'" });
    }
    sendJson(res, 200, { calls: runtime.calls.list((access ?? undefined) as CallAccess) });
  },
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
  'GET pipelines': (_req, res, runtime) =>
    sendJson(res, 200, { pipelines: [...runtime.context.store.pipelines.values()] }),
  'DELETE pipelines': cleared((runtime) => runtime.context.store.pipelines.clear()),
};

/** A control resource addressed by name: `PUT <prefix><name>` sets it, `DELETE` forgets it. */
interface NamedRoute {
  /** The name's rule, as the 400 answer states it; undefined when the name follows it. */
  check(name: string): string | undefined;
  put(
    req: IncomingMessage,
    res: ServerResponse,
    runtime: EmulatorRuntime,
    name: string,
  ): Promise<void>;
  forget(runtime: EmulatorRuntime, name: string): void;
}

const NAMED_ROUTES: Readonly<Record<string, NamedRoute>> = {
  'image-builders/': {
    check: (name) =>
      IMAGE_BUILDER_NAME_PATTERN.test(name)
        ? undefined
        : `an image builder name (${IMAGE_BUILDER_NAME_PATTERN.source})`,
    put: (req, res, runtime, name) =>
      withBody(req, res, parseBuilderFate, (behaviour) => {
        const record: FateRecord = { name, ...behaviour, setAtMs: nowMs(runtime) };
        runtime.context.store.builderFates.set(name, record);
        sendJson(res, 200, renderFate(record));
      }),
    forget: (runtime, name) => runtime.context.store.builderFates.delete(name),
  },
  'pipelines/': {
    check: (name) => (isPipelineName(name) ? undefined : 'an Image Builder resource name'),
    put: (req, res, runtime, name) =>
      withBody(req, res, parsePipelineUses, (uses) => {
        const arn = imagebuilderArn(runtime.context, 'image-pipeline', name);
        const pipeline = { name, arn, ...uses };
        runtime.context.store.pipelines.set(name, pipeline);
        sendJson(res, 200, pipeline);
      }),
    forget: (runtime, name) => runtime.context.store.pipelines.delete(name),
  },
};

async function handleNamed(
  req: IncomingMessage,
  res: ServerResponse,
  runtime: EmulatorRuntime,
  prefix: string,
  segment: string,
): Promise<void> {
  const route = NAMED_ROUTES[prefix];
  if (!route) return;
  const name = decodeSegment(segment);
  const rule = name === undefined ? 'URL-encoded' : route.check(name);
  if (name === undefined || rule !== undefined) {
    return sendJson(res, 400, { error: `'${name ?? segment}' is not ${rule}` });
  }
  if (req.method === 'DELETE') {
    route.forget(runtime, name);
    return sendNoContent(res);
  }
  if (req.method !== 'PUT') {
    return sendJson(res, 404, {
      error: `No control route ${req.method} ${CONTROL_PREFIX}${prefix}{name}`,
    });
  }
  await route.put(req, res, runtime, name);
}

/**
 * Control API (plain JSON, never recorded in the call log): health, calls, faults, state,
 * image builder fates, stand-in image pipelines and hidden IAM identities; local/emulator/README.md lists the routes.
 */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  runtime: EmulatorRuntime,
  pathname: string,
): Promise<void> {
  const path = pathname.slice(CONTROL_PREFIX.length);
  const prefix = Object.keys(NAMED_ROUTES).find(
    (candidate) => path.startsWith(candidate) && path.length > candidate.length,
  );
  if (prefix) return handleNamed(req, res, runtime, prefix, path.slice(prefix.length));
  const handler = ROUTES[`${req.method ?? 'GET'} ${path}`];
  if (!handler) return sendJson(res, 404, { error: `No control route ${req.method} ${pathname}` });
  return handler(req, res, runtime);
}
