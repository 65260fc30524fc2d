import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/*
 * The service's published documents as a test sees them: docs/openapi.json (OpenAPI 3.1),
 * docs/asyncapi.json (AsyncAPI 3.0) and docs/schemas/*.json (JSON Schema 2020-12), compiled with
 * Ajv. Every HTTP answer and every outcome an e2e test receives is checked against them (through
 * `Api`, `sendRaw` and `OutcomeInbox`), so an answer the documents do not describe fails the test.
 */

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** ajv-formats is CommonJS: its plugin is the module itself, or its `default` seen from ESM. */
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020) => Ajv2020;

/** An HTTP exchange as a test saw it. */
export interface HttpExchange {
  method: string;
  /** The path as requested, with its query string if any (a full URL is accepted too). */
  path: string;
  status: number;
  headers: Headers;
  /** The body as received. */
  text: string;
}

/** A message received from the outcomes topic (raw delivery): its body and its attributes. */
export interface ReceivedMessage {
  body: string;
  /** SNS message attributes, by name (their string values). */
  attributes: Record<string, string | undefined>;
}

/** Thrown by `check*`: what was received, and every way it differs from the documents. */
export class DocumentMismatch extends Error {
  public constructor(
    what: string,
    public readonly problems: readonly string[],
  ) {
    super(`${what} does not match the documents:\n- ${problems.join('\n- ')}`);
    this.name = 'DocumentMismatch';
  }
}

/** The documents, parsed (`schemas`: each docs/schemas file by its name). */
export interface DocumentSet {
  openapi: Json;
  asyncapi: Json;
  schemas: Record<string, Json>;
}

const DOCS = join(REPO_ROOT, 'docs');
const OPENAPI_FILE = join(DOCS, 'openapi.json');
const ASYNCAPI_FILE = join(DOCS, 'asyncapi.json');
const SCHEMAS_DIR = join(DOCS, 'schemas');

const readJson = (file: string): Json => {
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isRecord(value)) throw new Error(`${file}: not a JSON object`);
  return value;
};

/** The committed documents. */
export const readDocuments = (): DocumentSet => ({
  openapi: readJson(OPENAPI_FILE),
  asyncapi: readJson(ASYNCAPI_FILE),
  schemas: Object.fromEntries(
    readdirSync(SCHEMAS_DIR)
      .filter((name) => name.endsWith('.json'))
      .map((name) => [name, readJson(join(SCHEMAS_DIR, name))]),
  ),
});

/** RFC 6901: one reference token. */
const escapeToken = (token: string): string => token.replaceAll('~', '~0').replaceAll('/', '~1');
const pointerOf = (tokens: readonly string[]): string =>
  tokens.map((token) => `/${escapeToken(token)}`).join('');

const describeErrors = (where: string, errors: readonly ErrorObject[] | null | undefined) =>
  (errors ?? []).map(
    (error) =>
      `${where}${error.instancePath || '/'} ${error.message ?? 'is invalid'}${
        error.keyword === 'additionalProperties' || error.keyword === 'unevaluatedProperties'
          ? ` (${JSON.stringify(error.params)})`
          : ''
      }`,
  );

/** The media type of a content-type header, lower case, without parameters. */
const mediaTypeOf = (contentType: string | null): string | undefined =>
  contentType?.split(';')[0]?.trim().toLowerCase() || undefined;

const isJsonMediaType = (mediaType: string): boolean =>
  mediaType === 'application/json' || mediaType.endsWith('+json');

interface PathTemplate {
  template: string;
  segments: Array<{ literal: string } | { parameter: string }>;
  parameters: number;
}

/**
 * The documents compiled: answers and messages are checked against the schemas they name. A
 * schema is compiled from where the document holds it (a JSON Pointer into it), so its `$ref`s
 * resolve as the document's readers resolve them.
 */
export class ApiDocuments {
  private readonly ajv: Ajv2020;
  /** Header values arrive as strings: this one coerces them to the documented type. */
  private readonly headerAjv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: PathTemplate[];

  public constructor(
    private readonly documents: DocumentSet,
    private readonly ids = {
      openapi: pathToFileURL(OPENAPI_FILE).href,
      asyncapi: pathToFileURL(ASYNCAPI_FILE).href,
      schemasDir: pathToFileURL(`${SCHEMAS_DIR}/`).href,
    },
  ) {
    this.ajv = this.newAjv(false);
    this.headerAjv = this.newAjv(true);
    this.templates = Object.keys(this.paths)
      .map((template): PathTemplate => {
        const segments = template
          .slice(1)
          .split('/')
          .map((part) => {
            const name = /^\{([^{}]+)\}$/.exec(part)?.[1];
            return name ? { parameter: name } : { literal: part };
          });
        const parameters = segments.filter((segment) => 'parameter' in segment).length;
        return { template, segments, parameters };
      })
      // The most specific template first: fewer parameters, then literal segments earlier.
      .sort((a, b) => a.parameters - b.parameters);
  }

