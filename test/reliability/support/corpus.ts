import fc from 'fast-check';
import { validate } from '../../../src/basics/validation.js';
import { isValidCorrelationId } from '../../../src/channels/correlationId.js';
import { buildInput, HTTP_ROUTES } from '../../../src/channels/httpRoutes.js';
import { type OperationName, operations } from '../../../src/operations/index.js';
import { resolveClientToken } from '../../../src/provisioning/clientToken.js';
import { maximalRequests, validRequests } from '../../fixtures/requests.js';
import { operationNames, schemaOf } from '../../support/operations.js';

/*
 * A reproducible corpus of malformed or invalid inputs for both channels, fuzzed from the valid
 * fixtures with fast-check: members dropped, values of the wrong type, unknown keys at any depth,
 * overlong or garbled strings, out-of-range numbers, broken tag maps, bad tokens and correlation
 * ids, broken queue envelopes, and raw junk (invalid JSON, JSON that is no object).
 *
 * Every candidate is checked against the service's own rules before it is kept (the schemas from
 * src/operations/schemas, `validate`, the token and correlation id rules, the HTTP route's input
 * building): one that happens to be valid is discarded and counted, so the corpus holds only
 * inputs the service must refuse.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Segment = string | number;

/** Stands for the per-case token until the corpus is numbered (any valid token behaves alike). */
const TOKEN = 'fz-placeholder-token';
/** The ARN the fuzzed PUT requests address (valid: the body is what is fuzzed). */
const UPDATE_ARN =
  'arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/fuzz-target';
const ENVELOPE_MEMBERS = new Set(['operation', 'clientToken', 'correlationId', 'request']);
const TAG_MEMBERS = new Set(['tags', 'Tags', 'resourceTags', 'amiTags']);

export interface HttpCase {
  kind: string;
  detail: string;
  method: 'POST' | 'PUT';
  path: string;
  body: string | undefined;
  headers: Record<string, string>;
  /** Above the size limit: the answer is a 413, without field errors. */
  oversize: boolean;
}

export interface QueueCase {
  kind: string;
  detail: string;
  body: string;
  /** The clientToken its outcome must carry; `undefined`: the SQS message id. */
  token: string | undefined;
}

export interface Corpus {
  seed: number;
  http: HttpCase[];
  queue: QueueCase[];
  /** Candidates drawn, and how many were dropped as valid or as duplicates, per channel. */
  drawn: { http: number; queue: number };
  discardedValid: { http: number; queue: number };
  discardedDuplicate: { http: number; queue: number };
}

// ---------------------------------------------------------------------------------------------
// JSON surgery
// ---------------------------------------------------------------------------------------------

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const pointer = (path: readonly Segment[]): string =>
  path.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

interface Located {
  path: Segment[];
  value: Json;
}

/** Every member (object key or array item) of `value`, at any depth. */
const locate = (value: Json, path: Segment[] = []): Located[] => {
  const here = path.length > 0 ? [{ path, value }] : [];
  if (Array.isArray(value)) {
    return [...here, ...value.flatMap((item, index) => locate(item, [...path, index]))];
  }
  if (isObject(value)) {
    return [
      ...here,
      ...Object.entries(value).flatMap(([key, item]) => locate(item, [...path, key])),
    ];
  }
  return here;
};

const clone = (value: Json): Json => structuredClone(value);

/** A copy of `root` with the member at `path` replaced (`undefined`: removed). */
const edit = (root: Json, path: readonly Segment[], value: Json | undefined): Json => {
  if (path.length === 0) return value === undefined ? null : value;
  const copy = clone(root);
  let parent: Json = copy;
  for (const segment of path.slice(0, -1)) {
    parent = (parent as Record<string, Json>)[String(segment)] as Json;
  }
  const key = path.at(-1) as Segment;
  if (Array.isArray(parent) && typeof key === 'number') {
    if (value === undefined) parent.splice(key, 1);
    else parent[key] = value;
  } else if (isObject(parent)) {
    if (value === undefined) delete parent[key as string];
    else Object.defineProperty(parent, key, { value, enumerable: true, writable: true });
  }
  return copy;
};

