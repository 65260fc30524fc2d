import { closureOf, type JsonSchema, withRefsUnder } from './jsonSchema.js';
import { readinessEvents } from './shapes.js';

/*
 * Standalone JSON Schemas (2020-12) for what crosses the queue and the topic: each file holds
 * the schemas it needs under `$defs`, so a portal validates with that one file.
 */

const kebab = (name: string) => name.replace(/(?<=[a-z0-9])(?=[A-Z])/g, '-').toLowerCase();

const standalone = (
  components: Record<string, JsonSchema>,
  file: string,
  root: string,
  title: string,
): [string, JsonSchema] => [
  `docs/schemas/${file}`,
  {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:image-provisioner:schemas:${file}`,
    title,
    $ref: `#/$defs/${root}`,
    $defs: Object.fromEntries(
      closureOf(components, [root]).map((name) => [
        name,
        withRefsUnder(components[name], '#/$defs/'),
      ]),
    ),
  },
];

export const schemaFiles = (components: Record<string, JsonSchema>): [string, JsonSchema][] => [
  standalone(
    components,
    'request-message.json',
    'RequestMessage',
    'A message on the request queue',
  ),
  standalone(
    components,
    'provisioning-outcome.json',
    'ProvisioningOutcome',
    'The outcome of a request, on the outcomes topic',
  ),
  ...Object.keys(readinessEvents).map((event) =>
    standalone(
      components,
      `${kebab(event)}.json`,
      `${event}Event`,
      `${event}, on the outcomes topic`,
    ),
  ),
];
