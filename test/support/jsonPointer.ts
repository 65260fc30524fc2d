/**
 * The value `pointer` (RFC 6901) designates in `document`, or undefined when it designates
 * nothing: each reference token unescaped (`~1` to `/`, then `~0` to `~`), own members only.
 */
export const resolvePointer = (document: unknown, pointer: string): unknown => {
  if (pointer === '') return document;
  if (!pointer.startsWith('/')) return undefined;
  let node = document;
  for (const token of pointer.slice(1).split('/')) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
};
