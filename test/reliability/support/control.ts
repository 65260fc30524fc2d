import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { RunningStack } from '../../e2e/support/stack.js';
import { eventually } from '../../e2e/support/wait.js';

/*
 * The outside levers a fault-injection test pulls on a running offline stack: its control API
 * (SNS / DynamoDB outages for the service), its queues, and raw HTTP.
 */

export type Part = 'sns' | 'dynamodb';

export interface PartState {
  available: boolean;
  mode: 'reset' | 'hang';
}

/** The stack's `/_stack/parts` API: takes SNS or DynamoDB down for the service and back up. */
export class StackParts {
  public constructor(private readonly endpoint: string) {}

  public async set(part: Part, state: { available: boolean; mode?: 'reset' | 'hang' }) {
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

/** An HTTP request with the body sent byte for byte as given (junk included). */
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
  const text = await response.text();
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

/** Runs `task` over `items` with at most `limit` in flight; results in input order. */
export const mapLimit = async <T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) {
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

/** The request queue and its DLQ, seen from outside. */
export class Queues {
  public constructor(private readonly stack: RunningStack) {}

  public get requestQueueUrl(): string {
    return this.stack.info.sqs.requestQueueUrl;
  }

  public get deadLetterQueueUrl(): string {
    return this.stack.info.sqs.deadLetterQueueUrl;
  }

  public async send(body: string): Promise<string> {
    const { MessageId } = await this.stack.sqs.send(
      new SendMessageCommand({ QueueUrl: this.requestQueueUrl, MessageBody: body }),
    );
    if (!MessageId) throw new Error('SendMessage returned no MessageId');
    return MessageId;
  }

  /** Sends every body (batches of 10); resolves to the message ids in the same order. */
  public async sendAll(bodies: readonly string[]): Promise<string[]> {
    const batches: string[][] = [];
    for (let start = 0; start < bodies.length; start += 10) {
      batches.push(bodies.slice(start, start + 10));
    }
    const ids = await mapLimit(batches, 4, async (batch) => {
      const { Successful = [], Failed = [] } = await this.stack.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.requestQueueUrl,
          Entries: batch.map((body, index) => ({ Id: String(index), MessageBody: body })),
        }),
      );
      if (Failed.length > 0) throw new Error(`SendMessageBatch failed: ${JSON.stringify(Failed)}`);
      const byEntry = new Map(Successful.map((entry) => [entry.Id, entry.MessageId]));
      return batch.map((_, index) => {
        const id = byEntry.get(String(index));
        if (!id) throw new Error('SendMessageBatch returned no MessageId');
        return id;
      });
    });
    return ids.flat();
  }

  /** Visible plus in-flight messages. */
  public async depth(queueUrl: string): Promise<number> {
    const { Attributes = {} } = await this.stack.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
    );
  }

  /** Waits (bounded) until the request queue holds nothing, visible or in flight. */
  public async drained(timeoutMs: number): Promise<void> {
    await eventually(
      async () => ((await this.depth(this.requestQueueUrl)) === 0 ? true : undefined),
      { timeoutMs, intervalMs: 200, what: 'the request queue to be empty' },
    );
  }

  /** Receives from the DLQ until a message with `body` shows up; deletes and returns it. */
  public async takeFromDeadLetterQueue(body: string, timeoutMs: number): Promise<Message> {
    return eventually(
      async () => {
        const { Messages = [] } = await this.stack.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.deadLetterQueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            VisibilityTimeout: 0,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        const match = Messages.find((message) => message.Body === body);
        if (match) {
          await this.stack.sqs.send(
            new DeleteMessageCommand({
              QueueUrl: this.deadLetterQueueUrl,
              ReceiptHandle: match.ReceiptHandle,
            }),
          );
        }
        return match;
      },
      { timeoutMs, intervalMs: 0, what: 'the message in the dead-letter queue' },
    );
  }
}

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
