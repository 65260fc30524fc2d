import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { Config } from '../config.js';
import { operations } from '../operations/index.js';
import type { IdempotencyStore } from '../provisioning/idempotency.js';
import type { Pipeline, ProvisioningResult } from '../provisioning/pipeline.js';
import { PROBLEM_CONTENT_TYPE, type Problem, toProblem } from '../provisioning/problem.js';
import { toProvisioningRequest } from './httpRequest.js';
import { type HttpRoute, matchRoute } from './httpRoutes.js';
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

const routeNotFound = (requestId: string): Response =>
  problemResponse({
    type: 'urn:image-provisioner:problem:NotFoundException',
    title: 'Not found',
    status: 404,
    detail: 'No route matches this method and path.',
    code: 'NotFoundException',
    requestId,
  });

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
  if (operations[route.operation].kind === 'write' && result.clientToken) {
    headers['idempotency-key'] = result.clientToken;
  }
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
      if (!matched) return routeNotFound(requestId);
      const request = toProvisioningRequest(
        event,
        matched.route,
        config,
        context.getRemainingTimeInMillis(),
      );
      const result = await pipeline.run(request);
      return toResponse(matched.route, result, requestId, request.correlationId);
    });
