import type { FieldError } from '../basics/fieldError.js';
import { escapePointerToken } from '../basics/jsonPointer.js';
import { isRecord } from '../basics/records.js';
import type { OperationName } from '../operations/index.js';

/** A path parameter that names the resource, and the request member it fills. */
export interface PathMember {
  parameter: 'arn' | 'name';
  member: string;
  /** The member is a list: the parameter becomes its one item (`Names: [name]`). */
  asList?: true;
}

/** A query parameter, and the request member it fills. */
export interface QueryParameter {
  name: string;
  member: string;
  /** `integer`: a decimal number; `string` as is; `nameFilter`: `filters: [{ name, values }]`. */
  kind: 'integer' | 'string' | 'nameFilter';
}

/** How one HTTP route maps onto an operation. */
export interface HttpRoute {
  operation: OperationName;
  successStatus: 200 | 201;
  /** Where the created resource can be read, from the AWS response. */
  location?: (response: Record<string, unknown>) => string | undefined;
  /** The path names the resource; a body may repeat it in this member (not for a list). */
  path?: PathMember;
  /** `none`: the request is built from the path and query alone; `optional`: a body may come. */
  body?: 'none' | 'optional';
  query?: readonly QueryParameter[];
  /** The answer from AWS's: undefined when it holds nothing (a 404). */
  answer?: (response: Record<string, unknown>) => Record<string, unknown> | undefined;
}

const locationOf =
  (collection: string, member: string) =>
  (response: Record<string, unknown>): string | undefined => {
    const arn = response[member];
    if (typeof arn !== 'string') return undefined;
    // Percent-encoding leaves only URI-safe ASCII for the header; a lone surrogate cannot be encoded.
    try {
      return `/${collection}/${encodeURIComponent(arn)}`;
    } catch {
      return undefined;
    }
  };

const INFRA_ARN: PathMember = { parameter: 'arn', member: 'infrastructureConfigurationArn' };
const DISTRIBUTION_ARN: PathMember = { parameter: 'arn', member: 'distributionConfigurationArn' };
const BUILDER_NAME: PathMember = { parameter: 'name', member: 'Name' };

/** The pages of an Image Builder list, and its filter on `name`. */
const CONFIGURATION_LIST: readonly QueryParameter[] = [
  { name: 'maxResults', member: 'maxResults', kind: 'integer' },
  { name: 'nextToken', member: 'nextToken', kind: 'string' },
  { name: 'name', member: 'filters', kind: 'nameFilter' },
];

/** One builder of DescribeImageBuilders' list, as `{ ImageBuilder }`. */
const oneBuilder = (response: Record<string, unknown>) => {
  const [builder] = Array.isArray(response.ImageBuilders) ? response.ImageBuilders : [];
  return isRecord(builder) ? { ImageBuilder: builder } : undefined;
};

export const HTTP_ROUTES: Readonly<Record<string, HttpRoute>> = {
  'POST /infrastructure-configurations': {
    operation: 'CreateInfrastructureConfiguration',
    successStatus: 201,
    location: locationOf('infrastructure-configurations', 'infrastructureConfigurationArn'),
  },
  'GET /infrastructure-configurations': {
    operation: 'ListInfrastructureConfigurations',
    successStatus: 200,
    body: 'none',
    query: CONFIGURATION_LIST,
  },
  'PUT /infrastructure-configurations/{arn}': {
    operation: 'UpdateInfrastructureConfiguration',
    successStatus: 200,
    path: INFRA_ARN,
  },
  'GET /infrastructure-configurations/{arn}': {
    operation: 'GetInfrastructureConfiguration',
    successStatus: 200,
    path: INFRA_ARN,
    body: 'none',
  },
  'DELETE /infrastructure-configurations/{arn}': {
    operation: 'DeleteInfrastructureConfiguration',
    successStatus: 200,
    path: INFRA_ARN,
    body: 'none',
  },
  'POST /distribution-configurations': {
    operation: 'CreateDistributionConfiguration',
    successStatus: 201,
    location: locationOf('distribution-configurations', 'distributionConfigurationArn'),
  },
  'GET /distribution-configurations': {
    operation: 'ListDistributionConfigurations',
    successStatus: 200,
    body: 'none',
    query: CONFIGURATION_LIST,
  },
  'GET /distribution-configurations/{arn}': {
    operation: 'GetDistributionConfiguration',
    successStatus: 200,
    path: DISTRIBUTION_ARN,
    body: 'none',
  },
  'PUT /distribution-configurations/{arn}': {
    operation: 'UpdateDistributionConfiguration',
    successStatus: 200,
    path: DISTRIBUTION_ARN,
  },
  'DELETE /distribution-configurations/{arn}': {
    operation: 'DeleteDistributionConfiguration',
    successStatus: 200,
    path: DISTRIBUTION_ARN,
    body: 'none',
  },
  'POST /image-builders': { operation: 'CreateImageBuilder', successStatus: 201 },
  'GET /image-builders': {
    operation: 'DescribeImageBuilders',
    successStatus: 200,
    body: 'none',
    query: [
      { name: 'maxResults', member: 'MaxResults', kind: 'integer' },
      { name: 'nextToken', member: 'NextToken', kind: 'string' },
    ],
  },
  'GET /image-builders/{name}': {
    operation: 'DescribeImageBuilders',
    successStatus: 200,
    path: { parameter: 'name', member: 'Names', asList: true },
    body: 'none',
    answer: oneBuilder,
  },
  'POST /image-builders/{name}/stop': {
    operation: 'StopImageBuilder',
    successStatus: 200,
    path: BUILDER_NAME,
    body: 'none',
  },
  'POST /image-builders/{name}/start': {
    operation: 'StartImageBuilder',
    successStatus: 200,
    path: BUILDER_NAME,
    body: 'optional',
  },
  'DELETE /image-builders/{name}': {
    operation: 'DeleteImageBuilder',
    successStatus: 200,
    path: BUILDER_NAME,
    body: 'none',
  },
};

