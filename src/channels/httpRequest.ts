import { randomUUID } from 'node:crypto';
import type { APIGatewayEventRequestContextV2, APIGatewayProxyEventV2 } from 'aws-lambda';
import { requestTooLargeError } from '../basics/errors.js';
import type { FieldError } from '../basics/fieldError.js';
import { operations } from '../operations/index.js';
import type { ProvisioningRequest } from '../provisioning/request.js';
import { CORRELATION_ID_RULE, isValidCorrelationId } from './correlationId.js';
import { buildInput, type HttpRoute } from './httpRoutes.js';
import type { ChannelSettings } from './settings.js';

/** The request context as API Gateway fills it once an IAM or JWT authorizer let the call in. */
interface AuthorizedRequestContext {
  authorizer?: {
    iam?: { userArn?: string };
    jwt?: { claims?: Record<string, string | number | boolean | string[]> };
  };
}

/** The caller as API Gateway's authorizer established it: IAM principal or JWT subject. */
const callerOf = ({ requestContext }: APIGatewayProxyEventV2): string | undefined => {
  const context: APIGatewayEventRequestContextV2 & AuthorizedRequestContext = requestContext;
  return context.authorizer?.iam?.userArn ?? context.authorizer?.jwt?.claims?.sub?.toString();
};

interface ParsedBody {
  body: unknown;
  errors: FieldError[];
  tooLarge?: true;
  unreadable?: true;
}

/** No body the schema could check: the one error says why. */
const unreadableBody = (message: string): ParsedBody => ({
  body: undefined,
  errors: [{ path: '', message }],
  unreadable: true,
});

const parseBody = (event: APIGatewayProxyEventV2, maxBytes: number): ParsedBody => {
  // API Gateway sends the body as a string, and leaves the member out when there is none.
  if (typeof event.body !== 'string' || event.body === '') {
    return unreadableBody('a JSON request body is required');
  }
  const text = event.isBase64Encoded
    ? Buffer.from(event.body, 'base64').toString('utf8')
    : event.body;
  // Measured before parsing: an oversized body costs no JSON work.
  if (Buffer.byteLength(text) > maxBytes) return { body: undefined, errors: [], tooLarge: true };
  try {
    return { body: JSON.parse(text), errors: [] };
  } catch {
    // The parser's message quotes the input: it is not echoed back.
    return unreadableBody('must be valid JSON');
  }
};

/** The body a route reads: none, one if sent, or one it requires. */
const bodyOf = (event: APIGatewayProxyEventV2, route: HttpRoute, maxBytes: number): ParsedBody => {
  if (route.body === 'none') return { body: undefined, errors: [] };
  if (route.body === 'optional' && (typeof event.body !== 'string' || event.body === '')) {
    return { body: undefined, errors: [] };
  }
  return parseBody(event, maxBytes);
};

/** The X-Correlation-Id header when it is well formed, with the error when it is not. */
const correlationIdOf = (
  event: APIGatewayProxyEventV2,
): { correlationId: string | undefined; errors: FieldError[] } => {
  const given = event.headers?.['x-correlation-id'];
  if (given === undefined) return { correlationId: undefined, errors: [] };
  return isValidCorrelationId(given)
    ? { correlationId: given, errors: [] }
    : {
        correlationId: undefined,
        errors: [{ path: '', message: `the X-Correlation-Id header ${CORRELATION_ID_RULE}` }],
      };
};

/** When API Gateway received the request, epoch ms (`requestContext.timeEpoch`), else now. */
const arrivalOf = ({ requestContext }: APIGatewayProxyEventV2, now = Date.now()): number => {
  const arrived = requestContext?.timeEpoch;
  return Number.isSafeInteger(arrived) && arrived > 0 ? Math.min(arrived, now) : now;
};

/** Reads one API Gateway request for the pipeline: body, path ARN, headers and caller. */
export const toProvisioningRequest = (
  event: APIGatewayProxyEventV2,
  route: HttpRoute,
  { maxRequestBytes }: Pick<ChannelSettings, 'maxRequestBytes'>,
  remainingTimeMs: number,
): ProvisioningRequest => {
  const parsed: ParsedBody = bodyOf(event, route, maxRequestBytes);
  // API Gateway hands path parameters over percent-decoded: decoding again would turn `%253A`
  // into `:` and let an ARN through that the path did not carry.
  const pathValue = route.path && event.pathParameters?.[route.path.parameter];
  const built = buildInput(route, parsed.body, pathValue, event.queryStringParameters ?? {});
  const { correlationId, errors: headerErrors } = correlationIdOf(event);
  const idempotencyKey = event.headers?.['idempotency-key'];
  const requestedBy = callerOf(event);
  return {
    channel: 'http',
    operation: route.operation,
    input: built.input,
    inputPointer: '',
    // Reads are not idempotent on a key: the header means nothing there.
    ...(idempotencyKey !== undefined && operations[route.operation].kind === 'write'
      ? { clientToken: { value: idempotencyKey, label: 'the Idempotency-Key header' } }
      : {}),
    fallbackToken: randomUUID,
    ...(requestedBy ? { requestedBy } : {}),
    ...(correlationId ? { correlationId } : {}),
    // The caller hears every outcome in the answer, and retries it themselves.
    finalAttempt: true,
    announcesRejections: false,
    idempotentReads: false,
    remainingTimeMs,
    firstSentAt: arrivalOf(event),
    errors: [...headerErrors, ...parsed.errors, ...built.errors],
    ...(parsed.unreadable ? { inputUnreadable: parsed.unreadable } : {}),
    ...(parsed.tooLarge ? { rejection: requestTooLargeError(maxRequestBytes) } : {}),
  };
};
