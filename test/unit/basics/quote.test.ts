import { describe, expect, it } from 'vitest';
import { quoteBounded } from '../../../src/basics/quote.js';

describe('quoteBounded', () => {
  it('quotes a short string whole, in JSON-string escaping', () => {
    expect(quoteBounded('Delete "all"\r\n\u0000')).toBe('"Delete \\"all\\"\\r\\n\\u0000"');
  });

  it('cuts after 64 characters, counting an emoji as one, with an ellipsis after the quote', () => {
    expect(quoteBounded('🙂'.repeat(100))).toBe(`"${'🙂'.repeat(64)}"…`);
    expect(quoteBounded('a'.repeat(64))).toBe(`"${'a'.repeat(64)}"`);
  });

  it('escapes lone surrogates, DEL, C1 controls and line separators', () => {
    expect(quoteBounded('\ud800|\udfff|\u007f|\u009b|\u2028')).toBe(
      '"\\ud800|\\udfff|\\u007f|\\u009b|\\u2028"',
    );
  });

  it('never cuts a surrogate pair in two', () => {
    const quoted = quoteBounded(`${'a'.repeat(63)}🙂🙂`);

    expect(quoted).toBe(`"${'a'.repeat(63)}🙂"…`);
  });

  it('names values that are no string by themselves or their kind', () => {
    expect([7, true, null, [1], { a: 1 }].map((value) => quoteBounded(value))).toEqual([
      '7',
      'true',
      'null',
      'an array',
      'an object',
    ]);
  });
});
