import { randomUUID } from 'node:crypto';
import { readCheckedAnswer } from './documents.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body (`undefined` when empty). */
  body: Record<string, unknown>;
  text: string;
}

/**
 * A portal's HTTP client for the provisioning API. Every answer is checked against
 * docs/openapi.json first: one the document does not describe (its status, headers, content type
 * or body) fails the test.
 */
export class Api {
  public constructor(private readonly baseUrl: string) {}

  public async send(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(25_000),
    });
    const text = await readCheckedAnswer(method, path, response);
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
      text,
    };
  }

  /** The status lookup: `GET /requests/{clientToken}?operation=<operation>`. */
  public lookup(operation: string, clientToken: string): Promise<ApiResponse> {
    return this.send(
      'GET',
      `/requests/${encodeURIComponent(clientToken)}?operation=${encodeURIComponent(operation)}`,
    );
  }

  /** `POST /infrastructure-configurations` with `idempotencyKey` (and any further headers). */
  public createInfrastructure(
    request: unknown,
    idempotencyKey: string,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    return this.send('POST', '/infrastructure-configurations', request, {
      'idempotency-key': idempotencyKey,
      ...headers,
    });
  }
}

/** The path segment of an ARN route (the ARN percent-encoded as one segment). */
export const arnPath = (arn: string): string =>
  `/infrastructure-configurations/${encodeURIComponent(arn)}`;

/** A short unique suffix: names and tokens of one test never meet another test's. */
export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;
