import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS, settingsHelp } from '../../../../local/stack/settingsHelp.js';

/* `npm start -- --help`: every variable the stack reads, its current value, default and meaning. */

const ROOT = resolve(import.meta.dirname, '../../../..');

/** The variables `readStackSettings` reads, from its source. */
const variablesRead = (): string[] => {
  const source = readFileSync(resolve(ROOT, 'local/stack/settings.ts'), 'utf8');
  const names = [
    ...[...source.matchAll(/\benv,\s*'([A-Z0-9_]+)'/g)].map((match) => match[1]),
    ...[...source.matchAll(/\benv\.([A-Z0-9_]+)/g)].map((match) => match[1]),
  ];
  return [...new Set(names)].filter((name): name is string => name !== undefined).sort();
};

/** The two lines of one setting in the help text. */
const entry = (help: string, variable: string): string => {
  const lines = help.split('\n');
  const at = lines.findIndex((line) => line.startsWith(`  ${variable}=`));
  if (at < 0) throw new Error(`${variable} is not in the help`);
  return `${lines[at]}\n${lines[at + 1]}`;
};

describe('settingsHelp', () => {
  it('lists every variable the stack reads, once', () => {
    const listed = SETTINGS.map((setting) => setting.variable);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual(variablesRead());
    expect(listed).toHaveLength(22);
  });

  it('shows each value in effect, its default and its meaning', () => {
    const help = settingsHelp(
      { HTTP_PORT: '3456', STACK_STAGE: 'demo', READINESS_TIMEOUT_SECONDS: '30' },
      ROOT,
    );
    expect(entry(help, 'HTTP_PORT')).toBe(
      '  HTTP_PORT=3456\n      port of the HTTP API (0 picks a free one, as for every port); default 3000',
    );
    expect(entry(help, 'STACK_STAGE')).toBe(
      '  STACK_STAGE=demo\n      stage whose params serverless.yml uses locally (table and topic names); default local',
    );
    // Unset, the guardrails follow the stage.
    expect(entry(help, 'GUARDRAILS_STAGE')).toMatch(
      /^ {2}GUARDRAILS_STAGE=demo\n.*; default local$/,
    );
    expect(entry(help, 'READINESS_TIMEOUT_SECONDS')).toMatch(
      /^ {2}READINESS_TIMEOUT_SECONDS=30\n.*; default \(unset: serverless.yml's local params\)$/,
    );
    expect(entry(help, 'EMULATOR_PORT')).toMatch(/^ {2}EMULATOR_PORT=4599\n.*; default 4599$/);
    expect(entry(help, 'QUEUE_VISIBILITY_TIMEOUT_SECONDS')).toMatch(
      /^ {2}QUEUE_VISIBILITY_TIMEOUT_SECONDS=190\n.*; default 190$/,
    );
    expect(entry(help, 'STACK_DIR')).toBe(
      `  STACK_DIR=${resolve(ROOT, '.local')}\n      where stack.json is written; one stack per directory; default ${resolve(ROOT, '.local')}`,
    );
    expect(help).not.toContain('Not valid');
  });

  it('says which setting does not read, still listing them all', () => {
    const help = settingsHelp({ EMULATOR_PORT: 'abc' }, ROOT);
    expect(entry(help, 'EMULATOR_PORT')).toMatch(/^ {2}EMULATOR_PORT=abc\n/);
    expect(entry(help, 'HTTP_PORT')).toMatch(/^ {2}HTTP_PORT=3000\n/);
    expect(help).toContain(
      'Not valid, npm start would stop: EMULATOR_PORT must be a port number (0-65535), got "abc"',
    );
  });
});