  /** Problems of an HTTP answer: none when the documents describe it exactly. */
  public responseProblems(exchange: HttpExchange): string[] {
    const url = new URL(exchange.path, 'http://stack.invalid');
    const rawPath = url.pathname;
    const method = exchange.method.toLowerCase();
    const template = this.templateOf(rawPath);
    if (!template) return [`no documented path matches ${rawPath}`];
    const pathItem = this.resolve(this.ids.openapi, ['paths', template.template]);
    const operation = isRecord(pathItem.value) ? pathItem.value[method] : undefined;
    if (!isRecord(operation)) return [`${template.template} documents no ${method.toUpperCase()}`];
    const where = `${method.toUpperCase()} ${template.template}`;
    const responses = isRecord(operation.responses) ? operation.responses : {};
    const status = String(exchange.status);
    const range = `${status[0]}XX`;
    const key = [status, range, range.toLowerCase(), 'default'].find((name) => name in responses);
    if (key === undefined) {
      return [
        `${where} documents no ${status} answer (documented: ${Object.keys(responses).join(', ')})`,
      ];
    }
    const responseTokens = [...pathItem.tokens, method, 'responses', key];
    const response = this.resolve(this.ids.openapi, responseTokens);
    if (!isRecord(response.value)) return [`${where} ${key}: not a response object`];
    return [
      ...this.headerProblems(`${where} ${status}`, response.tokens, response.value, exchange),
      ...this.bodyProblems(`${where} ${status}`, response.tokens, response.value, exchange),
    ];
  }

  /** Throws `DocumentMismatch` unless the documents describe the answer. */
  public checkResponse(exchange: HttpExchange): void {
    const problems = this.responseProblems(exchange);
    if (problems.length > 0) {
      throw new DocumentMismatch(
        `${exchange.method} ${exchange.path} answered ${exchange.status} ${exchange.text.slice(0, 2_000)}`,
        problems,
      );
    }
  }

