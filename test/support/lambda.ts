import { randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
  SQSRecord,
} from 'aws-lambda';

export const lambdaContext = (functionName = 'image-provisioner-test'): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

export interface HttpEventOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Route template, e.g. `/infrastructure-configurations/{arn}`. */
  route: string;
  arn?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** An API Gateway HTTP API (payload 2.0) event as the service receives it. */
export const httpEvent = ({
  method,
  route,
  arn,
  body,
  rawBody,
  headers = {},
}: HttpEventOptions): APIGatewayProxyEventV2 => {
  const rawPath = arn === undefined ? route : route.replace('{arn}', encodeURIComponent(arn));
  const requestId = randomUUID();
  return {
    version: '2.0',
    routeKey: `${method} ${route}`,
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId,
      routeKey: `${method} ${route}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    ...(arn === undefined ? {} : { pathParameters: { arn } }),
    ...(rawBody !== undefined
      ? { body: rawBody }
      : body !== undefined
        ? { body: JSON.stringify(body) }
        : {}),
    isBase64Encoded: false,
  };
};

export const sqsRecord = (
  body: unknown,
  {
    messageId = randomUUID(),
    receiveCount = 1,
  }: { messageId?: string; receiveCount?: number } = {},
): SQSRecord => ({
  messageId,
  receiptHandle: `handle-${messageId}`,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: String(Date.now()),
    SenderId: 'AIDAEXAMPLE',
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:image-provisioner-requests',
  awsRegion: 'us-east-1',
});

export interface DecodedResponse {
  status: number | undefined;
  headers: Record<string, string | number | boolean>;
  body: Record<string, unknown>;
}

/** Invokes an HTTP handler with an event and decodes its answer the way a caller reads it. */
export const invokeHttp = async (
  handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>,
  event: APIGatewayProxyEventV2,
  context: Context = lambdaContext(),
): Promise<DecodedResponse> => {
  const response = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
  return {
    status: response.statusCode,
    headers: response.headers ?? {},
    body: JSON.parse(response.body ?? 'null') as Record<string, unknown>,
  };
};
