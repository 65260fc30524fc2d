import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { generateDocuments } from '../../../scripts/docs/generate.js';
import { HTTP_ROUTES } from '../../../src/channels/httpRoutes.js';
import { ROOT, readDocument } from './support.js';

describe('API documents', () => {
  it('are committed exactly as npm run docs writes them', () => {
    // Prepare
    const generated = generateDocuments();
    const committedSchemas = readdirSync(join(ROOT, 'docs', 'schemas')).map(
      (file) => `docs/schemas/${file}`,
    );

    // Assess
    for (const [path, text] of generated) {
      expect(readFileSync(join(ROOT, path), 'utf8'), `${path}: run npm run docs`).toBe(text);
    }
    expect(committedSchemas.filter((path) => !generated.has(path))).toEqual([]);
  });

  it('docs/openapi.json passes the OpenAPI validator without errors or warnings', async () => {
    // Act
    const result = await validate(structuredClone(readDocument('docs/openapi.json')));

    // Assess
    expect(result).toEqual({ valid: true, warnings: [], specification: 'OpenAPI' });
  });

  it('docs/asyncapi.json parses with the AsyncAPI parser without errors', async () => {
    // Act
    const { document, diagnostics } = await new Parser().parse(
      readFileSync(join(ROOT, 'docs', 'asyncapi.json'), 'utf8'),
    );

    // Assess
    const errors = diagnostics.filter(({ severity }) => severity === 0);
    expect(errors.map(({ message, path }) => `${path.join('/')}: ${message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(
      document
        ?.channels()
        .all()
        .map((channel) => channel.id()),
    ).toEqual(['requests', 'outcomes']);
  });

  it('the documents cover every route, operation and event of the service', () => {
    // Prepare
    const openapi = readDocument('docs/openapi.json');
    const asyncapi = readDocument('docs/asyncapi.json');

    // Assess
    expect(Object.keys(openapi.paths as object)).toEqual([
      '/infrastructure-configurations',
      '/infrastructure-configurations/{arn}',
      '/distribution-configurations',
      '/distribution-configurations/{arn}',
      '/image-builders',
      '/image-builders/{name}',
      '/image-builders/{name}/stop',
      '/image-builders/{name}/start',
      '/requests/{clientToken}',
    ]);
    const methods = Object.values(openapi.paths as Record<string, object>).flatMap(Object.keys);
    expect(methods).toHaveLength(Object.keys(HTTP_ROUTES).length + 1);
    const messages = Object.keys((asyncapi.components as { messages: object }).messages);
    expect(messages).toHaveLength(15 + 15 + 16 + 5);
    expect(messages).toContain('UnknownFailed');
    for (const event of [
      'ImageBuilderReady',
      'ImageBuilderStopped',
      'ImageBuilderDeleted',
      'ImageBuilderFailed',
      'ImageBuilderWaitTimedOut',
    ]) {
      expect(messages).toContain(event);
    }
  });
});