const entries = (count: number): JsonObject =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`key-${i}`, `value-${i}`]));

/** What the service sees of a value that travelled as JSON. */
const roundTrip = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

/** Characters that stress patterns and lengths, all safe in an SQS body once JSON-encoded. */
const oddChar = fc.constantFrom(
  'a',
  'Z',
  '0',
  ' ',
  '-',
  '_',
  '#',
  '/',
  '~',
  '%',
  ':',
  '\n',
  '\t',
  '\u0000',
  'é',
  '東',
  '😀',
);
const oddString = fc.string({ unit: oddChar, maxLength: 40 });
const tokenChar = fc.constantFrom('a', 'b', 'Z', '0', '-', '_', '.');

interface Mutated {
  kind: string;
  detail: string;
  value: Json;
}

const brokenTagMap: fc.Arbitrary<Json> = fc.oneof(
  fc.constant({}),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.string({ maxLength: 12 }),
  fc.dictionary(
    fc.string({ minLength: 1, maxLength: 8, unit: tokenChar }),
    fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string({ maxLength: 4 }), { maxLength: 2 }),
    ),
    { minKeys: 1, maxKeys: 3 },
  ),
  fc.integer({ min: 51, max: 80 }).map(entries),
  fc.string({ minLength: 1, maxLength: 10, unit: tokenChar }).map((s) => ({ [`aws:${s}`]: 'v' })),
  fc.integer({ min: 129, max: 400 }).map((n) => ({ ['k'.repeat(n)]: 'v' })),
  fc.integer({ min: 257, max: 1_000 }).map((n) => ({ team: 'v'.repeat(n) })),
  fc.constant({ '': 'v' }),
  fc.constant({ team: 'a#b\u0000' }),
);

const outOfRangeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -1_000_000_000, max: 0 }),
  fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((n) => !Number.isInteger(n)),
  fc.constantFrom(65, 10_001, 2_147_483_648, 1e308, -1e308),
);

/** Every kind of damage that applies to `base` (one member changed per candidate). */
const mutationsOf = (base: Json): fc.Arbitrary<Mutated>[] => {
  const members = locate(base);
  const objects = [{ path: [], value: base }, ...members].filter(
    (located): located is { path: Segment[]; value: JsonObject } => isObject(located.value),
  );
  const strings = members.filter(({ value }) => typeof value === 'string');
  const numbers = members.filter(({ value }) => typeof value === 'number');
  const tagMaps = objects.filter(({ path }) => TAG_MEMBERS.has(String(path.at(-1))));
  const arbitraries: fc.Arbitrary<Mutated>[] = [];
  if (members.length > 0) {
    arbitraries.push(
      fc.constantFrom(...members).map(({ path }) => ({
        kind: 'drop-member',
        detail: pointer(path),
        value: edit(base, path, undefined),
      })),
      fc
        .tuple(fc.constantFrom(...members), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>)
        .map(([{ path }, value]) => ({
          kind: 'wrong-type',
          detail: `${pointer(path)} = ${JSON.stringify(value).slice(0, 40)}`,
          value: edit(base, path, value),
        })),
    );
  }
  arbitraries.push(
    fc
      .tuple(
        fc.constantFrom(...objects),
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 24 }),
          oddString.filter((s) => s !== ''),
        ),
        fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>,
      )
      .filter(([{ value }, key]) => !Object.hasOwn(value, key))
      .map(([{ path }, key, value]) => ({
        kind: 'unknown-key',
        detail: pointer([...path, key]),
        value: edit(base, [...path, key], value),
      })),
  );
  if (strings.length > 0) {
    arbitraries.push(
      fc
        .tuple(
          fc.constantFrom(...strings),
          fc.integer({ min: 101, max: 4_000 }),
          fc.constantFrom('x', 'Z9', '-', '😀', 'é'),
        )
        .map(([{ path }, length, unit]) => ({
          kind: 'overlong-string',
          detail: `${pointer(path)} x${length}`,
          value: edit(base, path, unit.repeat(length)),
        })),
      fc.tuple(fc.constantFrom(...strings), oddString).map(([{ path }, value]) => ({
        kind: 'garbled-string',
        detail: `${pointer(path)} = ${JSON.stringify(value)}`,
        value: edit(base, path, value),
      })),
    );
  }
  if (numbers.length > 0) {
    arbitraries.push(
      fc.tuple(fc.constantFrom(...numbers), outOfRangeNumber).map(([{ path }, value]) => ({
        kind: 'out-of-range-number',
        detail: `${pointer(path)} = ${value}`,
        value: edit(base, path, value),
      })),
    );
  }
  if (tagMaps.length > 0) {
    arbitraries.push(
      fc.tuple(fc.constantFrom(...tagMaps), brokenTagMap).map(([{ path }, value]) => ({
        kind: 'broken-tags',
        detail: `${pointer(path)} = ${JSON.stringify(value).slice(0, 40)}`,
        value: edit(base, path, value),
      })),
    );
  }
  return arbitraries;
};

