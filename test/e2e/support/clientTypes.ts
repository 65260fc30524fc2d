import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

/*
 * The types of the HTTP API's client (openapi-fetch), generated from docs/openapi.json by
 * openapi-typescript and committed as test/e2e/support/openapi.ts, so that the type checker
 * checks every call the e2e tests make through the client. After the document changes:
 *
 *   node --import tsx test/e2e/support/clientTypes.ts
 *
 * test/e2e/clientTypes.test.ts fails while the committed file differs from what this generates.
 */

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const OPENAPI_DOCUMENT = join(REPO_ROOT, 'docs', 'openapi.json');
export const CLIENT_TYPES_FILE = join(REPO_ROOT, 'test', 'e2e', 'support', 'openapi.ts');

/** Formats `source` as the repository's formatter would the file at `path`. */
const format = (source: string, path: string): string => {
  const biome = spawnSync(
    join(REPO_ROOT, 'node_modules', '.bin', 'biome'),
    ['format', `--stdin-file-path=${relative(REPO_ROOT, path)}`],
    { cwd: REPO_ROOT, input: source, encoding: 'utf8', timeout: 30_000 },
  );
  if (biome.status !== 0) {
    throw new Error(`biome format failed (${biome.status}): ${biome.stderr || biome.error}`);
  }
  return biome.stdout;
};

/** What test/e2e/support/openapi.ts must hold for the committed docs/openapi.json. */
export const generateClientTypes = async (): Promise<string> => {
  const ast = await openapiTS(pathToFileURL(OPENAPI_DOCUMENT));
  return format(`${COMMENT_HEADER}${astToString(ast)}`, CLIENT_TYPES_FILE);
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(CLIENT_TYPES_FILE, await generateClientTypes());
  process.stdout.write(`${relative(REPO_ROOT, CLIENT_TYPES_FILE)} written\n`);
}
