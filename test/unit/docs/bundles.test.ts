import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import { ROOT } from './support.js';

/** What reaches a deployed bundle: zod's JSON Schema code or the docs generator must not. */
const DOCS_ONLY = /zod\/v4\/core\/(?:to-json-schema|json-schema)|^scripts\//;

it('no Lambda bundle carries the JSON Schema generation code of the API documents', async () => {
  // Prepare
  const handlers = readdirSync(join(ROOT, 'src', 'handlers')).map((file) =>
    join('src', 'handlers', file),
  );

  // Act
  const { metafile } = await build({
    absWorkingDir: ROOT,
    entryPoints: handlers,
    bundle: true,
    write: false,
    outdir: 'bundles',
    platform: 'node',
    format: 'esm',
    minify: true,
    metafile: true,
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });

  // Assess
  const outputs = Object.values(metafile.outputs).filter(({ entryPoint }) => entryPoint);
  expect(outputs).toHaveLength(handlers.length);
  const docsOnly = outputs.flatMap(({ inputs }) =>
    Object.entries(inputs)
      .filter(([file, { bytesInOutput }]) => DOCS_ONLY.test(file) && bytesInOutput > 0)
      .map(([file]) => file),
  );
  expect(docsOnly).toEqual([]);
});
