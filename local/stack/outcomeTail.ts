import type { SQSClient } from '@aws-sdk/client-sqs';
import { pollQueue, type QueuePoller } from './pollQueue.js';

/**
 * Characters that would let a value printed in the terminal do more than show itself: C0 controls
 * (line breaks, ESC of ANSI sequences, NUL), DEL and C1 controls, Unicode line separators, bidi
 * overrides and lone surrogates.
 */
const UNPRINTABLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `value` as text that shows on one terminal line as what it is: unprintables as `\uXXXX`. */
export const escapeForTerminal = (value: unknown): string =>
  String(value).replace(
    UNPRINTABLE,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** A member of the event as text: a string as itself, anything else as its JSON. */
const text = (value: unknown): string | undefined =>
  typeof value === 'string' || value === undefined ? value : JSON.stringify(value);

/** One terminal line per outcome: the summary first, the whole event after it, both escaped. */
export const formatOutcome = (body: string): string => {
  const shown = escapeForTerminal(body);
  try {
    const event = JSON.parse(body) as {
      subject?: unknown;
      data?: {
        operation?: unknown;
        status?: unknown;
        event?: unknown;
        channel?: unknown;
        clientToken?: unknown;
        error?: { code?: unknown };
      };
    };
    const data = event.data ?? {};
    const summary = [
      // A follow-through event (e.g. ImageBuilderReady) has a name instead of a status.
      text(data.status ?? data.event),
      text(data.operation),
      `via ${text(data.channel)}`,
      `clientToken=${text(data.clientToken)}`,
      data.error?.code ? `error=${text(data.error.code)}` : text(event.subject),
    ]
      .filter(Boolean)
      .map(escapeForTerminal)
      .join(' ');
    return `[outcome] ${summary}\n          ${shown}`;
  } catch {
    return `[outcome] ${shown}`;
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
