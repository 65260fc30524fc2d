import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { GatewayResponse } from './apiGatewayResponse.js';

/*
 * The offline stack's own pages, next to the service's HTTP API on the stack's gateway: the
 * committed OpenAPI document (`GET /openapi.json`, its `servers` pointing at this stack) and a
 * browsable reference of it (`GET /docs`), Swagger UI served from the `swagger-ui-dist` dev
 * dependency, so nothing is fetched from elsewhere. These routes are not the service's: they are
 * not in serverless.yml and never exist in AWS.
 */

/** Where the reference's page is served. */
export const REFERENCE_PATH = '/docs';
/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = '/openapi.json';
/** The committed OpenAPI document, relative to the repository root. */
export const OPENAPI_FILE = join('docs', 'openapi.json');

const UTF8 = '; charset=utf-8';

/** Swagger UI's files the page loads, by the name served under `/docs/`. */
const VIEWER_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': `text/css${UTF8}`,
  'swagger-ui-bundle.js': `text/javascript${UTF8}`,
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** Starts the viewer on the stack's own document. */
const INITIALIZER = `window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '${OPENAPI_PATH}',
    dom_id: '#swagger-ui',
    validatorUrl: null,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>image-provisioner HTTP API (offline stack)</title>
    <link rel="stylesheet" href="${REFERENCE_PATH}/swagger-ui.css">
    <link rel="icon" type="image/png" href="${REFERENCE_PATH}/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="${REFERENCE_PATH}/favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${REFERENCE_PATH}/swagger-ui-bundle.js"></script>
    <script src="${REFERENCE_PATH}/initializer.js"></script>
  </body>
</html>
`;

const text = (statusCode: number, contentType: string, body: string | Buffer): GatewayResponse => ({
  statusCode,
  headers: [
    ['content-type', contentType],
    ['cache-control', 'no-cache'],
  ],
  body: typeof body === 'string' ? Buffer.from(body) : body,
});

/** The folder of the installed `swagger-ui-dist`. */
const viewerFolder = (): string =>
  dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

export interface ApiReference {
  /**
   * The answer to a request for one of the reference's paths, `undefined` for any other request
   * (the service's routes decide those).
   */
  answer(method: string, path: string): Promise<GatewayResponse | undefined>;
}

/**
 * The reference served at `endpoint` (the gateway's address) from the repository at `root`. The
 * document is read at each request, so a regenerated one shows without a restart; a missing or
 * unreadable one is a 500 that says so.
 */
export const apiReference = (root: string, endpoint: string): ApiReference => {
  const assets = viewerFolder();
  /** Swagger UI's files, read once each: the installed package does not change under the stack. */
  const assetBytes = new Map<string, Buffer>();
  const asset = async (name: string): Promise<Buffer> => {
    const cached = assetBytes.get(name);
    if (cached) return cached;
    const bytes = await readFile(join(assets, name));
    assetBytes.set(name, bytes);
    return bytes;
  };
  const openapi = async (): Promise<GatewayResponse> => {
    let document: Record<string, unknown>;
    try {
      document = JSON.parse(await readFile(join(root, OPENAPI_FILE), 'utf8')) as Record<
        string,
        unknown
      >;
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return text(
        500,
        `application/json${UTF8}`,
        JSON.stringify({ message: `cannot read ${OPENAPI_FILE}: ${detail}` }),
      );
    }
    const served = {
      ...document,
      servers: [{ url: endpoint, description: 'The offline stack (npm start)' }],
    };
    return text(200, `application/json${UTF8}`, JSON.stringify(served, null, 2));
  };
  return {
    answer: async (method, path) => {
      if (method !== 'GET') return undefined;
      if (path === OPENAPI_PATH) return openapi();
      if (path === REFERENCE_PATH || path === `${REFERENCE_PATH}/`) {
        return text(200, `text/html${UTF8}`, PAGE);
      }
      if (path === `${REFERENCE_PATH}/initializer.js`) {
        return text(200, `text/javascript${UTF8}`, INITIALIZER);
      }
      const name = path.startsWith(`${REFERENCE_PATH}/`)
        ? path.slice(REFERENCE_PATH.length + 1)
        : '';
      const contentType = VIEWER_ASSETS[name];
      if (!contentType) return undefined;
      return text(200, contentType, await asset(name));
    },
  };
};
