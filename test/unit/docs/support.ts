import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import {
  componentSchemas,
  type JsonSchema,
  withRefsUnder,
} from '../../../scripts/docs/jsonSchema.js';
import '../../../scripts/docs/shapes.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

export const readDocument = (path: string): JsonSchema =>
  JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

/** Where the named schemas of the documents live for Ajv. */
export const COMPONENTS_ID = 'urn:image-provisioner:test:components';

/** Ajv (2020-12, strict, formats) that knows every named schema under `COMPONENTS_ID#/$defs/`. */
export const createAjv = (): Ajv2020 => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({
    $id: COMPONENTS_ID,
    $defs: withRefsUnder(componentSchemas(), `${COMPONENTS_ID}#/$defs/`),
  });
  return ajv;
};

/** A schema of the documents (refs to `#/components/schemas/`) made checkable by `createAjv`'s Ajv. */
export const resolvable = <T>(schema: T): T => withRefsUnder(schema, `${COMPONENTS_ID}#/$defs/`);

export const component = (name: string): JsonSchema => ({
  $ref: `${COMPONENTS_ID}#/$defs/${name}`,
});
