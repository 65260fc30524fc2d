import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StackInfo } from './startStack.js';

/** The endpoints of the stack `npm start` is running, or an exit with a hint to start it. */
export const readRunningStack = (): StackInfo => {
  const stackFile = resolve(process.env.STACK_DIR || '.local', 'stack.json');
  try {
    return JSON.parse(readFileSync(stackFile, 'utf8')) as StackInfo;
  } catch {
    process.stderr.write(`No running stack found (${stackFile}): start it with npm start\n`);
    process.exit(1);
  }
};
