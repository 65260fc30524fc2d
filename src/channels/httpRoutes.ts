import type { FieldError } from '../basics/fieldError.js';
import { isRecord } from '../basics/records.js';
import type { OperationName } from '../operations/index.js';

/** How one HTTP route maps onto an operation. */
export interface HttpRoute {
  operation: OperationName;
  successStatus: 200 | 201;
  /** Where the created resource can be read, from the AWS response. */
  location?: (response: Record<string, unknown>) => string | undefined;
  /** The path carries the ARN; the body may repeat it in this member. */
  arnMember?: 'infrastructureConfigurationArn';
  /** GET: the request is built from the path alone. */
  bodyless?: boolean;
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

export const HTTP_ROUTES: Readonly<Record<string, HttpRoute>> = {
  'POST /infrastructure-configurations': {
    operation: 'CreateInfrastructureConfiguration',
    successStatus: 201,
    location: locationOf('infrastructure-configurations', 'infrastructureConfigurationArn'),
  },
  'PUT /infrastructure-configurations/{arn}': {
    operation: 'UpdateInfrastructureConfiguration',
    successStatus: 200,
    arnMember: 'infrastructureConfigurationArn',
  },
  'GET /infrastructure-configurations/{arn}': {
    operation: 'GetInfrastructureConfiguration',
    successStatus: 200,
    arnMember: 'infrastructureConfigurationArn',
    bodyless: true,
  },
  'POST /distribution-configurations': {
    operation: 'CreateDistributionConfiguration',
    successStatus: 201,
    location: locationOf('distribution-configurations', 'distributionConfigurationArn'),
  },
  'POST /image-builders': { operation: 'CreateImageBuilder', successStatus: 201 },
};

/** The route API Gateway matched (`routeKey`, e.g. `PUT /infrastructure-configurations/{arn}`). */
export const matchRoute = (routeKey: string): HttpRoute | undefined =>
  Object.hasOwn(HTTP_ROUTES, routeKey) ? HTTP_ROUTES[routeKey] : undefined;

/** Builds the AWS request from the body and, for ARN routes, the path. */
export const buildInput = (
  route: HttpRoute,
  body: unknown,
  pathArn: string | undefined,
): { input: unknown; errors: FieldError[] } => {
  if (!route.arnMember) return { input: body, errors: [] };
  if (route.bodyless) return { input: { [route.arnMember]: pathArn }, errors: [] };
  if (!isRecord(body)) return { input: body, errors: [] };
  const given = body[route.arnMember];
  if (given !== undefined && given !== pathArn) {
    return {
      input: body,
      errors: [{ path: `/${route.arnMember}`, message: 'must equal the ARN in the request path' }],
    };
  }
  return { input: { ...body, [route.arnMember]: pathArn }, errors: [] };
};
