/*
 * Just enough XML reading for the Query answers the tests check: elements by name, in order, with
 * the five entities and character references resolved. Not a parser: the answers are small, have
 * no attributes the tests need and no CDATA.
 */

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const decode = (text: string): string =>
  text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });

/** The raw content of every `<name>…</name>` element (not nested in one of the same name). */
export const blocks = (xml: string, name: string): string[] =>
  [...xml.matchAll(new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`, 'g'))].map(
    (match) => match[1] ?? '',
  );

/** The decoded text of every `<name>` element. */
export const texts = (xml: string, name: string): string[] =>
  blocks(xml, name).map((content) => decode(content));

/** The decoded text of the first `<name>` element. */
export const text = (xml: string, name: string): string | undefined => texts(xml, name)[0];

/** The name of the document element. */
export const rootName = (xml: string): string | undefined =>
  /^(?:<\?xml[^>]*\?>)?\s*<([A-Za-z][\w.-]*)/.exec(xml)?.[1];

/** Flattened `<tag><Name>…</Name><Value>…</Value></tag>` entries as a record. */
export const nameValues = (
  xml: string,
  tag: string,
  keyName = 'Name',
  valueName = 'Value',
): Record<string, string> =>
  Object.fromEntries(
    blocks(xml, tag).map((entry) => [text(entry, keyName) ?? '', text(entry, valueName) ?? '']),
  );
