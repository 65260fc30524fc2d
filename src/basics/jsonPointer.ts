/** RFC 6901: `~` becomes `~0` and `/` becomes `~1` (in that order), in every reference token. */
export const escapePointerToken = (token: string): string =>
  token.replaceAll('~', '~0').replaceAll('/', '~1');

/** The JSON Pointer of `path` ('' for the root). */
export const toJsonPointer = (path: ReadonlyArray<PropertyKey>): string => {
  let pointer = '';
  for (const segment of path) {
    const token = typeof segment === 'symbol' ? (segment.description ?? '') : String(segment);
    pointer += `/${escapePointerToken(token)}`;
  }
  return pointer;
};
