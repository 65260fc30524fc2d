import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { load } from 'js-yaml';

/** One route of the HTTP API and the function its integration invokes. */
export interface HttpApiRoute {
  /** API Gateway's route key: `POST /image-builders`, `GET /items/{id}`, `ANY /{proxy+}`, `$default`. */
  routeKey: string;
  functionKey: string;
  /** The deployed function name (`<service>-<stage>-<key>` unless the function sets `name`). */
  functionName: string;
}

type HttpApiEvent = string | { method?: string; path?: string };

interface FunctionDefinition {
  name?: string;
  httpApi?: { payload?: string | number };
  events?: Array<{ httpApi?: HttpApiEvent }>;
}

interface ServerlessDefinition {
  provider?: { httpApi?: { payload?: string | number } };
  functions?: string | Record<string, FunctionDefinition>;
}

const FILE_REFERENCE = /^\$\{file\(([^)]+)\)\}$/;

const readYaml = <T>(file: string): T => load(readFileSync(file, 'utf8')) as T;

/** `functions:` of serverless.yml, inline or the `${file(...)}` it points to. */
const readFunctions = (root: string, definition: ServerlessDefinition) => {
  const { functions } = definition;
  if (typeof functions === 'string') {
    const file = FILE_REFERENCE.exec(functions.trim())?.[1];
    if (!file) throw new Error(`serverless.yml functions: cannot read "${functions}"`);
    return readYaml<Record<string, FunctionDefinition>>(resolve(root, file.trim()));
  }
  return functions ?? {};
};

const routeKeyOf = (event: HttpApiEvent, functionKey: string): string => {
  if (typeof event === 'string') return event.trim() === '*' ? '$default' : event.trim();
  const { method, path } = event;
  if (!method || !path)
    throw new Error(`function ${functionKey}: httpApi event without method/path`);
  if (method === '*' && path === '*') return '$default';
  return `${method === '*' ? 'ANY' : method.toUpperCase()} ${path}`;
};

/**
 * The HTTP API the service deploys, read from its own definition (serverless.yml and the
 * functions file it names): every `httpApi` event becomes a route to its function. Only payload
 * format 2.0 is served.
 */
export const readHttpApiRoutes = (
  root: string,
  { service, stage }: { service: string; stage: string },
): HttpApiRoute[] => {
  const definition = readYaml<ServerlessDefinition>(resolve(root, 'serverless.yml'));
  const routes: HttpApiRoute[] = [];
  for (const [functionKey, fn] of Object.entries(readFunctions(root, definition))) {
    const events = (fn.events ?? []).flatMap((event) => (event.httpApi ? [event.httpApi] : []));
    if (events.length === 0) continue;
    const payload = String(fn.httpApi?.payload ?? definition.provider?.httpApi?.payload ?? '2.0');
    if (payload !== '2.0') {
      throw new Error(`function ${functionKey}: httpApi payload ${payload} (only 2.0 is served)`);
    }
    if (fn.name?.includes('${')) {
      throw new Error(`function ${functionKey}: cannot resolve its name "${fn.name}"`);
    }
    const functionName = fn.name ?? `${service}-${stage}-${functionKey}`;
    for (const event of events) {
      routes.push({ routeKey: routeKeyOf(event, functionKey), functionKey, functionName });
    }
  }
  return routes;
};

type Segment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'greedy'; name: string };

interface CompiledRoute {
  route: HttpApiRoute;
  /** `ANY` matches every method. */
  method: string;
  /** Undefined for `$default`. */
  segments: Segment[] | undefined;
}

export interface RouteMatch {
  route: HttpApiRoute;
  /** Percent-decoded values of the route's `{param}` segments; undefined when it has none. */
  pathParameters: Record<string, string> | undefined;
}

const compile = (route: HttpApiRoute): CompiledRoute => {
  if (route.routeKey === '$default') return { route, method: 'ANY', segments: undefined };
  const [method = '', path = ''] = route.routeKey.split(' ');
  const segments = path
    .slice(1)
    .split('/')
    .map((part): Segment => {
      const name = /^\{([^{}]+)\}$/.exec(part)?.[1];
      if (!name) return { kind: 'literal', value: part };
      return name.endsWith('+')
        ? { kind: 'greedy', name: name.slice(0, -1) }
        : { kind: 'param', name };
    });
  return { route, method, segments };
};

const decode = (raw: string): string | undefined => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
};

/** The path parameters when `segments` match the request's raw path segments. */
const matchSegments = (
  segments: readonly Segment[],
  requested: readonly string[],
): Record<string, string> | undefined => {
  const parameters: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    if (segment.kind === 'greedy') {
      const rest = requested.slice(index);
      const value = decode(rest.join('/'));
      if (rest.length === 0 || rest.some((part) => part === '') || value === undefined) {
        return undefined;
      }
      parameters[segment.name] = value;
      return parameters;
    }
    const raw = requested[index];
    const value = raw === undefined ? undefined : decode(raw);
    if (value === undefined) return undefined;
    if (segment.kind === 'literal' && value !== segment.value) return undefined;
    if (segment.kind === 'param') {
      if (value === '') return undefined;
      parameters[segment.name] = value;
    }
  }
  return segments.length === requested.length ? parameters : undefined;
};

const RANK = { literal: 0, param: 1, greedy: 2 } as const;

/** Negative when `a` is the more specific route: literal before `{param}` before `{proxy+}`. */
const bySpecificity = (a: CompiledRoute, b: CompiledRoute): number => {
  const greedy = (route: CompiledRoute) =>
    route.segments?.some((s) => s.kind === 'greedy') ?? false;
  if (greedy(a) !== greedy(b)) return greedy(a) ? 1 : -1;
  const as = a.segments ?? [];
  const bs = b.segments ?? [];
  for (let index = 0; index < Math.min(as.length, bs.length); index += 1) {
    const difference = RANK[(as[index] as Segment).kind] - RANK[(bs[index] as Segment).kind];
    if (difference !== 0) return difference;
  }
  return (a.method === 'ANY' ? 1 : 0) - (b.method === 'ANY' ? 1 : 0);
};

/**
 * Route selection as API Gateway does it for HTTP APIs: a full match of method and path first
 * (static segments before `{param}` ones, a method before `ANY`), then a route with a greedy
 * `{proxy+}` variable, then `$default`. A `{param}` matches exactly one non-empty path segment
 * (segments are split on the raw path's `/`) and its value reaches the function percent-decoded.
 */
export const createRouter = (routes: readonly HttpApiRoute[]) => {
  const compiled = routes.map(compile);
  const defaultRoute = compiled.find((route) => route.segments === undefined);
  const specific = compiled
    .filter((route) => route.segments !== undefined)
    .sort(bySpecificity) as Array<CompiledRoute & { segments: Segment[] }>;
  return (method: string, rawPath: string): RouteMatch | undefined => {
    const requested = rawPath.slice(1).split('/');
    for (const candidate of specific) {
      if (candidate.method !== 'ANY' && candidate.method !== method.toUpperCase()) continue;
      const parameters = matchSegments(candidate.segments, requested);
      if (!parameters) continue;
      const hasParameters = Object.keys(parameters).length > 0;
      return { route: candidate.route, pathParameters: hasParameters ? parameters : undefined };
    }
    return defaultRoute ? { route: defaultRoute.route, pathParameters: undefined } : undefined;
  };
};