const basesOf = (operation: OperationName, transform: (request: JsonObject) => JsonObject) =>
  [validRequests[operation], maximalRequests[operation]].map((request) =>
    transform(structuredClone(request) as JsonObject),
  );

/** A damaged request of one of `names`, built from its valid and its maximal fixture. */
const damagedRequest = (
  names: readonly OperationName[],
  transform: (operation: OperationName, request: JsonObject) => JsonObject = (_, r) => r,
): fc.Arbitrary<Mutated & { operation: OperationName }> =>
  fc.constantFrom(...names).chain((operation) =>
    fc
      .constantFrom(...basesOf(operation, (request) => transform(operation, request)))
      .chain((base) => fc.oneof(...mutationsOf(base)))
      .map((mutated) => ({ ...mutated, operation })),
  );

const invalidJsonText: fc.Arbitrary<string> = fc
  .oneof(
    fc
      .tuple(
        fc.constantFrom(...operationNames.map((name) => JSON.stringify(validRequests[name]))),
        fc.nat(),
      )
      .map(([text, cut]) => text.slice(0, 1 + (cut % (text.length - 1)))),
    fc.constantFrom(
      '{',
      '[1,',
      "{'name': 'x'}",
      '{"name": "x",}',
      'undefined',
      'NaN',
      '{"a":1}}',
      'nul',
      '{"name":"x"} trailing',
      '\u0000',
    ),
    fc.string({ minLength: 1, maxLength: 50 }),
  )
  .filter((text) => !roundTrip(text).ok);

const nonObjectJsonText: fc.Arbitrary<string> = fc
  .oneof(
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 20 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  )
  .map((value) => JSON.stringify(value));

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

/** The writes whose request is a body (the fuzzed part). */
type HttpOperation = Extract<
  OperationName,
  | 'CreateInfrastructureConfiguration'
  | 'UpdateInfrastructureConfiguration'
  | 'CreateDistributionConfiguration'
  | 'CreateImageBuilder'
>;

const HTTP_TARGETS: Record<HttpOperation, { method: 'POST' | 'PUT'; path: string }> = {
  CreateInfrastructureConfiguration: { method: 'POST', path: '/infrastructure-configurations' },
  UpdateInfrastructureConfiguration: {
    method: 'PUT',
    path: `/infrastructure-configurations/${encodeURIComponent(UPDATE_ARN)}`,
  },
  CreateDistributionConfiguration: { method: 'POST', path: '/distribution-configurations' },
  CreateImageBuilder: { method: 'POST', path: '/image-builders' },
};
const HTTP_OPERATIONS = Object.keys(HTTP_TARGETS) as HttpOperation[];

/** The PUT route takes the ARN from the path: the body is the rest. */
const httpBody = (operation: OperationName, request: JsonObject): JsonObject => {
  if (operation !== 'UpdateInfrastructureConfiguration') return request;
  const { infrastructureConfigurationArn: _inPath, ...body } = request;
  return body;
};

interface HttpDraft {
  kind: string;
  detail: string;
  operation: HttpOperation;
  body: string | undefined;
  idempotencyKey: string;
  correlationId?: string;
}

const draft = (
  kind: string,
  detail: string,
  operation: HttpOperation,
  body: string | undefined,
  extra: Partial<Pick<HttpDraft, 'idempotencyKey' | 'correlationId'>> = {},
): HttpDraft => ({ kind, detail, operation, body, idempotencyKey: TOKEN, ...extra });

