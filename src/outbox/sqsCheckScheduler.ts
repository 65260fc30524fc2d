import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CheckScheduler } from './checks.js';

interface SqsCheckSchedulerOptions {
  sqs: SQSClient;
  /** The watch queue: its function makes the check when the message becomes visible. */
  queueUrl: string;
}

/** Schedules checks as delayed messages on the watch queue (SQS `DelaySeconds`, at most 900). */
export const createSqsCheckScheduler = ({
  sqs,
  queueUrl,
}: SqsCheckSchedulerOptions): CheckScheduler => ({
  async schedule(check, delaySeconds) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(check),
        DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))),
      }),
    );
  },
});
