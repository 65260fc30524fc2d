import type { SQSClient } from '@aws-sdk/client-sqs';
import { pollQueue, type QueuePoller } from './pollQueue.js';

/** One terminal line per outcome: the summary first, the whole event after it. */
export const formatOutcome = (body: string): string => {
  try {
    const event = JSON.parse(body) as {
      subject?: string;
      data?: {
        operation?: string;
        status?: string;
        channel?: string;
        clientToken?: string;
        error?: { code?: string };
      };
    };
    const data = event.data ?? {};
    const summary = [
      data.status,
      data.operation,
      `via ${data.channel}`,
      `clientToken=${data.clientToken}`,
      data.error?.code ? `error=${data.error.code}` : event.subject,
    ]
      .filter(Boolean)
      .join(' ');
    return `[outcome] ${summary}\n          ${body}`;
  } catch {
    return `[outcome] ${body}`;
  }
};

/** Prints every outcome published to the topic, as it arrives on the stack's subscriber queue. */
export const startOutcomeTail = ({
  sqs,
  queueUrl,
  print,
  onError,
}: {
  sqs: SQSClient;
  queueUrl: string;
  print(line: string): void;
  onError(error: unknown): void;
}): QueuePoller =>
  pollQueue({
    sqs,
    queueUrl,
    onError,
    async handle(messages) {
      for (const message of messages) print(formatOutcome(message.Body ?? ''));
      return messages;
    },
  });
