import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeServer } from '../../../../local/engines/listen.js';
import { type HttpGateway, startHttpGateway } from '../../../../local/stack/httpGateway.js';
import { readHttpApiRoutes } from '../../../../local/stack/httpRoutes.js';

/*
 * The offline stack's own pages on its HTTP API gateway: the OpenAPI document with `servers`
 * pointing at the gateway, and Swagger UI loaded only from the gateway itself. The service's
 * routes are still the function's, and none of them is one of these pages.
 */

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'image-provisioner', version: '0.1.0' },
  servers: [{ url: 'https://{apiId}.execute-api.{region}.amazonaws.com' }],
  paths: { '/image-builders': { post: { responses: { 201: { description: 'Created' } } } } },
};

let root: string;
let lambda: Server;
let invoked: string[];
let gateway: HttpGateway | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'api-reference-'));
  invoked = [];
  lambda = createServer((incoming, outgoing) => {
    invoked.push(incoming.url ?? '');
    incoming.resume();
    outgoing.end(JSON.stringify({ statusCode: 201, body: '{}' }));
  });
  await new Promise<void>((done) => lambda.listen(0, '127.0.0.1', done));
});

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  lambda.closeAllConnections();
  await closeServer(lambda);
  await rm(root, { recursive: true, force: true });
});

const start = async (): Promise<HttpGateway> => {
  gateway = await startHttpGateway({
    port: 0,
    portVariable: 'HTTP_PORT',
    routes: readHttpApiRoutes(REPO_ROOT, { service: 'image-provisioner', stage: 'local' }),
    lambdaEndpoint: `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`,
    accountId: '000000000000',
    apiId: 'a1b2c3d4e5',
    referenceRoot: root,
    onError: (error) => {
      throw error;
    },
  });
  return gateway;
};

const withDocument = async (document: unknown = DOCUMENT): Promise<void> => {
  await mkdir(join(root, 'docs'));
  await writeFile(join(root, 'docs', 'openapi.json'), JSON.stringify(document));
};

const get = async (url: string, method = 'GET') => {
  const response = await fetch(url, { method, signal: AbortSignal.timeout(5_000) });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, type: response.headers.get('content-type'), body };
};

/** Every `src` and `href` attribute value of an HTML page. */
const referencesOf = (html: string): string[] =>
  [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)].map(([, value]) => value as string);

describe('the offline stack API reference on the gateway', () => {
  it('serves the committed OpenAPI document with servers pointing at the gateway', async () => {
    // Prepare
    await withDocument();
    const { endpoint } = await start();

    // Act
    const response = await get(`${endpoint}/openapi.json`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.type).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body.toString())).toEqual({
      ...DOCUMENT,
      servers: [{ url: endpoint, description: 'The offline stack (npm start)' }],
    });
    expect(invoked).toEqual([]);
  });

  it('serves a Swagger UI page that loads only the gateway own assets and /openapi.json', async () => {
    // Prepare
    await withDocument();
    const { endpoint } = await start();

    // Act
    const page = await get(`${endpoint}/docs`);
    const html = page.body.toString();
    const references = referencesOf(html);
    const assets = await Promise.all(
      references.map(async (path) => ({ path, ...(await get(`${endpoint}${path}`)) })),
    );
    const initializer = assets.find(({ path }) => path.endsWith('/initializer.js'));

    // Assess
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(html).not.toMatch(/https?:\/\/|["']\/\//i);
    expect(references).toEqual(
      expect.arrayContaining([
        '/docs/swagger-ui.css',
        '/docs/swagger-ui-bundle.js',
        '/docs/initializer.js',
      ]),
    );
    expect(references.every((path) => path.startsWith('/docs/'))).toBe(true);
    for (const asset of assets) {
      expect(asset.status, asset.path).toBe(200);
      expect(asset.body.length, asset.path).toBeGreaterThan(0);
    }
    expect(assets.find(({ path }) => path.endsWith('.css'))?.type).toBe('text/css; charset=utf-8');
    expect(assets.find(({ path }) => path.endsWith('bundle.js'))?.type).toBe(
      'text/javascript; charset=utf-8',
    );
    // The viewer reads the stack's document and asks no online validator about it.
    expect(initializer?.body.toString()).toContain("url: '/openapi.json'");
    expect(initializer?.body.toString()).toContain('validatorUrl: null');
    expect(initializer?.body.toString()).not.toMatch(/https?:\/\//);
    expect((await get(`${endpoint}/docs/`)).body.toString()).toBe(html);
    expect(invoked).toEqual([]);
  });

  it('answers 500 naming the document when docs/openapi.json cannot be read', async () => {
    // Prepare
    const { endpoint } = await start();

    // Act
    const response = await get(`${endpoint}/openapi.json`);

    // Assess
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body.toString()).message).toMatch(
      /^cannot read docs\/openapi\.json/,
    );
  });

  it('serves nothing else of the viewer package, and only to GET', async () => {
    // Prepare
    await withDocument();
    const { endpoint } = await start();

    // Act
    const answers = await Promise.all([
      get(`${endpoint}/docs/index.html`),
      get(`${endpoint}/docs/package.json`),
      get(`${endpoint}/docs/..%2Fpackage.json`),
      get(`${endpoint}/docs/swagger-initializer.js`),
      get(`${endpoint}/docs`, 'POST'),
      get(`${endpoint}/openapi.json`, 'DELETE'),
    ]);

    // Assess: API Gateway's own 404 for a method and path no route matches.
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body.toString())).toEqual({ message: 'Not Found' });
    }
    expect(invoked).toEqual([]);
  });

  it('leaves the service routes to the function; none of them is one of these pages', async () => {
    // Prepare
    await withDocument();
    const { endpoint } = await start();
    const routeKeys = readHttpApiRoutes(REPO_ROOT, {
      service: 'image-provisioner',
      stage: 'local',
    }).map(({ routeKey }) => routeKey);

    // Act
    const created = await get(`${endpoint}/image-builders`, 'POST');

    // Assess
    expect(created.status).toBe(201);
    expect(invoked).toEqual(['/2015-03-31/functions/image-provisioner-local-http/invocations']);
    expect(routeKeys.length).toBeGreaterThan(0);
    expect(routeKeys.filter((key) => /\/docs|\/openapi\.json/.test(key))).toEqual([]);
  });
});
