import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { Config } from '../config.js';
import { CORRELATION_ID_RULE, isValidCorrelationId } from '../provisioning/correlationId.js';
import { requestTooLargeError } from '../provisioning/errors.js';
import type { IdempotencyStore } from '../provisioning/idempotency.js';
import type { Pipeline, ProvisioningResult } from '../provisioning/pipeline.js';
import { PROBLEM_CONTENT_TYPE, type Problem, toProblem } from '../provisioning/problem.js';
import type { FieldError } from '../provisioning/validation.js';
import { buildInput, decodeArnParameter, type HttpRoute, matchRoute } from './httpRoutes.js';
import { unexpectedErrorsAsProblems } from './unexpectedErrors.js';

export interface HttpChannelDependencies {
  pipeline: Pipeline;
  logger: Logger;
  idempotency: IdempotencyStore;
  config: Pick<Config, 'maxRequestBytes'>;
}

type Response = APIGatewayProxyStructuredResultV2;

const json = (statusCode: number, body: unknown, headers: Record<string, string>): Response => ({
  statusCode,
  headers,
  body: JSON.stringify(body),
});

const problemResponse = (problem: Problem, headers: Record<string, string> = {}): Response =>
  json(problem.status, problem, { 'content-type': PROBLEM_CONTENT_TYPE, ...headers });

/** The caller as API Gateway's authorizer established it: IAM principal or JWT subject. */
const callerOf = (event: APIGatewayProxyEventV2): string | undefined => {
  const authorizer = (event.requestContext as { authorizer?: Authorizer }).authorizer;
  return authorizer?.iam?.userArn ?? authorizer?.jwt?.claims?.sub?.toString();
};

interface Authorizer {
  iam?: { userArn?: string };
  jwt?: { claims?: Record<string, string | number | boolean | string[]> };
}

interface ParsedBody {
  body: unknown;
  errors: FieldError[];
  tooLarge?: true;
}

const parseBody = (event: APIGatewayProxyEventV2, maxBytes: number): ParsedBody => {
  // API Gateway sends a string or nothing; local emulators may send null or an already parsed value.
  const raw: unknown = event.body;
  if (raw === undefined || raw === null || raw === '') {
    return { body: undefined, errors: [{ path: '', message: 'a JSON request body is required' }] };
  }
  const text =
    typeof raw !== 'string'
      ? JSON.stringify(raw)
      : event.isBase64Encoded
        ? Buffer.from(raw, 'base64').toString('utf8')
        : raw;
  // Measured before parsing: an oversized body costs no JSON work.
  if (Buffer.byteLength(text) > maxBytes) return { body: undefined, errors: [], tooLarge: true };
  try {
    return { body: JSON.parse(text), errors: [] };
  } catch {
    // The parser's message quotes the input: it is not echoed back.
    return { body: undefined, errors: [{ path: '', message: 'must be valid JSON' }] };
  }
};

const successBody = (route: HttpRoute, result: ProvisioningResult & { status: 'SUCCEEDED' }) => {
  const response = (result.response ?? {}) as Record<string, unknown>;
  // AppStream answers without a token; the caller still learns which one was used.
  return route.operation === 'CreateImageBuilder'
    ? { ...response, ClientToken: result.clientToken }
    : response;
};

const toResponse = (
  route: HttpRoute,
  result: ProvisioningResult,
  requestId: string,
  correlationId: string | undefined,
): Response => {
  const headers: Record<string, string> = {};
  const isWrite = route.operation !== 'GetInfrastructureConfiguration';
  if (isWrite && result.clientToken) headers['idempotency-key'] = result.clientToken;
  if (correlationId) headers['x-correlation-id'] = correlationId;
  if (result.replayed) headers['idempotent-replayed'] = 'true';
  if (result.status === 'FAILED') {
    const { retryAfterSeconds } = result.error;
    if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
    return problemResponse(toProblem(result.error, requestId), headers);
  }
  const body = successBody(route, result);
  const location = route.location?.(body);
  if (location) headers.location = location;
  return json(route.successStatus, body, { 'content-type': 'application/json', ...headers });
};

/** API Gateway HTTP API (payload 2.0) entry: the route picks the operation, the pipeline does the rest. */
export const createHttpHandler = ({
  pipeline,
  logger,
  idempotency,
  config,
}: HttpChannelDependencies) =>
  middy<APIGatewayProxyEventV2, Response, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(unexpectedErrorsAsProblems(logger))
    .handler(async (event, context) => {
      idempotency.registerLambdaContext(context);
      const requestId = event.requestContext?.requestId ?? context.awsRequestId;
      const method = event.requestContext?.http?.method ?? 'GET';
      const matched = matchRoute(event.routeKey, method, event.rawPath ?? '');
      if (!matched) {
        return problemResponse({
          type: 'urn:image-provisioner:problem:NotFoundException',
          title: 'Not found',
          status: 404,
          detail: 'No route matches this method and path.',
          code: 'NotFoundException',
          requestId,
        });
      }
      const { route } = matched;
      const headers = event.headers ?? {};
      const parsed: ParsedBody = route.bodyless
        ? { body: undefined, errors: [] }
        : parseBody(event, config.maxRequestBytes);
      const built = buildInput(route, parsed.body, decodeArnParameter(event.pathParameters?.arn));
      const givenCorrelationId = headers['x-correlation-id'];
      const correlationId = isValidCorrelationId(givenCorrelationId)
        ? givenCorrelationId
        : undefined;
      const headerErrors: FieldError[] =
        givenCorrelationId !== undefined && !correlationId
          ? [{ path: '', message: `the X-Correlation-Id header ${CORRELATION_ID_RULE}` }]
          : [];
      const idempotencyKey = headers['idempotency-key'];
      const requestedBy = callerOf(event);
      const result = await pipeline.run({
        channel: 'http',
        operation: route.operation,
        input: built.input,
        inputPointer: '',
        ...(idempotencyKey !== undefined && route.operation !== 'GetInfrastructureConfiguration'
          ? { clientToken: { value: idempotencyKey, label: 'the Idempotency-Key header' } }
          : {}),
        fallbackToken: randomUUID,
        ...(requestedBy ? { requestedBy } : {}),
        ...(correlationId ? { correlationId } : {}),
        finalAttempt: true,
        remainingTimeMs: context.getRemainingTimeInMillis(),
        errors: [...headerErrors, ...parsed.errors, ...built.errors],
        ...(parsed.tooLarge ? { rejection: requestTooLargeError(config.maxRequestBytes) } : {}),
      });
      return toResponse(route, result, requestId, correlationId);
    });
