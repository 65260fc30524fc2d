import type * as z from 'zod/mini';

/** One member a request schema declares: its JSON Pointer (`*` for array items) and schema. */
export interface SchemaMember {
  path: string;
  /** The member's own name (the last segment that is not `*`). */
  name: string;
  schema: z.core.$ZodType;
}

const unwrap = (schema: z.core.$ZodType): z.core.$ZodType => {
  const def = (schema as z.core.$ZodTypes)._zod.def;
  return def.type === 'optional' ? unwrap(def.innerType) : schema;
};

/** Every member a schema declares, down through objects, arrays and optionals. */
export const schemaMembers = (schema: z.core.$ZodType, prefix = '', name = ''): SchemaMember[] => {
  const def = (unwrap(schema) as z.core.$ZodTypes)._zod.def;
  switch (def.type) {
    case 'array':
      return [
        { path: `${prefix}/*`, name, schema: unwrap(def.element) },
        ...schemaMembers(def.element, `${prefix}/*`, name),
      ];
    case 'object':
      return Object.entries(def.shape).flatMap(([key, member]) => [
        { path: `${prefix}/${key}`, name: key, schema: unwrap(member) },
        ...schemaMembers(member, `${prefix}/${key}`, key),
      ]);
    default:
      return [];
  }
};

/** The regular expressions a string schema checks. */
export const patternsOf = (schema: z.core.$ZodType): RegExp[] => {
  const checks = (schema as z.core.$ZodTypes)._zod.def.checks ?? [];
  return checks.flatMap((check) => {
    const def = check._zod.def as { check?: string; format?: string; pattern?: RegExp };
    return def.check === 'string_format' && def.format === 'regex' && def.pattern
      ? [def.pattern]
      : [];
  });
};