/** The route API Gateway matched (`routeKey`, e.g. `PUT /infrastructure-configurations/{arn}`). */
export const matchRoute = (routeKey: string): HttpRoute | undefined =>
  Object.hasOwn(HTTP_ROUTES, routeKey) ? HTTP_ROUTES[routeKey] : undefined;

const PARAMETER_NAMES = { arn: 'ARN', name: 'name' } as const;

const DECIMAL_INTEGER = /^-?[0-9]{1,16}$/;

/** A route's query parameters by name, made once per parameter list. */
const knownParameters = new WeakMap<
  readonly QueryParameter[],
  ReadonlyMap<string, QueryParameter>
>();
const NO_PARAMETERS: ReadonlyMap<string, QueryParameter> = new Map();

const parametersOf = ({ query }: HttpRoute): ReadonlyMap<string, QueryParameter> => {
  if (!query) return NO_PARAMETERS;
  let known = knownParameters.get(query);
  if (!known) {
    known = new Map(query.map((parameter) => [parameter.name, parameter]));
    knownParameters.set(query, known);
  }
  return known;
};

/** The query's members of the request, with an error at the member of each unreadable value. */
const fromQuery = (
  route: HttpRoute,
  query: Readonly<Record<string, string | undefined>>,
): { members: Record<string, unknown>; errors: FieldError[] } => {
  const members: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  const known = parametersOf(route);
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const parameter = known.get(name);
    if (!parameter) {
      errors.push({ path: `/${escapePointerToken(name)}`, message: 'unknown query parameter' });
      continue;
    }
    const { member, kind } = parameter;
    if (kind === 'nameFilter') members[member] = [{ name: 'name', values: [value] }];
    else if (kind === 'string') members[member] = value;
    else if (DECIMAL_INTEGER.test(value)) members[member] = Number(value);
    else errors.push({ path: `/${member}`, message: 'must be an integer' });
  }
  return { members, errors };
};

/**
 * Builds the AWS request from the body, the path parameter that names the resource, and the
 * query. A body that repeats the path's member must give the same value.
 */
export const buildInput = (
  route: HttpRoute,
  body: unknown,
  pathValue: string | undefined,
  query: Readonly<Record<string, string | undefined>> = {},
): { input: unknown; errors: FieldError[] } => {
  const fromPath: Record<string, unknown> = {};
  const { path } = route;
  if (path) fromPath[path.member] = path.asList ? [pathValue] : pathValue;
  const queried = fromQuery(route, query);
  if (route.body === 'none' || (route.body === 'optional' && body === undefined)) {
    return { input: { ...queried.members, ...fromPath }, errors: queried.errors };
  }
  if (!path || !isRecord(body)) return { input: body, errors: queried.errors };
  const given = body[path.member];
  if (given !== undefined && given !== pathValue) {
    return {
      input: body,
      errors: [
        ...queried.errors,
        {
          path: `/${path.member}`,
          message: `must equal the ${PARAMETER_NAMES[path.parameter]} in the request path`,
        },
      ],
    };
  }
  return { input: { ...body, ...fromPath }, errors: queried.errors };
};
