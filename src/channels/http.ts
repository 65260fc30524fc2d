import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isRecord } from '../basics/records.js';
import { resourceNotFoundError } from '../operations/errors.js';
import type { RequestLookup } from '../provisioning/lookup.js';
import type { Pipeline, ProvisioningResult } from '../provisioning/pipeline.js';
import { runInTime } from './deadline.js';
import { answerLookup, LOOKUP_ROUTE_KEY } from './httpLookup.js';
import { toProvisioningRequest } from './httpRequest.js';
import { json, problemResponse, type Response, routeNotFound } from './httpResponse.js';
import { type HttpRoute, matchRoute } from './httpRoutes.js';
import { type EntryDependencies, lambdaEntry } from './middleware.js';
import { toProblem } from './problem.js';
import { httpRequestId } from './requestId.js';
import type { ChannelSettings } from './settings.js';
import { unexpectedErrorsAsProblems } from './unexpectedErrors.js';

interface HttpChannelDependencies extends EntryDependencies {
  pipeline: Pipeline;
  lookup: RequestLookup;
  config: Pick<ChannelSettings, 'maxRequestBytes'>;
}

/** A read of one resource that AWS answered with none. */
const NOTHING_FOUND = 'AWS holds no resource of that name.';

const NOT_FINISHED_IN_TIME =
  'The request did not finish in time. Retry with the same clientToken: it is not carried out twice.';

const successBody = ({
  operation,
  response,
  clientToken,
}: ProvisioningResult & { status: 'SUCCEEDED' }): Record<string, unknown> => {
  const body = isRecord(response) ? response : {};
  const member = operation.tokenEchoMember;
  return member ? { ...body, [member]: clientToken } : body;
};

/**
 * What may go into a response header: printable ASCII. The token and correlation id rules already
 * hold every echoed value to it; this keeps a value that somehow is not out of the header.
 */
const HEADER_VALUE = /^[\x20-\x7e]+$/;
const headerSafe = (value: string | undefined): value is string =>
  value !== undefined && HEADER_VALUE.test(value);

const toResponse = (
  route: HttpRoute,
  result: ProvisioningResult,
  requestId: string,
  correlationId: string | undefined,
): Response => {
  const headers: Record<string, string> = {};
  if (result.operation?.kind === 'write' && headerSafe(result.clientToken)) {
    headers['idempotency-key'] = result.clientToken;
  }
  if (headerSafe(correlationId)) headers['x-correlation-id'] = correlationId;
  if (result.replayed) headers['idempotent-replayed'] = 'true';
  if (result.status === 'FAILED') {
    const { retryAfterSeconds } = result.error;
    if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
    return problemResponse(toProblem(result.error, requestId), headers);
  }
  const answered = route.answer ? route.answer(successBody(result)) : successBody(result);
  if (!answered) {
    return problemResponse(toProblem(resourceNotFoundError(NOTHING_FOUND), requestId), headers);
  }
  const location = route.location?.(answered);
  if (headerSafe(location)) headers.location = location;
  return json(route.successStatus, answered, { 'content-type': 'application/json', ...headers });
};

/** API Gateway HTTP API (payload 2.0) entry: the route picks the operation, the pipeline does the rest. */
export const createHttpHandler = ({
  pipeline,
  lookup,
  config,
  ...entry
}: HttpChannelDependencies) =>
  lambdaEntry<APIGatewayProxyEventV2, Response>(entry)
    .use(unexpectedErrorsAsProblems(entry.logger))
    .handler(async (event, context) => {
      const requestId = httpRequestId(event, context);
      // Beside the Lambda's own `function_request_id`, every line of this invocation carries it.
      entry.logger.appendKeys({ requestId });
      if (event.routeKey === LOOKUP_ROUTE_KEY) return answerLookup(lookup, event, requestId);
      const route = matchRoute(event.routeKey);
      if (!route) return routeNotFound(requestId);
      const remainingTimeMs = context.getRemainingTimeInMillis();
      const request = toProvisioningRequest(event, route, config, remainingTimeMs);
      // A caller always gets an answer in time: a 503 to retry rather than Lambda's timeout.
      const result = await runInTime(pipeline, request, NOT_FINISHED_IN_TIME);
      return toResponse(route, result, requestId, request.correlationId);
    });
