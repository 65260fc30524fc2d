import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PROBLEM_CONTENT_TYPE, type Problem } from './problem.js';

export type Response = APIGatewayProxyStructuredResultV2;

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string>,
): Response => ({ statusCode, headers, body: JSON.stringify(body) });

export const problemResponse = (problem: Problem, headers: Record<string, string> = {}): Response =>
  json(problem.status, problem, { 'content-type': PROBLEM_CONTENT_TYPE, ...headers });

const notFound = (requestId: string, detail: string): Response =>
  problemResponse({
    type: 'urn:image-provisioner:problem:NotFoundException',
    title: 'Not found',
    status: 404,
    detail,
    code: 'NotFoundException',
    requestId,
  });

export const routeNotFound = (requestId: string): Response =>
  notFound(requestId, 'No route matches this method and path.');

export const requestNotFound = (requestId: string): Response =>
  notFound(
    requestId,
    'No request with this clientToken for this operation, or its record has expired.',
  );
