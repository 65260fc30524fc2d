import { describe, expect, it } from 'vitest';
import { escapeForTerminal, formatOutcome } from '../../../../local/stack/outcomeTail.js';

const event = (data: Record<string, unknown>, subject?: string) =>
  JSON.stringify({ specversion: '1.0', ...(subject ? { subject } : {}), data });

describe('formatOutcome', () => {
  it('prints the summary, then the event, on two lines', () => {
    const body = event(
      { operation: 'CreateImageBuilder', status: 'SUCCEEDED', channel: 'sqs', clientToken: 't-1' },
      'arn:aws:appstream:us-east-1:123456789012:image-builder/b',
    );

    expect(formatOutcome(body)).toBe(
      '[outcome] SUCCEEDED CreateImageBuilder via sqs clientToken=t-1 ' +
        `arn:aws:appstream:us-east-1:123456789012:image-builder/b\n          ${body}`,
    );
  });

  it('names a follow-through event where an outcome has its status', () => {
    const body = event(
      {
        operation: 'CreateImageBuilder',
        event: 'ImageBuilderReady',
        channel: 'sqs',
        clientToken: 't-1',
      },
      'arn:aws:appstream:us-east-1:000000000000:image-builder/b',
    );

    expect(formatOutcome(body)).toBe(
      '[outcome] ImageBuilderReady CreateImageBuilder via sqs clientToken=t-1 ' +
        `arn:aws:appstream:us-east-1:000000000000:image-builder/b\n          ${body}`,
    );
  });

  it.each([
    ['a line break that would forge an outcome line', 't-1\n[outcome] SUCCEEDED forged'],
    ['a carriage return that would overwrite the line', 't-1\rSUCCEEDED'],
    ['an ANSI escape that would recolour or clear the terminal', 't-1\u001b[2J\u001b[31m'],
    ['a C1 control sequence introducer', 't-1\u009b2J'],
    ['a Unicode line separator', 't-1\u2028forged'],
    ['a bidi override', 't-1\u202eforged'],
    ['NUL', 't-1\u0000'],
  ])('escapes %s in caller values', (_, clientToken) => {
    const line = formatOutcome(
      event({ operation: 'Unknown', status: 'FAILED', channel: 'sqs', clientToken }),
    );

    // One summary line and one event line, nothing else a terminal would act on.
    expect(line.split('\n')).toHaveLength(2);
    expect(line.replace('\n', '')).toMatch(/^[^\p{Cc}\u2028\u2029\u202e]*$/u);
    expect(line).toContain('clientToken=t-1\\u');
  });

  it('escapes what it prints of a body that is not JSON', () => {
    const line = formatOutcome('not json\n[outcome] SUCCEEDED forged\u001b[0m');

    expect(line).toBe('[outcome] not json\\u000a[outcome] SUCCEEDED forged\\u001b[0m');
  });

  it('escapes the summary of an event whose members are no strings', () => {
    const line = formatOutcome(
      JSON.stringify({ data: { status: { toString: 1 }, channel: 'sqs\nx', clientToken: 7 } }),
    );

    expect(line.split('\n')).toHaveLength(2);
    expect(line).toContain('via sqs\\u000ax clientToken=7');
  });
});

describe('escapeForTerminal', () => {
  it('keeps printable text, non-ASCII letters and emoji as they are', () => {
    expect(escapeForTerminal('t-ключ 🙂 ~')).toBe('t-ключ 🙂 ~');
  });

  it('escapes lone surrogates but keeps pairs', () => {
    expect(escapeForTerminal('a\ud800b\udc00c🙂')).toBe('a\\ud800b\\udc00c🙂');
  });
});
