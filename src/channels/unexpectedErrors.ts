import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PROBLEM_CONTENT_TYPE, unexpectedProblem } from './problem.js';
import { httpRequestId } from './requestId.js';

/**
 * Last line of defence: a bug becomes a logged error and a generic 500 problem that carries
 * the request id, never the message or stack.
 */
export const unexpectedErrorsAsProblems = (
  logger: Logger,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  onError: async (request) => {
    logger.error('unexpected failure', { error: request.error });
    const requestId = httpRequestId(request.event, request.context);
    request.response = {
      statusCode: 500,
      headers: { 'content-type': PROBLEM_CONTENT_TYPE },
      body: JSON.stringify(unexpectedProblem(requestId)),
    };
  },
});
