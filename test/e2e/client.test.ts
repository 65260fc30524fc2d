import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { unique } from './support/api.js';
import { generatedClient } from './support/client.js';
import { CLIENT_TYPES_FILE, generateClientTypes, OPENAPI_DOCUMENT } from './support/clientTypes.js';
import type { paths } from './support/openapi.js';
import { useStack } from './support/session.js';
import type { RunningStack } from './support/stack.js';

/*
 * The published HTTP API document used as a portal would use it: a client generated from
 * docs/openapi.json (openapi-typescript types, committed and kept in step with the document, and
 * openapi-fetch) creates and reads an infrastructure configuration on the offline stack; and the
 * stack serves the document and its browsable reference, and names them when it is ready.
 */

type CreateRequest =
  paths['/infrastructure-configurations']['post']['requestBody']['content']['application/json'];

// The generated types hold the request as the document does: checked by the type checker
// (`npm run typecheck`, part of `npm test`), which fails on a wrong member or type; nothing here
// runs as a test.
expectTypeOf<CreateRequest>().toHaveProperty('instanceTypes').toEqualTypeOf<string[] | undefined>();
expectTypeOf<CreateRequest>().not.toHaveProperty('instanceType');
expectTypeOf<CreateRequest['name']>().toEqualTypeOf<string>();

const session = useStack({});
let stack: RunningStack;

beforeAll(() => {
  stack = session.stack;
});

describe('the client types generated from docs/openapi.json', () => {
  it('are committed as openapi-typescript generates them from the committed document', async () => {
    // Act
    const generated = await generateClientTypes();

    // Assess
    expect(
      readFileSync(CLIENT_TYPES_FILE, 'utf8') === generated,
      'test/e2e/support/openapi.ts is stale: node --import tsx test/e2e/support/clientTypes.ts',
    ).toBe(true);
  });
});

describe('a client generated from docs/openapi.json', () => {
  it('creates an infrastructure configuration on the offline stack, then reads it', async () => {
    // Prepare
    const client = generatedClient(stack.info.httpApi);
    const name = unique('generated-client');
    const token = unique('client-token');

    // Act
    const created = await client.POST('/infrastructure-configurations', {
      params: { header: { 'Idempotency-Key': token, 'X-Correlation-Id': `${name}-ticket` } },
      body: {
        name,
        instanceProfileName: 'ImageBuilderInstanceProfile',
        instanceTypes: ['m7i.large'],
        instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
        tags: { team: 'platform' },
      },
    });
    const arn = created.data?.infrastructureConfigurationArn ?? '';
    const read = await client.GET('/infrastructure-configurations/{arn}', {
      params: { path: { arn } },
    });

    // Assess
    expect(created.error).toBeUndefined();
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ clientToken: token });
    expect(arn).toMatch(/^arn:aws:imagebuilder:[a-z0-9-]+:\d{12}:infrastructure-configuration\//);
    expect(created.response.headers.get('location')).toBe(
      `/infrastructure-configurations/${encodeURIComponent(arn)}`,
    );
    expect(created.response.headers.get('idempotency-key')).toBe(token);
    expect(read.error).toBeUndefined();
    expect(read.response.status).toBe(200);
    expect(read.data?.infrastructureConfiguration).toMatchObject({ arn, name });
  });

  it('gets the documented problem for a request the service refuses', async () => {
    // Prepare
    const client = generatedClient(stack.info.httpApi);

    // Act
    const refused = await client.GET('/requests/{clientToken}', {
      params: {
        path: { clientToken: unique('unknown') },
        query: { operation: 'CreateImageBuilder' },
      },
    });

    // Assess
    expect(refused.data).toBeUndefined();
    expect(refused.response.status).toBe(404);
    expect(refused.error).toMatchObject({ status: 404, code: 'NotFoundException' });
  });
});

describe('the API reference of the offline stack', () => {
  it('is named when the stack is ready, and serves the committed document pointing at the stack', async () => {
    // Prepare
    const { httpApi, apiReference } = stack.info;
    const committed = JSON.parse(readFileSync(OPENAPI_DOCUMENT, 'utf8')) as Record<string, unknown>;

    // Act
    const document = await fetch(apiReference.openapi, { signal: AbortSignal.timeout(5_000) });
    const page = await fetch(apiReference.page, { signal: AbortSignal.timeout(5_000) });

    // Assess
    expect(apiReference).toEqual({ page: `${httpApi}/docs`, openapi: `${httpApi}/openapi.json` });
    expect(stack.stdout()).toContain(
      `  API reference     ${apiReference.page} (document: ${apiReference.openapi})`,
    );
    expect(document.status).toBe(200);
    expect(await document.json()).toEqual({
      ...committed,
      servers: [{ url: httpApi, description: 'The offline stack (npm start)' }],
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('/docs/swagger-ui-bundle.js');
  });
});
