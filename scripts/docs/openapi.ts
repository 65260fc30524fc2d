import { LOOKUP_ROUTE_KEY } from '../../src/channels/httpLookup.js';
import { requestNotFound } from '../../src/channels/httpResponse.js';
import { HTTP_ROUTES, type HttpRoute } from '../../src/channels/httpRoutes.js';
import { operations } from '../../src/operations/index.js';
import {
  awsResponseExamples,
  EXAMPLE_REQUEST_ID,
  httpSample,
  lookupExample,
  notFoundExample,
  problemExamples,
} from './examples.js';
import { COMPONENT_PREFIX, type JsonSchema } from './jsonSchema.js';
import { bodySchemas } from './shapes.js';

/*
 * OpenAPI 3.1 of the HTTP API: the routes of src/channels/httpRoutes.ts and the status lookup,
 * bodies from the registered shapes, errors as the service renders them.
 */

const ref = (name: string) => ({ $ref: `${COMPONENT_PREFIX}${name}` });
const componentRef = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });

const PROBLEM_TYPE = 'application/problem+json';

const named = <T>(examples: Record<string, T>) =>
  Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }]));

const problemContent = (status: string) => ({
  [PROBLEM_TYPE]: { schema: ref('Problem'), examples: named(problemExamples[status] ?? {}) },
});

const gatewayContent = (message: string) => ({
  'application/json': { schema: ref('GatewayMessage'), example: { message } },
});

/** An error answer: problem+json with its examples, API Gateway's own message where it has one. */
const answer = (
  status: string,
  description: string,
  { gateway, retryAfter = false }: { gateway?: string; retryAfter?: boolean } = {},
) => ({
  description,
  ...(retryAfter ? { headers: { 'Retry-After': componentRef('headers', 'RetryAfter') } } : {}),
  content: {
    ...(status === '' ? {} : problemContent(status)),
    ...(gateway ? gatewayContent(gateway) : {}),
  },
});

const responses = {
  ValidationException: answer(
    '400',
    'ValidationException: the request breaks a model constraint (nothing is sent to AWS); `errors` point at each field.',
  ),
  Forbidden: answer(
    '403',
    'PolicyViolationException (problem+json): the request breaks the stage\'s guardrails, nothing is sent to AWS. Or API Gateway\'s own `{"message":"Forbidden"}`: the SigV4 signature or the caller\'s `execute-api:Invoke` permission is missing.',
    { gateway: 'Forbidden' },
  ),
  Unauthorized: answer(
    '',
    "API Gateway's own answer when the JWT is missing or not valid (authMode jwt).",
    { gateway: 'Unauthorized' },
  ),
  InProgress: answer(
    '409',
    'IdempotencyInProgressException: the same clientToken is still being processed (retry after `Retry-After`); ResourceAlreadyExistsException: an image builder of that Name exists with another configuration.',
    { retryAfter: true },
  ),
  TooLarge: answer(
    '413',
    "RequestTooLargeException: the body is above 256 KiB (problem+json). Above 10 MB, API Gateway's own answer.",
    { gateway: 'Request Entity Too Large' },
  ),
  Mismatch: answer(
    '422',
    'IdempotentParameterMismatchException: the clientToken was used with a different request.',
  ),
  Throttled: answer(
    '429',
    "AWS throttled the request (its error name as `code`, problem+json, with `Retry-After`), or the route's throttle at API Gateway (its own answer, without `Retry-After`: back off and retry).",
    { gateway: 'Too Many Requests', retryAfter: true },
  ),
  InternalFailure: answer(
    '500',
    "InternalFailure: a failure nobody anticipated (answered with the request id only); or API Gateway's own answer when the function crashed or timed out.",
    { gateway: 'Internal Server Error' },
  ),
  Unavailable: answer(
    '503',
    'ServiceUnavailableException (or the AWS error name): AWS or DynamoDB temporarily unavailable, or the request did not finish in time; OutcomeUnknownException: AWS did not answer in time after the request may have reached it. Retry after `Retry-After` with the same clientToken: it is not carried out twice. API Gateway answers its own 503 for an integration over 30 s.',
    { gateway: 'Service Unavailable', retryAfter: true },
  ),
  AwsError: answer(
    'default',
    'AWS rejected the request: its error name as `code` and its status (e.g. 404 ResourceNotFoundException, 402 ServiceQuotaExceededException).',
  ),
};

