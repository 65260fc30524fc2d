import * as z from 'zod/mini';
import { toJSONSchema } from 'zod/v4/core';

/** A JSON Schema (2020-12) object, as the documents hold it. */
export type JsonSchema = { [key: string]: unknown };

/**
 * The same regular expression, written so that it also compiles with the `u` flag that JSON
 * Schema validators (Ajv among them) use. The one construct the service's patterns need
 * rewritten is an escaped `-` outside a character class (`\-`): an identity escape that is a
 * SyntaxError under `u` and means a literal `-` without it, so it becomes a bare `-`. Inside a
 * class (`[...\-...]`) the escape is valid under `u` and stays. Anything else that fails under
 * `u` stops the generator: it needs a rewrite of its own, proven equivalent on its edge cases.
 */
export const unicodePattern = (source: string): string => {
  let rewritten = '';
  let inClass = false;
  for (let index = 0; index < source.length; index += 1) {
    const character = source.charAt(index);
    if (character === '\\') {
      const escaped = source.charAt(index + 1);
      rewritten += !inClass && escaped === '-' ? '-' : `\\${escaped}`;
      index += 1;
      continue;
    }
    if (character === '[' && !inClass) inClass = true;
    else if (character === ']' && inClass) inClass = false;
    rewritten += character;
  }
  try {
    new RegExp(rewritten, 'u');
  } catch (error) {
    throw new Error(`pattern ${JSON.stringify(source)} does not compile with the u flag`, {
      cause: error,
    });
  }
  return rewritten;
};

/** Where a named schema lives in the OpenAPI and AsyncAPI documents. */
export const COMPONENT_PREFIX = '#/components/schemas/';

/**
 * Every schema registered with an `id` (see shapes.ts), as JSON Schema, each referring to the
 * others by `#/components/schemas/<id>`. Patterns are rewritten for the `u` flag.
 */
export const componentSchemas = (): Record<string, JsonSchema> => {
  const { schemas } = toJSONSchema(z.globalRegistry, {
    target: 'draft-2020-12',
    io: 'input',
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
    override: ({ jsonSchema }) => {
      if (typeof jsonSchema.pattern === 'string') {
        jsonSchema.pattern = unicodePattern(jsonSchema.pattern);
      }
    },
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema]),
  );
};

/** The names a schema refers to (its `$ref`s into the components), directly. */
const refsOf = (value: unknown, found: Set<string>): Set<string> => {
  if (Array.isArray(value)) {
    for (const item of value) refsOf(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, member] of Object.entries(value)) {
      if (key === '$ref' && typeof member === 'string' && member.startsWith(COMPONENT_PREFIX)) {
        found.add(member.slice(COMPONENT_PREFIX.length));
      } else {
        refsOf(member, found);
      }
    }
  }
  return found;
};

/** The named schemas `names` need, themselves included, in a stable order. */
export const closureOf = (
  components: Record<string, JsonSchema>,
  names: readonly string[],
): string[] => {
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    const schema = components[name];
    if (!schema) throw new Error(`no schema named ${name}`);
    needed.add(name);
    for (const ref of refsOf(schema, new Set())) visit(ref);
  };
  for (const name of names) visit(name);
  return [...needed].sort();
};

/** Replaces every component reference with one under another prefix (e.g. `#/$defs/`). */
export const withRefsUnder = <T>(value: T, prefix: string): T =>
  JSON.parse(JSON.stringify(value).replaceAll(`"$ref":"${COMPONENT_PREFIX}`, `"$ref":"${prefix}`));
