import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_BUDGET_BYTES, EXPECTED_PACKAGES, LEFT_OUT_MODULES } from '../../../bench/budget.js';
import { buildBundle, bundleComposition, functionEntries } from '../../../bench/build.js';

/*
 * Each function's bundle, built as `sls package` builds it (serverless.yml custom.esbuild), stays
 * within its budget (bench/budget.ts). Bytes are deterministic, unlike time: this is the part of
 * the benchmark that can run on every change.
 */

const outDir = mkdtempSync(join(tmpdir(), 'image-provisioner-budget-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

describe('bundle budget', () => {
  it('has a budget for every function of iac/functions.yml, and none for a function it lacks', () => {
    expect(Object.keys(BUNDLE_BUDGET_BYTES).sort()).toEqual(Object.keys(functionEntries()).sort());
  });

  for (const [name, entry] of Object.entries(functionEntries())) {
    it(`keeps the ${name} bundle within ${BUNDLE_BUDGET_BYTES[name]} bytes`, async () => {
      // Act
      const bundle = await buildBundle(name, entry, outDir);

      // Assess
      const parts = bundleComposition(bundle.metafile);
      const strays = parts.filter(([owner]) => !EXPECTED_PACKAGES.test(owner));
      const budget = BUNDLE_BUDGET_BYTES[name] ?? 0;
      const message = [
        `${name} bundle: ${bundle.bytes} bytes, budget ${budget} (bench/budget.ts)`,
        strays.length > 0
          ? `packages beyond the SDK, Powertools, middy, zod and src/: ${strays.map(([owner, bytes]) => `${owner} ${kB(bytes)}`).join(', ')}`
          : 'no package beyond the SDK, Powertools, middy, zod and src/',
        `largest parts: ${parts
          .slice(0, 10)
          .map(([owner, bytes]) => `${owner} ${kB(bytes)}`)
          .join(', ')}`,
      ].join('\n');
      expect(bundle.bytes, message).toBeLessThanOrEqual(budget);
      const leftOut = Object.keys(bundle.metafile.inputs).filter((input) =>
        LEFT_OUT_MODULES.test(input),
      );
      expect(leftOut, 'modules serverless.yml custom.esbuild.alias replaces').toEqual([]);
    });
  }
});
