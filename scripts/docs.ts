import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateDocuments, ROOT } from './docs/generate.js';

/*
 * npm run docs: writes the API documents (docs/openapi.json, docs/asyncapi.json, docs/schemas/)
 * from the schemas the service validates with. test/unit/docs/ fails when the committed files
 * differ from what this writes.
 */
for (const [path, text] of generateDocuments()) {
  mkdirSync(dirname(join(ROOT, path)), { recursive: true });
  writeFileSync(join(ROOT, path), text);
  console.log(`wrote ${path}`);
}