  /**
   * Problems of a message from the outcomes topic: none when one of the messages the service
   * sends (by the AsyncAPI document) describes both its payload and its attributes. Otherwise the
   * problems of the messages whose attributes it has (else of every message's attributes).
   */
  public messageProblems({ body, attributes }: ReceivedMessage): string[] {
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return ['the message body is not JSON'];
    }
    const messages = this.sentMessages();
    if (messages.length === 0) return ['the AsyncAPI document names no message the service sends'];
    const present = Object.fromEntries(
      Object.entries(attributes).filter(
        (entry): entry is [string, string] => entry[1] !== undefined,
      ),
    );
    const checked = messages.map(({ name, tokens, message }) => ({
      name,
      headers:
        message.headers === undefined
          ? []
          : this.schemaProblems(
              `${name} attributes`,
              this.headerAjv,
              this.ids.asyncapi,
              [...tokens, ...this.schemaTokens(message, 'headers')],
              { ...present },
            ),
      payload: this.schemaProblems(
        `${name} payload`,
        this.ajv,
        this.ids.asyncapi,
        [...tokens, ...this.schemaTokens(message, 'payload')],
        payload,
      ),
    }));
    if (checked.some((found) => found.headers.length === 0 && found.payload.length === 0)) {
      return this.standaloneProblems(payload);
    }
    const byAttributes = checked.filter((found) => found.headers.length === 0);
    if (byAttributes.length > 0) {
      return [
        `its attributes are those of ${byAttributes.map(({ name }) => name).join(', ')}, its payload is not:`,
        ...byAttributes.flatMap((found) => found.payload),
      ];
    }
    return [
      'its attributes are those of no documented message:',
      ...checked.flatMap((found) => found.headers.slice(0, 3)),
    ];
  }

  /**
   * Problems of a payload against the standalone schemas (docs/schemas/*.json, what a subscriber
   * may validate with): none when one of them describes it. Without standalone schemas, none.
   */
  public standaloneProblems(payload: unknown): string[] {
    const names = Object.keys(this.documents.schemas);
    if (names.length === 0) return [];
    const problems: string[] = [];
    for (const name of names) {
      const validate = this.validatorAt(this.ajv, `${this.ids.schemasDir}${name}`, []);
      if (validate(payload)) return [];
      problems.push(...describeErrors(`docs/schemas/${name}`, validate.errors).slice(0, 3));
    }
    return ['no schema of docs/schemas describes the payload:', ...problems];
  }

  /** Throws `DocumentMismatch` unless a documented message describes it. */
  public checkMessage(message: ReceivedMessage): void {
    const problems = this.messageProblems(message);
    if (problems.length > 0) {
      throw new DocumentMismatch(
        `the message ${message.body.slice(0, 2_000)} with attributes ${JSON.stringify(message.attributes)}`,
        problems,
      );
    }
  }

  private get paths(): Json {
    const { paths } = this.documents.openapi;
    return isRecord(paths) ? paths : {};
  }

  private newAjv(coerceTypes: boolean): Ajv2020 {
    const ajv = new Ajv2020({
      allErrors: true,
      coerceTypes,
      // The documents are schemas inside OpenAPI and AsyncAPI documents, whose own members
      // (`openapi`, `paths`, `x-...`) are no JSON Schema keywords: strict mode would refuse them.
      strict: false,
      logger: {
        log: () => undefined,
        warn: (...args: unknown[]) => {
          // A format Ajv does not know would check nothing: that is a broken test, not a warning.
          const text = args.map(String).join(' ');
          if (text.includes('unknown format')) throw new Error(text);
        },
        error: (...args: unknown[]) => {
          throw new Error(args.map(String).join(' '));
        },
      },
    });
    addFormats(ajv);
    for (const [name, schema] of Object.entries(this.documents.schemas)) {
      ajv.addSchema(schema, `${this.ids.schemasDir}${name}`);
    }
    ajv.addSchema(this.documents.openapi, this.ids.openapi);
    ajv.addSchema(this.documents.asyncapi, this.ids.asyncapi);
    return ajv;
  }

  private templateOf(rawPath: string): PathTemplate | undefined {
    const requested = rawPath.slice(1).split('/');
    return this.templates.find(
      ({ segments }) =>
        segments.length === requested.length &&
        segments.every((segment, index) => {
          const raw = requested[index] as string;
          if ('parameter' in segment) return raw !== '';
          return raw === segment.literal;
        }),
    );
  }

  /**
   * The value at `tokens` of the document `id`, following `$ref`s within it (a Reference Object
   * anywhere along the way), and the tokens of where it really is.
   */
  private resolve(id: string, tokens: readonly string[]): { value: unknown; tokens: string[] } {
    const root = id === this.ids.openapi ? this.documents.openapi : this.documents.asyncapi;
    let value: unknown = root;
    let at: string[] = [];
    const follow = () => {
      for (let hops = 0; isRecord(value) && typeof value.$ref === 'string'; hops += 1) {
        const ref = value.$ref;
        if (!ref.startsWith('#') || hops > 20) {
          throw new Error(`${id}#${pointerOf(at)}: cannot follow $ref ${ref}`);
        }
        at = ref
          .slice(2)
          .split('/')
          .filter((token) => token !== '')
          .map((token) => decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~'));
        value = at.reduce<unknown>(
          (node, token) => (isRecord(node) ? node[token] : undefined),
          root,
        );
      }
    };
    follow();
    for (const token of tokens) {
      value = isRecord(value) || Array.isArray(value) ? (value as Json)[token] : undefined;
      at = [...at, token];
      follow();
    }
    return { value, tokens: at };
  }

  /** Where a message's `payload` or `headers` schema is (a Multi Format Schema's `schema`). */
  private schemaTokens(message: Json, member: 'payload' | 'headers'): string[] {
    const value = message[member];
    return isRecord(value) && 'schemaFormat' in value && 'schema' in value
      ? [member, 'schema']
      : [member];
  }

  private validatorAt(ajv: Ajv2020, id: string, tokens: readonly string[]): ValidateFunction {
    const ref = `${id}#${pointerOf(tokens)}`;
    const key = `${ajv === this.headerAjv ? 'header' : 'body'} ${ref}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = ajv.compile({ $ref: ref });
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /**
   * A response header's schema, applied to `{value}`: header values arrive as strings, and
   * coercion to the documented type needs a place to write to.
   */
  private headerValidator(tokens: readonly string[]): ValidateFunction {
    const ref = `${this.ids.openapi}#${pointerOf(tokens)}`;
    const key = `header value ${ref}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.headerAjv.compile({
        type: 'object',
        properties: { value: { $ref: ref } },
        required: ['value'],
      });
      this.compiled.set(key, validate);
    }
    return validate;
  }

  private schemaProblems(
    where: string,
    ajv: Ajv2020,
    id: string,
    tokens: readonly string[],
    data: unknown,
  ): string[] {
    const validate = this.validatorAt(ajv, id, tokens);
    return validate(data) ? [] : describeErrors(where, validate.errors);
  }

  private headerProblems(
    where: string,
    responseTokens: readonly string[],
    response: Json,
    exchange: HttpExchange,
  ): string[] {
    const headers = isRecord(response.headers) ? response.headers : {};
    return Object.keys(headers).flatMap((name) => {
      // OpenAPI: a `Content-Type` entry is ignored; the content map says it.
      if (name.toLowerCase() === 'content-type') return [];
      const header = this.resolve(this.ids.openapi, [...responseTokens, 'headers', name]);
      if (!isRecord(header.value)) return [`${where}: header ${name} is not a header object`];
      const value = exchange.headers.get(name);
      if (value === null) {
        return header.value.required === true
          ? [`${where}: required header ${name} is missing`]
          : [];
      }
      if (!('schema' in header.value)) return [];
      const validate = this.headerValidator([...header.tokens, 'schema']);
      return validate({ value })
        ? []
        : describeErrors(`${where}: header ${name} ${JSON.stringify(value)}`, validate.errors);
    });
  }

  private bodyProblems(
    where: string,
    responseTokens: readonly string[],
    response: Json,
    exchange: HttpExchange,
  ): string[] {
    const content = isRecord(response.content) ? response.content : undefined;
    const mediaType = mediaTypeOf(exchange.headers.get('content-type'));
    if (!content || Object.keys(content).length === 0) {
      return exchange.text === '' ? [] : [`${where} documents no body, got ${mediaType ?? 'one'}`];
    }
    if (exchange.text === '') return [`${where} documents a body, got none`];
    if (!mediaType) return [`${where}: the answer has no content-type`];
    const documented = Object.keys(content);
    const [family] = mediaType.split('/');
    const key = [mediaType, `${family}/*`, '*/*'].find((name) => documented.includes(name));
    if (key === undefined) {
      return [`${where} documents ${documented.join(', ')}, not ${mediaType}`];
    }
    const entry = content[key];
    if (!isRecord(entry) || !('schema' in entry)) return [];
    if (!isJsonMediaType(mediaType)) return [];
    let body: unknown;
    try {
      body = JSON.parse(exchange.text);
    } catch {
      return [`${where}: the ${mediaType} body is not JSON`];
    }
    return this.schemaProblems(
      `${where} ${key} body`,
      this.ajv,
      this.ids.openapi,
      [...responseTokens, 'content', key, 'schema'],
      body,
    );
  }

  /**
   * The messages the service sends: those of the AsyncAPI document's `send` operations (each
   * operation's `messages`, else every message of its channel).
   */
  private sentMessages(): Array<{ name: string; tokens: string[]; message: Json }> {
    const found = new Map<string, { name: string; tokens: string[]; message: Json }>();
    const add = (tokens: string[]) => {
      const resolved = this.resolve(this.ids.asyncapi, tokens);
      if (!isRecord(resolved.value)) return;
      const key = pointerOf(resolved.tokens);
      const name = resolved.tokens.at(-1) ?? key;
      if (!found.has(key))
        found.set(key, { name, tokens: resolved.tokens, message: resolved.value });
    };
    const { operations } = this.documents.asyncapi;
    for (const id of Object.keys(isRecord(operations) ? operations : {})) {
      const operation = this.resolve(this.ids.asyncapi, ['operations', id]);
      if (!isRecord(operation.value) || operation.value.action !== 'send') continue;
      const listed = Array.isArray(operation.value.messages) ? operation.value.messages : [];
      if (listed.length > 0) {
        listed.forEach((_, index) => {
          add([...operation.tokens, 'messages', String(index)]);
        });
        continue;
      }
      const channel = this.resolve(this.ids.asyncapi, [...operation.tokens, 'channel']);
      const messages = isRecord(channel.value) ? channel.value.messages : undefined;
      for (const name of Object.keys(isRecord(messages) ? messages : {})) {
        add([...channel.tokens, 'messages', name]);
      }
    }
    return [...found.values()];
  }
}

let loaded: ApiDocuments | undefined;

/** The committed documents, compiled once per test file. */
export const apiDocuments = (): ApiDocuments => {
  loaded ??= new ApiDocuments(readDocuments());
  return loaded;
};

/**
 * Reads the body of an answer to `method path` and checks the answer against the committed
 * documents (`DocumentMismatch` unless they describe it); resolves to the body.
 */
export const readCheckedAnswer = async (
  method: string,
  path: string,
  response: Response,
): Promise<string> => {
  const text = await response.text();
  apiDocuments().checkResponse({
    method,
    path,
    status: response.status,
    headers: response.headers,
    text,
  });
  return text;
};
