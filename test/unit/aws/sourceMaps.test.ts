import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { mapStackTracesOfBundle } from '../../../src/aws/sourceMaps.js';

/*
 * Stacks of a deployed bundle name the TypeScript sources without Node's --enable-source-maps:
 * a bundle built as serverless.yml builds it (minified, linked map, no sources content) throws in
 * a Node process of its own, and its frames come out as src/<file>.ts:<line>:<column>.
 */

const dir = mkdtempSync(join(tmpdir(), 'image-provisioner-sourcemaps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SOURCE_MAPS = join(import.meta.dirname, '..', '..', '..', 'src', 'aws', 'sourceMaps.ts');

const THROWER = `import { mapStackTracesOfBundle } from ${JSON.stringify(SOURCE_MAPS)};

const installed = mapStackTracesOfBundle(import.meta.url);

export function failLoudly(reason: string): never {
  throw new Error(\`broken: \${reason}\`);
}

const run = (reason: string) => failLoudly(reason);

try {
  run('disk full');
} catch (error) {
  console.log(JSON.stringify({ installed, stack: (error as Error).stack }));
}
`;

/** Builds the thrower as the service's bundles are built, runs it, and returns what it printed. */
const runThrower = async (
  nodeOptions = '',
  removeMap = false,
): Promise<{ installed: boolean; stack: string }> => {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'src', 'thrower.ts'), THROWER);
  const outfile = join(dir, 'thrower.mjs');
  await build({
    entryPoints: [join(dir, 'src', 'thrower.ts')],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'silent',
  });
  if (removeMap) rmSync(`${outfile}.map`);
  const output = execFileSync(process.execPath, [outfile], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  return JSON.parse(output) as { installed: boolean; stack: string };
};

describe('source-mapped stack traces', () => {
  it('names the TypeScript source, line and column of the frames in the bundle', async () => {
    // Act
    const { installed, stack } = await runThrower();

    // Assess
    expect(installed).toBe(true);
    const lines = stack.split('\n');
    expect(lines[0]).toBe('Error: broken: disk full');
    expect(lines[1]).toMatch(/^ {4}at (failLoudly \()?src\/thrower\.ts:6:9\)?$/);
    expect(lines[2]).toMatch(/^ {4}at .*src\/thrower\.ts:9:\d+\)?$/);
    expect(stack).not.toContain('thrower.mjs');
  });

  it('leaves the stack as V8 prints it when the bundle has no map beside it', async () => {
    // Act
    const { installed, stack } = await runThrower('', true);

    // Assess
    expect(installed).toBe(false);
    expect(stack).toContain('thrower.mjs:');
    expect(stack).not.toContain('thrower.ts');
  });

  it('leaves the mapping to Node when Node maps stacks itself', async () => {
    // Act
    const { installed, stack } = await runThrower('--enable-source-maps');

    // Assess
    expect(installed).toBe(false);
    expect(stack).toContain('thrower.ts:6:');
  });

  it('changes nothing outside a bundle (tests, tsx)', () => {
    // Prepare
    const before = Error.prepareStackTrace;

    // Act
    const installed = mapStackTracesOfBundle();

    // Assess
    expect(installed).toBe(false);
    expect(Error.prepareStackTrace).toBe(before);
  });
});
