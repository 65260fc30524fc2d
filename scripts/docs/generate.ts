import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncApiDocument } from './asyncapi.js';
import { componentSchemas } from './jsonSchema.js';
import { openApiDocument } from './openapi.js';
import { schemaFiles } from './schemaFiles.js';
import './shapes.js';

export const ROOT = join(import.meta.dirname, '..', '..');

const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');

/** JSON as the repository's formatter writes it, so the committed files pass `npm run lint`. */
const formatted = (path: string, value: unknown): string =>
  execFileSync(BIOME, ['format', `--stdin-file-path=${path}`], {
    cwd: ROOT,
    input: `${JSON.stringify(value, null, 2)}\n`,
    encoding: 'utf8',
  });

/** Every API document, by its path in the repository, as `npm run docs` writes it. */
export const generateDocuments = (): Map<string, string> => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const components = componentSchemas();
  const documents = new Map<string, unknown>([
    ['docs/openapi.json', openApiDocument(components, version)],
    ['docs/asyncapi.json', asyncApiDocument(components, version)],
    ...schemaFiles(components),
  ]);
  return new Map([...documents].map(([path, value]) => [path, formatted(path, value)]));
};
