import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFault } from './faults.js';
import { parseJson, readBody, sendJson, sendNoContent } from './http.js';
import type { EmulatorRuntime } from './operation.js';

export const CONTROL_PREFIX = '/_emulator/';

/**
 * Control API (plain JSON, never recorded in the call log):
 * GET /_emulator/health · GET|DELETE /_emulator/calls · GET|POST|DELETE /_emulator/faults ·
 * DELETE /_emulator/state (resources and clientTokens only; calls and faults are kept).
 */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  runtime: EmulatorRuntime,
  pathname: string,
): Promise<void> {
  const route = `${req.method ?? 'GET'} ${pathname.slice(CONTROL_PREFIX.length)}`;
  switch (route) {
    case 'GET health':
      return sendJson(res, 200, { status: 'ok' });
    case 'GET calls':
      return sendJson(res, 200, { calls: runtime.calls.list() });
    case 'DELETE calls':
      runtime.calls.clear();
      return sendNoContent(res);
    case 'GET faults':
      return sendJson(res, 200, { faults: runtime.faults.list() });
    case 'POST faults': {
      const parsed = parseJson(await readBody(req));
      if (!parsed.ok) return sendJson(res, 400, { error: parsed.message });
      const fault = parseFault(parsed.value);
      if (typeof fault === 'string') return sendJson(res, 400, { error: fault });
      runtime.faults.add(fault);
      return sendJson(res, 201, fault);
    }
    case 'DELETE faults':
      runtime.faults.clear();
      return sendNoContent(res);
    case 'DELETE state':
      runtime.context.store.reset();
      return sendNoContent(res);
    default:
      return sendJson(res, 404, { error: `No control route ${req.method} ${pathname}` });
  }
}
