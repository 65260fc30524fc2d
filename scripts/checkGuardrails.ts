import { GuardrailPolicyError, loadGuardrailPolicy } from '../src/guardrails/loadPolicy.js';

/**
 * Checks guardrail policy files with the schema the functions use at cold start, so a broken file
 * stops `sls package` / `sls deploy` (iac/guardrails.cjs runs this) instead of the first request.
 *   node --import tsx scripts/checkGuardrails.ts config/guardrails/dev.json [...]
 */
const files = process.argv.slice(2);
let failed = false;
for (const file of files) {
  try {
    loadGuardrailPolicy(file);
  } catch (error) {
    if (!(error instanceof GuardrailPolicyError)) throw error;
    process.stderr.write(`${error.message}\n`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
