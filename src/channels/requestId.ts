import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/**
 * serverless-offline's own HTTP API gives every event the same `requestContext.requestId`
 * (`offlineContext_resourceId`): no id of a request at all.
 */
const OFFLINE_CONSTANT = /^offlineContext_/;

/**
 * The id a caller is answered with (problem+json `requestId`) and the logs carry as `requestId`:
 * API Gateway's, which it also sends back in the `apigw-requestid` header; the Lambda request id
 * where the event has none of its own (no request context, or serverless-offline's constant).
 */
export const httpRequestId = (
  { requestContext }: Pick<APIGatewayProxyEventV2, 'requestContext'>,
  { awsRequestId }: Pick<Context, 'awsRequestId'>,
): string => {
  const given = requestContext?.requestId;
  return given && !OFFLINE_CONSTANT.test(given) ? given : awsRequestId;
};
