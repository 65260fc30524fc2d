import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface QueuePoller {
  stop(): Promise<void>;
}

/**
 * Long-polls a queue until stopped and hands each batch to `handle`, which returns the messages
 * to delete; the rest stay in flight until their visibility timeout ends.
 */
export const pollQueue = ({
  sqs,
  queueUrl,
  handle,
  onError,
}: {
  sqs: SQSClient;
  queueUrl: string;
  handle(messages: Message[]): Promise<Message[]>;
  onError(error: unknown): void;
}): QueuePoller => {
  const abort = new AbortController();
  const receiveAndHandle = async (): Promise<void> => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    if (Messages.length === 0) return;
    const done = await handle(Messages);
    if (done.length === 0) return;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  };
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        await receiveAndHandle();
      } catch (error) {
        if (abort.signal.aborted) break;
        onError(error);
        await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
      }
    }
  })();
  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
};
