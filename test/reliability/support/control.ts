/*
 * The outside levers a fault-injection test pulls on a running offline stack: its control API
 * (SNS / DynamoDB outages for the service) and raw HTTP. Its queues: test/e2e/support/queues.ts.
 */

import type { LateAnswers } from '../../../local/stack/outageGate.js';
import { readCheckedAnswer } from '../../e2e/support/documents.js';

export type Part = 'sns' | 'dynamodb';

export interface PartState {
  available: boolean;
  mode: 'reset' | 'hang';
  /** Answers held back while the part is up (see local/stack/outageGate.ts). */
  late?: LateAnswers;
}

/** The stack's `/_stack/parts` API: takes SNS or DynamoDB down for the service and back up. */
export class StackParts {
  public constructor(private readonly endpoint: string) {}

  public async set(
    part: Part,
    state: { available: boolean; mode?: 'reset' | 'hang'; late?: LateAnswers },
  ) {
    const response = await fetch(`${this.endpoint}/_stack/parts/${part}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(state),
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status !== 200) {
      throw new Error(`PUT /_stack/parts/${part}: ${response.status} ${await response.text()}`);
    }
    return (await response.json()) as PartState;
  }

  /** Both parts available again (the default state). */
  public async restore(): Promise<void> {
    await this.set('sns', { available: true });
    await this.set('dynamodb', { available: true });
  }
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body, `undefined` when empty or not JSON. */
  body: Record<string, unknown> | undefined;
  elapsedMs: number;
}

/**
 * An HTTP request with the body sent byte for byte as given (junk included). The answer is
 * checked against docs/openapi.json, as `Api`'s are: one it does not describe fails the test.
 */
export const sendRaw = async (
  baseUrl: string,
  method: string,
  path: string,
  body: string | undefined,
  headers: Record<string, string> = {},
): Promise<RawResponse> => {
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { accept: 'application/json', 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(25_000),
  });
  const text = await readCheckedAnswer(method, path, response);
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    parsed = undefined;
  }
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: parsed,
    elapsedMs: performance.now() - started,
  };
};

/** One line of figures, with the prefix CI logs are searched for. */
export const printFigures = (what: string, figures: Record<string, unknown>): void => {
  const text = Object.entries(figures)
    .map(([name, value]) => `${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
  console.log(`[reliability] ${what}: ${text}`);
};

/** `{value: count}` for the values of `items`, in first-seen order. */
export const tally = <T>(items: readonly T[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[String(item)] = (counts[String(item)] ?? 0) + 1;
  return counts;
};

/** The fields of the service's one structured line per request (`provisioning request`). */
export interface RequestLogLine {
  clientToken?: string;
  channel?: 'http' | 'sqs';
  outcome?: 'SUCCEEDED' | 'FAILED';
  replayed?: boolean;
  errorCode?: string;
}

/**
 * The `provisioning request` lines the stack printed for `token`, as an operator sees them in the
 * terminal of `npm start`. Lines that do not parse are skipped: figures from here are lower bounds.
 */
export const requestLog = (output: string, token: string): RequestLogLine[] =>
  output.split('\n').flatMap((line) => {
    if (!line.includes('"provisioning request"') || !line.includes(JSON.stringify(token))) {
      return [];
    }
    try {
      const entry = JSON.parse(line.slice(line.indexOf('{'))) as RequestLogLine;
      return entry.clientToken === token ? [entry] : [];
    } catch {
      return [];
    }
  });

/** `sqs SUCCEEDED replayed`, `http FAILED IdempotencyInProgressException`, ... */
export const describeLogLine = ({ channel, outcome, replayed, errorCode }: RequestLogLine) =>
  [channel, outcome, replayed ? 'replayed' : '', errorCode ?? ''].filter(Boolean).join(' ');