const validHttpBody = (operation: HttpOperation): JsonObject =>
  httpBody(operation, structuredClone(validRequests[operation]) as JsonObject);

const httpOperation = fc.constantFrom(...HTTP_OPERATIONS);
const tokenBearing = HTTP_OPERATIONS.filter((name) => operations[name].tokenMember);

const httpCandidate: fc.Arbitrary<HttpDraft> = fc.oneof(
  {
    weight: 16,
    arbitrary: damagedRequest(HTTP_OPERATIONS, httpBody).map(({ kind, detail, operation, value }) =>
      draft(kind, detail, operation as HttpOperation, JSON.stringify(value)),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(httpOperation, invalidJsonText)
      .map(([operation, text]) => draft('invalid-json', JSON.stringify(text), operation, text)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(httpOperation, nonObjectJsonText)
      .map(([operation, text]) => draft('non-object-json', text.slice(0, 40), operation, text)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        httpOperation,
        fc.oneof(
          fc.integer({ min: 65, max: 300 }).map((n) => 'k'.repeat(n)),
          fc.string({ minLength: 65, maxLength: 120, unit: tokenChar }),
        ),
      )
      .map(([operation, key]) =>
        draft(
          'bad-idempotency-key',
          `${key.length} chars`,
          operation,
          JSON.stringify(validHttpBody(operation)),
          {
            idempotencyKey: key,
          },
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        httpOperation,
        fc.oneof(
          fc.integer({ min: 257, max: 600 }).map((n) => 'c'.repeat(n)),
          fc
            .tuple(
              fc.string({ minLength: 1, maxLength: 10, unit: tokenChar }),
              fc.constantFrom('\u007f', 'é', 'ÿ', '§'),
              fc.string({ minLength: 1, maxLength: 10, unit: tokenChar }),
            )
            .map((parts) => parts.join('')),
        ),
      )
      .map(([operation, correlationId]) =>
        draft(
          'bad-correlation-id',
          JSON.stringify(correlationId.slice(0, 40)),
          operation,
          JSON.stringify(validHttpBody(operation)),
          { correlationId },
        ),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...tokenBearing),
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 64, unit: tokenChar }),
          fc.integer({ min: 65, max: 200 }).map((n) => 't'.repeat(n)),
          fc.constant(''),
          fc.jsonValue({ maxDepth: 1 }).filter((value) => typeof value !== 'string'),
        ),
      )
      .map(([operation, token]) => {
        const member = operations[operation].tokenMember as string;
        return draft(
          'body-token-conflict',
          `${member} = ${JSON.stringify(token).slice(0, 40)}`,
          operation,
          JSON.stringify({ ...validHttpBody(operation), [member]: token }),
        );
      }),
  },
);

/** Whether the service must refuse this HTTP request (its own rules, applied here). */
const httpRejects = (candidate: HttpDraft): boolean => {
  if (candidate.body === undefined || candidate.body === '') return true;
  const parsed = roundTrip(candidate.body);
  if (!parsed.ok) return true;
  const { method, path } = HTTP_TARGETS[candidate.operation];
  const route =
    HTTP_ROUTES[`${method} ${method === 'PUT' ? '/infrastructure-configurations/{arn}' : path}`];
  if (!route) throw new Error(`no route for ${candidate.operation}`);
  const built = buildInput(route, parsed.value, method === 'PUT' ? UPDATE_ARN : undefined);
  if (built.errors.length > 0) return true;
  if (candidate.correlationId !== undefined && !isValidCorrelationId(candidate.correlationId)) {
    return true;
  }
  const operation = operations[candidate.operation];
  const token = resolveClientToken({
    input: built.input,
    inputPointer: '',
    member: operation.tokenMember,
    given: { value: candidate.idempotencyKey, label: 'the Idempotency-Key header' },
  });
  if (token.errors.length > 0) return true;
  return !validate(schemaOf(candidate.operation), token.input).success;
};

// ---------------------------------------------------------------------------------------------
// Queue
// ---------------------------------------------------------------------------------------------

