import { describe, expect, it } from 'vitest';
import { resolveClientToken } from '../../../src/provisioning/clientToken.js';

const header = (value: unknown) => ({ value, label: 'the Idempotency-Key header' });

describe('resolveClientToken', () => {
  it('takes the header token and leaves the request untouched when the body has none', () => {
    const resolved = resolveClientToken({
      input: { name: 'a' },
      inputPointer: '',
      member: 'clientToken',
      given: header('t-1'),
    });

    expect(resolved).toEqual({ value: 't-1', input: { name: 'a' }, errors: [] });
  });

  it('takes the body token and strips it from the request', () => {
    const resolved = resolveClientToken({
      input: { Name: 'b', ClientToken: 't-2' },
      inputPointer: '',
      member: 'ClientToken',
      given: undefined,
    });

    expect(resolved).toEqual({ value: 't-2', input: { Name: 'b' }, errors: [] });
  });

  it('accepts both when they agree', () => {
    const resolved = resolveClientToken({
      input: { clientToken: 'same' },
      inputPointer: '',
      member: 'clientToken',
      given: header('same'),
    });

    expect(resolved.errors).toEqual([]);
    expect(resolved.value).toBe('same');
  });

  it('rejects both when they differ, pointing at the body member', () => {
    const resolved = resolveClientToken({
      input: { clientToken: 'a' },
      inputPointer: '/request',
      member: 'clientToken',
      given: { value: 'b', label: 'the message clientToken', path: '/clientToken' },
    });

    expect(resolved.errors).toEqual([
      { path: '/request/clientToken', message: 'differs from the message clientToken' },
    ]);
  });

  it.each([
    ['an empty string', ''],
    ['65 characters', 'x'.repeat(65)],
    ['a number', 42],
  ])('rejects a header token that is %s, naming the header', (_, value) => {
    const resolved = resolveClientToken({
      input: {},
      inputPointer: '',
      member: 'clientToken',
      given: header(value),
    });

    expect(resolved.errors).toHaveLength(1);
    expect(resolved.errors[0]?.path).toBe('/clientToken');
    expect(resolved.errors[0]?.message).toMatch(/^the Idempotency-Key header must/);
    expect(resolved.value).toBeUndefined();
  });

  it.each([
    ['non-Latin-1 letters', 't-ключ'],
    ['an emoji', 't-🙂'],
    ['CR/LF', 't-1\r\nx-injected: 1'],
    ['NUL', 't-\u0000'],
    ['DEL', 't-\u007f'],
    ['a Latin-1 letter', 't-é'],
    ['a lone surrogate', 't-\ud800'],
  ])('rejects a body token with %s: it travels into a header and log lines', (_, value) => {
    const resolved = resolveClientToken({
      input: { clientToken: value },
      inputPointer: '',
      member: 'clientToken',
      given: undefined,
    });

    expect(resolved.errors).toEqual([
      {
        path: '/clientToken',
        message: 'must contain only printable ASCII characters (U+0020 to U+007E)',
      },
    ]);
    expect(resolved.value).toBeUndefined();
  });

  it('rejects a header token with CR/LF at the token member, naming the header', () => {
    const resolved = resolveClientToken({
      input: {},
      inputPointer: '',
      member: 'ClientToken',
      given: header('t-1\r\nx-injected: 1'),
    });

    expect(resolved.errors).toEqual([
      {
        path: '/ClientToken',
        message:
          'the Idempotency-Key header must contain only printable ASCII characters (U+0020 to U+007E)',
      },
    ]);
  });

  it('accepts every printable ASCII character, space and tilde included', () => {
    const printable = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
    const tokens = [printable.slice(0, 64).join(''), printable.slice(31).join('')];

    for (const token of tokens) {
      const resolved = resolveClientToken({
        input: { clientToken: token },
        inputPointer: '',
        member: 'clientToken',
        given: undefined,
      });
      expect(resolved).toMatchObject({ value: token, errors: [] });
    }
  });

  it('leaves non-object requests to schema validation', () => {
    const resolved = resolveClientToken({
      input: 'text',
      inputPointer: '',
      member: 'clientToken',
      given: undefined,
    });

    expect(resolved).toEqual({ value: undefined, input: 'text', errors: [] });
  });
});
