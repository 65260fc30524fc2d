import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { RunningStack } from './stack.js';
import { eventually } from './wait.js';

/** serverless.yml `params.default.maxReceiveCount`. */
export const MAX_RECEIVE_COUNT = 5;

/** Long enough for a redelivery that must not happen to show (visibility timeout 1 s). */
export const QUEUE_SETTLE_MS = 2_500;

/** A request queue message as a portal writes it. */
export const queueMessage = (operation: string, token: string, request: Record<string, unknown>) =>
  JSON.stringify({ operation, clientToken: token, request });

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

  /** Sends one message to the request queue: a string as it is (junk included), else as JSON. */
  public async send(message: unknown): Promise<string> {
    const { MessageId } = await this.stack.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.requestQueueUrl,
        MessageBody: typeof message === 'string' ? message : JSON.stringify(message),
      }),
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