const headers = {
  IdempotencyKey: {
    description:
      'The idempotency key of the request: the one given, or the one generated when none was.',
    schema: ref('ClientToken'),
  },
  CorrelationId: {
    description: 'The `X-Correlation-Id` of the request, echoed.',
    schema: ref('CorrelationId'),
  },
  IdempotentReplayed: {
    description:
      'Present when the answer is the stored answer of an earlier request with this key.',
    schema: { type: 'string', const: 'true' },
  },
  RetryAfter: {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', minimum: 0 },
  },
  Location: {
    description: 'Where the created resource can be read: its ARN percent-encoded as one segment.',
    schema: { type: 'string' },
  },
};

const parameters = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      "The idempotency key (or the body's `clientToken` / `ClientToken`; both present must agree). Absent: one is generated and answered in the `Idempotency-Key` header.",
    schema: ref('ClientToken'),
  },
  CorrelationId: {
    name: 'X-Correlation-Id',
    in: 'header',
    required: false,
    description: 'Echoed back and carried into the outcome as `correlationId`.',
    schema: ref('CorrelationId'),
  },
};

const pathOf = (routeKey: string) => {
  const [method = '', path = ''] = routeKey.split(' ');
  return { method: method.toLowerCase(), path };
};

/** The schema of a request member (an array's item schema for a list member). */
const memberSchema = (
  route: HttpRoute,
  requests: Record<string, JsonSchema>,
  member: string,
): JsonSchema => {
  const request = requests[`${route.operation}Request`];
  const properties = request?.properties as Record<string, JsonSchema> | undefined;
  const schema = properties?.[member];
  if (!schema) throw new Error(`no member ${member} in ${route.operation}`);
  return schema;
};

const PATH_PARAMETERS = {
  arn: 'The ARN, percent-encoded as one path segment (`encodeURIComponent`); decoded once, so an ARN encoded twice is a 400.',
  name: "The image builder's name.",
};

const pathParameter = (route: HttpRoute, requests: Record<string, JsonSchema>) => {
  const { path } = route;
  if (!path) throw new Error(`no path member for ${route.operation}`);
  const schema = memberSchema(route, requests, path.member);
  return {
    name: path.parameter,
    in: 'path',
    required: true,
    description: PATH_PARAMETERS[path.parameter],
    schema: path.asList ? (schema.items as JsonSchema) : schema,
    example: httpSample(route.operation, path).pathValue,
  };
};

/** The filter on `name`: one value of the model's FilterValue. */
const filterValueSchema = (filters: JsonSchema): JsonSchema => {
  const filter = (filters.items ?? {}) as JsonSchema;
  const values = ((filter.properties ?? {}) as Record<string, JsonSchema>).values ?? {};
  return (values.items ?? {}) as JsonSchema;
};

const QUERY_DESCRIPTIONS = {
  integer: (member: string) => `\`${member}\` of the AWS request: how many items a page holds.`,
  string: (member: string) =>
    `\`${member}\` of the AWS request: the page after the one that answered it.`,
  nameFilter: (member: string) =>
    `Only the configurations of this name: \`${member}: [{"name": "name", "values": [<name>]}]\` of the AWS request.`,
};

const queryParameters = (route: HttpRoute, requests: Record<string, JsonSchema>) =>
  (route.query ?? []).map(({ name, member, kind }) => {
    const schema = memberSchema(route, requests, member);
    return {
      name,
      in: 'query',
      required: false,
      description: `${QUERY_DESCRIPTIONS[kind](member)} A value the model refuses is a 400 at \`/${member}\`${kind === 'nameFilter' ? '`/0/values/0`' : ''}.`,
      schema: kind === 'nameFilter' ? filterValueSchema(schema) : schema,
    };
  });

