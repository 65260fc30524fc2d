import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { guardrailIamResources } from '../src/guardrails/iamResources.js';
import { GuardrailPolicyError, loadGuardrailPolicy } from '../src/guardrails/loadPolicy.js';

/**
 * Checks guardrail policy files with the schema the functions use at cold start, so a broken file
 * stops `sls package` / `sls deploy` (iac/guardrails.cjs runs this) instead of the first request.
 *   node --import tsx scripts/checkGuardrails.ts config/guardrails/dev.json [...]
 *
 * A file that does not exist is no error (its stage runs without guardrails). When every file
 * passes, stdout gets one JSON array with, for each file in order, whether it exists and, if it
 * does, the IAM resources it allows (src/guardrails/iamResources.ts):
 *   [{ "file": "...", "exists": true, "roleArns": { ... }, "instanceProfileNames": [ ... ] }]
 * Otherwise each problem goes to stderr, with the file and the place in it, and the exit code is 1.
 */
/** Only a missing file is one: any other trouble reading it is for the schema check to report. */
const exists = (file: string): boolean => {
  try {
    statSync(resolve(file));
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
};

const files = process.argv.slice(2);
const results: unknown[] = [];
let failed = false;
for (const file of files) {
  if (!exists(file)) {
    results.push({ file, exists: false });
    continue;
  }
  try {
    results.push({ file, exists: true, ...guardrailIamResources(loadGuardrailPolicy(file)) });
  } catch (error) {
    if (!(error instanceof GuardrailPolicyError)) throw error;
    process.stderr.write(`${error.message}\n`);
    failed = true;
  }
}
if (failed) process.exitCode = 1;
else process.stdout.write(`${JSON.stringify(results)}\n`);
