import type { ServerResponse } from 'node:http';
import { encodeCborTextMap } from './cbor.js';

/** An AWS-modelled (or AWS-like) error raised by an operation handler. */
export class ServiceError extends Error {
  public readonly errorName: string;

  public constructor(errorName: string, message: string) {
    super(message);
    this.name = 'ServiceError';
    this.errorName = errorName;
  }
}

/**
 * `@httpError` of every Image Builder error shape (docs/aws-contracts.md §2.1, plus the model's
 * other error shapes as carried by @aws-sdk/client-imagebuilder 3.1046). Unknown names → 500.
 */
const IMAGEBUILDER_STATUS: Readonly<Record<string, number>> = {
  AccessDeniedException: 403,
  CallRateLimitExceededException: 429,
  ClientException: 400,
  DryRunOperationException: 412,
  ForbiddenException: 403,
  IdempotentParameterMismatchException: 400,
  InvalidPaginationTokenException: 400,
  InvalidParameterCombinationException: 400,
  InvalidParameterException: 400,
  InvalidParameterValueException: 400,
  InvalidRequestException: 400,
  InvalidVersionNumberException: 400,
  ResourceAlreadyExistsException: 400,
  ResourceDependencyException: 400,
  ResourceInUseException: 400,
  ResourceNotFoundException: 404,
  ServiceException: 500,
  ServiceQuotaExceededException: 402,
  ServiceUnavailableException: 503,
  TooManyRequestsException: 429,
  UnknownOperationException: 404,
};

/**
 * AppStream's modelled errors are all 400 except ResourceNotFoundException (404) and
 * DryRunOperationException (412); unknown names → 400 (InternalFailure, the AWS common error, 500).
 */
const APPSTREAM_STATUS: Readonly<Record<string, number>> = {
  DryRunOperationException: 412,
  ResourceNotFoundException: 404,
  InternalFailure: 500,
};

export function imagebuilderStatus(errorName: string): number {
  return IMAGEBUILDER_STATUS[errorName] ?? 500;
}

export function appstreamStatus(errorName: string): number {
  return APPSTREAM_STATUS[errorName] ?? 400;
}

/** restJson1: identity in `X-Amzn-Errortype`, body `{"message": ...}` (lower-case m). */
export function sendRestJsonError(res: ServerResponse, errorName: string, message: string): void {
  const body = JSON.stringify({ message });
  res.writeHead(imagebuilderStatus(errorName), {
    'Content-Type': 'application/json',
    'X-Amzn-Errortype': errorName,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** awsJson1_1: identity in body `__type`, body `{"Message": ...}` (capital M). */
export function sendAwsJsonError(res: ServerResponse, errorName: string, message: string): void {
  const body = JSON.stringify({ __type: errorName, Message: message });
  res.writeHead(appstreamStatus(errorName), {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** rpcv2Cbor: CBOR map with `__type` (absolute shape id) and `Message`. */
export function sendCborError(res: ServerResponse, shapeId: string, message: string): void {
  const body = encodeCborTextMap({ __type: shapeId, Message: message });
  res.writeHead(400, {
    'Content-Type': 'application/cbor',
    'Smithy-Protocol': 'rpc-v2-cbor',
    'Content-Length': body.length,
  });
  res.end(body);
}