const envelope = (operation: OperationName, request: Json): JsonObject => ({
  operation,
  clientToken: TOKEN,
  request,
});

const validEnvelope = fc
  .constantFrom(...operationNames)
  .map((operation) => envelope(operation, structuredClone(validRequests[operation]) as Json));

const envelopeDamage: fc.Arbitrary<Mutated> = fc.oneof(
  fc
    .tuple(
      validEnvelope,
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom(...operationNames).map((name) => name.toLowerCase()),
        fc.constantFrom(...operationNames).map((name) => `${name}V2`),
        fc.constantFrom('Unknown', 'DeleteImageBuilder', '__proto__', 'constructor'),
      ),
    )
    .map(([message, operation]) => ({
      kind: 'unknown-operation',
      detail: JSON.stringify(operation),
      value: { ...message, operation },
    })),
  fc
    .tuple(
      validEnvelope,
      (fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>).filter((v) => typeof v !== 'string'),
    )
    .map(([message, operation]) => ({
      kind: 'operation-wrong-type',
      detail: JSON.stringify(operation).slice(0, 40),
      value: { ...message, operation },
    })),
  validEnvelope.map(({ operation: _dropped, ...message }) => ({
    kind: 'no-operation',
    detail: '/operation',
    value: message,
  })),
  fc
    .tuple(
      validEnvelope,
      fc.string({ minLength: 1, maxLength: 20 }),
      fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>,
    )
    .filter(([, key]) => !ENVELOPE_MEMBERS.has(key))
    .map(([message, key, value]) => ({
      kind: 'unknown-envelope-member',
      detail: pointer([key]),
      value: edit(message, [key], value),
    })),
  fc
    .tuple(
      validEnvelope,
      fc.oneof(
        fc.constant(''),
        fc.integer({ min: 257, max: 600 }).map((n) => 'c'.repeat(n)),
        oddString.filter((s) => /[^\x20-\x7e]/.test(s)),
        (fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>).filter((v) => typeof v !== 'string'),
      ),
    )
    .map(([message, correlationId]) => ({
      kind: 'bad-correlation-id',
      detail: JSON.stringify(correlationId).slice(0, 40),
      value: { ...message, correlationId },
    })),
  fc
    .tuple(
      validEnvelope,
      fc.oneof(
        fc.constant(''),
        fc.integer({ min: 65, max: 300 }).map((n) => 'k'.repeat(n)),
        (fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>).filter((v) => typeof v !== 'string'),
      ),
    )
    .map(([message, clientToken]) => ({
      kind: 'bad-client-token',
      detail: JSON.stringify(clientToken).slice(0, 40),
      value: { ...message, clientToken },
    })),
  fc
    .tuple(
      validEnvelope,
      fc.oneof(
        fc.constant(undefined),
        (fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>).filter((v) => !isObject(v)),
      ),
    )
    .map(([message, request]) => ({
      kind: 'request-not-object',
      detail: request === undefined ? 'absent' : JSON.stringify(request).slice(0, 40),
      value: edit(message, ['request'], request),
    })),
  fc
    .tuple(
      fc.constantFrom(...operationNames.filter((name) => operations[name].tokenMember)),
      fc.string({ minLength: 1, maxLength: 64, unit: tokenChar }),
    )
    .map(([operation, inner]) => {
      const member = operations[operation].tokenMember as string;
      return {
        kind: 'token-conflict',
        detail: `/request/${member} = ${JSON.stringify(inner)}`,
        value: envelope(operation, {
          ...(validRequests[operation] as JsonObject),
          [member]: inner,
        }),
      };
    }),
);

/** SQS refuses a message body with characters outside these (SendMessage InvalidMessageContents). */
const SQS_BODY = /^[\t\n\r\x20-\uD7FF\uE000-\uFFFD]+$/;

/**
 * fauxqs (the local SQS) checks bodies per UTF-16 unit and so refuses every character beyond the
 * BMP (emoji), which SQS accepts: those travel as JSON escapes instead, the same JSON value.
 */
const escapeAstral = (text: string): string =>
  text.replace(/[\u{10000}-\u{10FFFF}]/gu, (character) =>
    Array.from(
      { length: character.length },
      (_, index) => `\\u${character.charCodeAt(index).toString(16).padStart(4, '0')}`,
    ).join(''),
  );

