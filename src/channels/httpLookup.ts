import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RequestLookup } from '../provisioning/lookup.js';
import { json, problemResponse, type Response, requestNotFound } from './httpResponse.js';
import { toProblem } from './problem.js';

/** The status lookup's route: `GET /requests/{clientToken}?operation=<OperationName>`. */
export const LOOKUP_ROUTE_KEY = 'GET /requests/{clientToken}';

/** Answers the status lookup: 200 with the request's state, 404 when unknown or expired. */
export const answerLookup = async (
  lookup: RequestLookup,
  event: APIGatewayProxyEventV2,
  requestId: string,
): Promise<Response> => {
  const result = await lookup.find(
    event.queryStringParameters?.operation,
    event.pathParameters?.clientToken,
  );
  if (result.found) return json(200, result.request, { 'content-type': 'application/json' });
  if (!result.error) return requestNotFound(requestId);
  const { retryAfterSeconds } = result.error;
  return problemResponse(
    toProblem(result.error, requestId),
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
  );
};
