import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * `npm run package`: `sls package` with the arguments given, in a temporary folder of its own.
 *   node --import tsx scripts/package.ts --stage dev [--package <dir>]
 *
 * serverless-esbuild zips each function from a copy it makes in the temporary folder
 * (`<function>-<pid>-<time>-<hex>`, about 2 MB each) and never removes; osls and the tools it
 * runs put folders of their own there too. So sls runs with TMPDIR, TMP and TEMP pointing at a
 * folder made for this run, which is removed once sls has exited, whether it succeeded, failed or
 * was interrupted: nothing it wrote there outlives the run. The exit code is sls's.
 */

const require = createRequire(import.meta.url);
const sls = join(dirname(require.resolve('osls/package.json')), 'bin', 'serverless.js');
const runTemp = mkdtempSync(join(tmpdir(), 'image-provisioner-sls-'));

const child = spawn(process.execPath, [sls, 'package', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: runTemp, TMP: runTemp, TEMP: runTemp },
});

const removeRunTemp = (): void => rmSync(runTemp, { recursive: true, force: true });

// Interrupted: sls gets the signal too (from the terminal, or from here) and its folder goes
// once it has exited.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.once('error', (error) => {
  removeRunTemp();
  process.stderr.write(`sls package could not be started: ${error.message}\n`);
  process.exit(1);
});

child.once('exit', (code, signal) => {
  removeRunTemp();
  process.exit(code ?? 128 + ((signal && constants.signals[signal]) || 0));
});