const OWNERSHIP_NOTE =
  " The resource is read first: one the service did not create (its ownership tag, `image-provisioner:owner`, of this stage) is refused with 403 PolicyViolationException and nothing is written, unless the stage's guardrails list it under `adoptable`.";

const operationPaths = (components: Record<string, JsonSchema>) =>
  Object.entries(HTTP_ROUTES).map(([routeKey, route]) => {
    const { method, path } = pathOf(routeKey);
    const operation = operations[route.operation];
    const write = operation.kind === 'write';
    const sample = httpSample(route.operation, route.path);
    const successHeaders = {
      ...(write ? { 'Idempotency-Key': componentRef('headers', 'IdempotencyKey') } : {}),
      'X-Correlation-Id': componentRef('headers', 'CorrelationId'),
      ...(write ? { 'Idempotent-Replayed': componentRef('headers', 'IdempotentReplayed') } : {}),
      ...(route.location ? { Location: componentRef('headers', 'Location') } : {}),
    };
    const body = bodySchemas[route.operation]
      ? `${route.operation}Body`
      : `${route.operation}Request`;
    const success = route.answer
      ? 'ImageBuilderAnswer'
      : operation.tokenEchoMember
        ? `${route.operation}Result`
        : `${route.operation}Response`;
    const awsExample = awsResponseExamples[route.operation];
    const successExample = route.answer
      ? route.answer(awsExample)
      : operation.tokenEchoMember
        ? { ...awsExample, [operation.tokenEchoMember]: '4fac7d4a-8e97-4aac-9e5d-6d5bcfba9c05' }
        : awsExample;
    return {
      path,
      method,
      value: {
        // A second route of the same operation answers one resource of its list.
        operationId: route.answer ? route.operation.replace(/s$/, '') : route.operation,
        summary: `${route.operation} (${operation.service === 'appstream' ? 'AppStream 2.0' : 'EC2 Image Builder'})`,
        description: `${
          write
            ? `Calls AWS ${route.operation} once per clientToken and announces the outcome on the outcomes topic. A retry with the same key answers the first answer (\`Idempotent-Replayed: true\`).`
            : `Calls AWS ${route.operation}; answers only the caller.`
        }${route.path && write && !route.location ? OWNERSHIP_NOTE : ''}${operation.readiness ? ` Followed through: ${Object.values(operation.readiness.events).join(', ')} (asyncapi.json).` : ''}`,
        tags: [operation.service === 'appstream' ? 'AppStream' : 'Image Builder'],
        parameters: [
          ...(route.path ? [pathParameter(route, components)] : []),
          ...queryParameters(route, components),
          ...(write ? [componentRef('parameters', 'IdempotencyKey')] : []),
          componentRef('parameters', 'CorrelationId'),
        ],
        ...(route.body === 'none'
          ? {}
          : {
              requestBody: {
                required: route.body !== 'optional',
                content: {
                  'application/json': {
                    schema: ref(body),
                    examples: { sample: { summary: `events/http sample`, value: sample.body } },
                  },
                },
              },
            }),
        responses: {
          [String(route.successStatus)]: {
            description: `The AWS ${route.operation} response${operation.tokenEchoMember ? `, with \`${operation.tokenEchoMember}\`` : ''}.`,
            headers: successHeaders,
            content: {
              'application/json': {
                schema: ref(success),
                examples: { success: { value: successExample } },
              },
            },
          },
          '400': componentRef('responses', 'ValidationException'),
          '401': componentRef('responses', 'Unauthorized'),
          '403': componentRef('responses', 'Forbidden'),
          ...(route.answer
            ? {
                '404': {
                  description: 'ResourceNotFoundException: AWS holds no resource of that name.',
                  content: problemContent('default'),
                },
              }
            : {}),
          ...(write
            ? {
                '409': componentRef('responses', 'InProgress'),
                '413': componentRef('responses', 'TooLarge'),
                '422': componentRef('responses', 'Mismatch'),
              }
            : {}),
          '429': componentRef('responses', 'Throttled'),
          '500': componentRef('responses', 'InternalFailure'),
          '503': componentRef('responses', 'Unavailable'),
          default: componentRef('responses', 'AwsError'),
        },
      },
    };
  });

const lookupPath = () => {
  const { method, path } = pathOf(LOOKUP_ROUTE_KEY);
  const notFound = requestNotFound(EXAMPLE_REQUEST_ID);
  return {
    path,
    method,
    value: {
      operationId: 'GetRequestStatus',
      summary: 'Status lookup: what the request ledger holds of one request',
      description:
        'Tokens are scoped per operation, so `operation` is required. Records are kept for `REQUEST_RETENTION_SECONDS` (7 days by default) after the request was first seen.',
      tags: ['Requests'],
      parameters: [
        {
          name: 'clientToken',
          in: 'path',
          required: true,
          description: 'The idempotency key of the request, percent-encoded as one path segment.',
          schema: ref('ClientToken'),
        },
        {
          name: 'operation',
          in: 'query',
          required: true,
          description: 'The operation the request was made to.',
          schema: ref('OperationName'),
        },
      ],
      responses: {
        '200': {
          description: "The request's state.",
          content: {
            'application/json': {
              schema: ref('RequestStatus'),
              examples: { succeeded: { value: lookupExample } },
            },
          },
        },
        '400': componentRef('responses', 'ValidationException'),
        '401': componentRef('responses', 'Unauthorized'),
        '403': {
          description:
            "API Gateway's own answer: the SigV4 signature or the caller's permission is missing.",
          content: gatewayContent('Forbidden'),
        },
        '404': {
          description:
            'NotFoundException: no request with this clientToken for this operation, or its record has expired.',
          content: {
            [PROBLEM_TYPE]: {
              schema: ref('Problem'),
              examples: { NotFoundException: { value: notFoundExample(String(notFound.body)) } },
            },
          },
        },
        '429': {
          description:
            "API Gateway's own answer: the route's throttle (it calls no AWS API, so nothing else throttles it). Back off and retry.",
          content: gatewayContent('Too Many Requests'),
        },
        '500': componentRef('responses', 'InternalFailure'),
        '503': componentRef('responses', 'Unavailable'),
      },
    },
  };
};

const DESCRIPTION = `Provision AWS build environments (EC2 Image Builder, AppStream 2.0) without console access. Bodies are exactly the AWS request shapes; unknown members are rejected at every level. Every write is carried out once per clientToken (the \`Idempotency-Key\` header or the body's token member) and announces its outcome on the outcomes topic (see asyncapi.json). Every error is \`application/problem+json\` with a stable \`code\`, except the answers API Gateway gives itself (\`{"message": ...}\`). Every route is authenticated: SigV4 (authMode iam, the default) or a bearer JWT (authMode jwt), as the deployment chose.`;

export const openApiDocument = (
  components: Record<string, JsonSchema>,
  version: string,
): JsonSchema => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { path, method, value } of [...operationPaths(components), lookupPath()]) {
    paths[path] = { ...paths[path], [method]: value };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'image-provisioner HTTP API', version, description: DESCRIPTION },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'A deployment (stack output `HttpApiUrl`).',
        variables: { apiId: { default: 'a1b2c3d4e5' }, region: { default: 'us-east-1' } },
      },
      {
        url: 'http://127.0.0.1:3000',
        description: 'The offline stack (`npm start`), no authorizer.',
      },
    ],
    security: [{ sigv4: [] }, { jwt: [] }],
    tags: [
      { name: 'Image Builder', description: 'EC2 Image Builder configurations.' },
      { name: 'AppStream', description: 'AppStream 2.0 image builders.' },
      { name: 'Requests', description: 'What became of a request.' },
    ],
    paths,
    components: {
      schemas: components,
      parameters,
      headers,
      responses,
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description:
            'authMode iam (default): a SigV4-signed request (service `execute-api`) from a principal allowed `execute-api:Invoke` on the stack output `HttpApiExecuteArn`.',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
        jwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "authMode jwt: a bearer JWT from the stage's `jwtIssuerUrl` for one of its `jwtAudience` values.",
        },
      },
    },
  };
};
