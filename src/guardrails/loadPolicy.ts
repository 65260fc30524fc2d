import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { messageOf } from '../basics/errors.js';
import { validate } from '../basics/validation.js';
import { GuardrailPolicy } from './policy.js';

export class GuardrailPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardrailPolicyError';
  }
}

/** Parses and checks a policy document; every problem is named with its place in the file. */
export const parseGuardrailPolicy = (text: string, source: string): GuardrailPolicy => {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new GuardrailPolicyError(`${source} is not valid JSON: ${messageOf(error)}`);
  }
  const result = validate(GuardrailPolicy, document);
  if (!result.success) {
    const problems = result.errors.map(({ path, message }) => `${path || '/'} ${message}`);
    throw new GuardrailPolicyError(
      `${source} is not a valid guardrail policy: ${problems.join('; ')}`,
    );
  }
  return result.data;
};

/** Reads the stage's policy file (relative to the working directory, `/var/task` in Lambda). */
export const loadGuardrailPolicy = (file: string): GuardrailPolicy => {
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch (error) {
    throw new GuardrailPolicyError(`Cannot read the guardrail policy ${file}: ${messageOf(error)}`);
  }
  return parseGuardrailPolicy(text, file);
};