const queueCandidate: fc.Arbitrary<{ kind: string; detail: string; body: string }> = fc
  .oneof(
    {
      weight: 14,
      arbitrary: damagedRequest(operationNames).map(({ kind, detail, operation, value }) => ({
        kind,
        detail: `${operation} /request${detail}`,
        body: JSON.stringify(envelope(operation, value)),
      })),
    },
    {
      weight: 5,
      arbitrary: envelopeDamage.map(({ kind, detail, value }) => ({
        kind,
        detail,
        body: JSON.stringify(value),
      })),
    },
    {
      weight: 1,
      arbitrary: invalidJsonText.map((body) => ({
        kind: 'invalid-json',
        detail: JSON.stringify(body),
        body,
      })),
    },
    {
      weight: 1,
      arbitrary: nonObjectJsonText.map((body) => ({
        kind: 'non-object-json',
        detail: body.slice(0, 40),
        body,
      })),
    },
  )
  .map((candidate) => ({ ...candidate, body: escapeAstral(candidate.body) }))
  .filter(({ body }) => SQS_BODY.test(body));

interface QueueVerdict {
  rejects: boolean;
  /** The token the pipeline would announce the outcome under (`undefined`: the message id). */
  token: string | undefined;
}

/** The queue channel's and the pipeline's rules for one message body, applied here. */
const judgeQueueMessage = (body: string): QueueVerdict => {
  const parsed = roundTrip(body);
  if (!parsed.ok || !isObject(parsed.value)) return { rejects: true, token: undefined };
  const message = parsed.value;
  const operationName = message.operation;
  const known =
    typeof operationName === 'string' && Object.hasOwn(operations, operationName)
      ? (operationName as OperationName)
      : undefined;
  const token = resolveClientToken({
    input: message.request,
    inputPointer: '/request',
    member: known ? operations[known].tokenMember : undefined,
    given:
      message.clientToken === undefined
        ? undefined
        : { value: message.clientToken, label: 'the message clientToken', path: '/clientToken' },
  });
  const rejects =
    !known ||
    Object.keys(message).some((key) => !ENVELOPE_MEMBERS.has(key)) ||
    (message.correlationId !== undefined && !isValidCorrelationId(message.correlationId)) ||
    token.errors.length > 0 ||
    !validate(schemaOf(known), token.input).success;
  return { rejects, token: token.value };
};

// ---------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------

const OVERSIZE_BYTES = 300_000;
/** Bodies at the edges of "no object": empty, blank, and every falsy or scalar JSON text. */
const EDGE_HTTP_BODIES = ['', ' ', '\n', 'null', 'false', '0', '""', 'true', '[]', '{}'];
/** The same for the queue (SQS refuses an empty body). */
const EDGE_QUEUE_BODIES = [' ', 'null', 'false', '0', '""', 'true', '[]', '{}'];

type Verdict = 'invalid' | 'valid' | 'duplicate';

/** Keeps the first `count` candidates judged invalid, counting what was passed over and why. */
const keep = <T>(candidates: readonly T[], count: number, judge: (candidate: T) => Verdict) => {
  const kept: T[] = [];
  let drawn = 0;
  let valid = 0;
  let duplicate = 0;
  for (const candidate of candidates) {
    if (kept.length === count) break;
    drawn++;
    const verdict = judge(candidate);
    if (verdict === 'valid') valid++;
    else if (verdict === 'duplicate') duplicate++;
    else kept.push(candidate);
  }
  if (kept.length < count) throw new Error(`only ${kept.length} of ${count} invalid candidates`);
  return { kept, drawn, valid, duplicate };
};

/** A judge that calls repeats (by `identity`) duplicates before asking `rejects`. */
const unseen = <T>(
  identity: (candidate: T) => string,
  rejects: (candidate: T) => boolean,
): ((candidate: T) => Verdict) => {
  const seen = new Set<string>();
  return (candidate) => {
    const id = identity(candidate);
    if (seen.has(id)) return 'duplicate';
    seen.add(id);
    return rejects(candidate) ? 'invalid' : 'valid';
  };
};

/**
 * `httpCount` HTTP requests (two of them oversize) and `queueCount` queue messages, all invalid,
 * the same for the same `seed`. Tokens are `<tokenPrefix>-h-<n>` / `<tokenPrefix>-q-<n>`.
 */
export const buildCorpus = ({
  seed,
  httpCount,
  queueCount,
  tokenPrefix,
}: {
  seed: number;
  httpCount: number;
  queueCount: number;
  tokenPrefix: string;
}): Corpus => {
  const oversize: HttpCase[] = [
    {
      kind: 'oversize',
      detail: `${OVERSIZE_BYTES}-character description`,
      ...HTTP_TARGETS.CreateInfrastructureConfiguration,
      body: JSON.stringify({
        ...validRequests.CreateInfrastructureConfiguration,
        description: 'd'.repeat(OVERSIZE_BYTES),
      }),
      headers: { 'idempotency-key': `${tokenPrefix}-h-oversize-1` },
      oversize: true,
    },
    {
      kind: 'oversize',
      detail: `${OVERSIZE_BYTES} bytes of non-JSON`,
      ...HTTP_TARGETS.CreateImageBuilder,
      body: `{${'x'.repeat(OVERSIZE_BYTES)}`,
      headers: { 'idempotency-key': `${tokenPrefix}-h-oversize-2` },
      oversize: true,
    },
  ];
  const wantedHttp = httpCount - oversize.length;
  const edgeHttp = EDGE_HTTP_BODIES.map((body, index) =>
    draft(
      'edge-body',
      JSON.stringify(body),
      HTTP_OPERATIONS[index % HTTP_OPERATIONS.length] as HttpOperation,
      body,
    ),
  );
  const http = keep(
    [...edgeHttp, ...fc.sample(httpCandidate, { seed, numRuns: wantedHttp * 4 })],
    wantedHttp,
    unseen((candidate) => JSON.stringify(candidate), httpRejects),
  );
  const httpCases: HttpCase[] = http.kept.map((candidate, index) => {
    const key = candidate.idempotencyKey === TOKEN ? `${tokenPrefix}-h-${index}` : undefined;
    const headers: Record<string, string> = {
      'idempotency-key': key ?? candidate.idempotencyKey,
      ...(candidate.correlationId === undefined
        ? {}
        : { 'x-correlation-id': candidate.correlationId }),
    };
    return {
      kind: candidate.kind,
      detail: candidate.detail,
      ...HTTP_TARGETS[candidate.operation],
      body: candidate.body,
      headers,
      oversize: false,
    };
  });

  // Numbered as drawn: outcomes are told apart by token, so no two messages may share one.
  const edgeQueue = EDGE_QUEUE_BODIES.map((body) => ({
    kind: 'edge-body',
    detail: JSON.stringify(body),
    body,
  }));
  const numbered = [
    ...edgeQueue,
    ...fc.sample(queueCandidate, { seed: seed + 1, numRuns: queueCount * 4 }),
  ].map((candidate, index) => {
    const body = candidate.body.replaceAll(
      JSON.stringify(TOKEN),
      JSON.stringify(`${tokenPrefix}-q-${index}`),
    );
    return { ...candidate, original: candidate.body, body, ...judgeQueueMessage(body) };
  });
  const tokens = new Set<string>();
  const bodies = new Set<string>();
  const queue = keep(numbered, queueCount, (candidate) => {
    if (bodies.has(candidate.original)) return 'duplicate';
    bodies.add(candidate.original);
    if (!candidate.rejects) return 'valid';
    if (candidate.token !== undefined) {
      if (tokens.has(candidate.token)) return 'duplicate';
      tokens.add(candidate.token);
    }
    return 'invalid';
  });
  const queueCases: QueueCase[] = queue.kept.map(({ kind, detail, body, token }) => ({
    kind,
    detail,
    body,
    token,
  }));

  return {
    seed,
    http: [...httpCases, ...oversize],
    queue: queueCases,
    drawn: { http: http.drawn, queue: queue.drawn },
    discardedValid: { http: http.valid, queue: queue.valid },
    discardedDuplicate: { http: http.duplicate, queue: queue.duplicate },
  };
};
