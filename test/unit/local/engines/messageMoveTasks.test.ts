import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../../local/engines/credentials.js';
import { queueNameOfArn } from '../../../../local/engines/messageMoveTasks.js';
import { type RunningMessaging, startMessaging } from '../../../../local/engines/messaging.js';

/*
 * The offline stack's message move tasks (StartMessageMoveTask, ListMessageMoveTasks,
 * CancelMessageMoveTask), driven with the SDK against the local SQS as the stack starts it.
 */

const REGION = 'us-east-1';
let messaging: RunningMessaging;
let sqs: SQSClient;

beforeAll(async () => {
  messaging = await startMessaging(0, REGION);
  sqs = new SQSClient({
    region: REGION,
    endpoint: messaging.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
});

afterAll(async () => {
  sqs?.destroy();
  await messaging?.close();
});

let queues = 0;
interface Queue {
  url: string;
  arn: string;
}

const createQueue = async (
  name: string,
  attributes: Record<string, string> = {},
): Promise<Queue> => {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: name.replace(/(\.fifo)?$/, `-${++queues}$1`),
      Attributes: attributes,
    }),
  );
  if (!QueueUrl) throw new Error('no queue');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl, arn: String(Attributes?.QueueArn) };
};

/** A source queue (visibility 0, one receive) with its DLQ. */
const queueWithDlq = async (fifo = false) => {
  const suffix = fifo ? '.fifo' : '';
  const fifoAttributes: Record<string, string> = fifo ? { FifoQueue: 'true' } : {};
  const name = fifo ? 'fifo' : 'std';
  const dlq = await createQueue(`${name}-dlq${suffix}`, fifoAttributes);
  const source = await createQueue(`${name}-source${suffix}`, {
    ...fifoAttributes,
    VisibilityTimeout: '0',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }),
  });
  return { source, dlq };
};

const receive = (queueUrl: string, max = 10) =>
  sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      VisibilityTimeout: 0,
    }),
  );

const depth = async (queueUrl: string): Promise<number> => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
};

/** Sends `count` messages to `source` and receives until all are in the DLQ. */
const deadLetter = async (
  { source, dlq }: { source: Queue; dlq: Queue },
  count: number,
  extra: Partial<ConstructorParameters<typeof SendMessageCommand>[0]> = {},
) => {
  for (let index = 0; index < count; index += 1) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: source.url,
        MessageBody: `message ${index}`,
        MessageAttributes: { kind: { DataType: 'String', StringValue: `k${index}` } },
        ...extra,
        ...(extra.MessageGroupId ? { MessageDeduplicationId: `dedup-${index}` } : {}),
      }),
    );
  }
  for (let round = 0; round < 20 && (await depth(dlq.url)) < count; round += 1) {
    await receive(source.url);
  }
  expect(await depth(dlq.url)).toBe(count);
  expect(await depth(source.url)).toBe(0);
};

const tasksOf = async (sourceArn: string, maxResults = 10) =>
  (
    await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: maxResults }),
    )
  ).Results ?? [];

/** Polls ListMessageMoveTasks until the latest task is no longer active (bounded). */
const settled = async (sourceArn: string): Promise<ListMessageMoveTasksResultEntry> => {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [latest] = await tasksOf(sourceArn, 1);
    if (latest && latest.Status !== 'RUNNING' && latest.Status !== 'CANCELLING') return latest;
    if (Date.now() > deadline) throw new Error(`task still ${latest?.Status}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const errorOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected an error');
};

describe('StartMessageMoveTask without DestinationArn', () => {
  it('moves every dead-lettered message back to the queue that redrives to the DLQ, as a new message', async () => {
    // Prepare
    const queuesPair = await queueWithDlq();
    await deadLetter(queuesPair, 3);
    const before = Date.now();

    // Act
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: queuesPair.dlq.arn }),
    );
    const task = await settled(queuesPair.dlq.arn);

    // Assess
    expect(TaskHandle).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(JSON.parse(Buffer.from(String(TaskHandle), 'base64').toString('utf8'))).toMatchObject({
      sourceArn: queuesPair.dlq.arn,
    });
    expect(task).toEqual({
      Status: 'COMPLETED',
      SourceArn: queuesPair.dlq.arn,
      ApproximateNumberOfMessagesMoved: 3,
      ApproximateNumberOfMessagesToMove: 3,
      StartedTimestamp: expect.any(Number),
    });
    expect(task.StartedTimestamp).toBeGreaterThanOrEqual(before);
    expect(await depth(queuesPair.dlq.url)).toBe(0);
    const { Messages = [] } = await receive(queuesPair.source.url);
    expect(Messages.map((message) => message.Body).sort()).toEqual([
      'message 0',
      'message 1',
      'message 2',
    ]);
    for (const message of Messages) {
      // Its receive count starts again at the source: this is its first receive there.
      expect(message.Attributes?.ApproximateReceiveCount).toBe('1');
      expect(message.MessageAttributes?.kind?.StringValue).toBe(
        `k${String(message.Body).slice(-1)}`,
      );
    }
  });

  it('keeps the message group of a FIFO message', async () => {
    // Prepare
    const queuesPair = await queueWithDlq(true);
    await deadLetter(queuesPair, 1, { MessageGroupId: 'group-7' });

    // Act
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queuesPair.dlq.arn }));
    const task = await settled(queuesPair.dlq.arn);

    // Assess
    expect(task.Status).toBe('COMPLETED');
    const { Messages = [] } = await receive(queuesPair.source.url);
    expect(Messages).toHaveLength(1);
    expect(Messages[0]?.Attributes?.MessageGroupId).toBe('group-7');
  });

  it('completes at once, moving nothing, when the DLQ is empty', async () => {
    const { dlq } = await queueWithDlq();
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    expect(await settled(dlq.arn)).toMatchObject({
      Status: 'COMPLETED',
      ApproximateNumberOfMessagesMoved: 0,
      ApproximateNumberOfMessagesToMove: 0,
    });
  });
});

describe('StartMessageMoveTask with DestinationArn and a rate', () => {
  it('moves to the destination given, no faster than MaxNumberOfMessagesPerSecond', async () => {
    // Prepare
    const queuesPair = await queueWithDlq();
    const elsewhere = await createQueue('elsewhere');
    await deadLetter(queuesPair, 4);
    const started = Date.now();

    // Act
    await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: queuesPair.dlq.arn,
        DestinationArn: elsewhere.arn,
        MaxNumberOfMessagesPerSecond: 2,
      }),
    );
    const task = await settled(queuesPair.dlq.arn);
    const elapsedMs = Date.now() - started;

    // Assess
    expect(task).toMatchObject({
      Status: 'COMPLETED',
      DestinationArn: elsewhere.arn,
      MaxNumberOfMessagesPerSecond: 2,
      ApproximateNumberOfMessagesMoved: 4,
    });
    // 2, then 2 more one second later.
    expect(elapsedMs).toBeGreaterThanOrEqual(900);
    expect(await depth(elsewhere.url)).toBe(4);
    expect(await depth(queuesPair.source.url)).toBe(0);
  });
});

describe('one active task per source, and cancelling it', () => {
  it('refuses a second task while one runs; a cancelled task stops and says how many it moved', async () => {
    // Prepare: one message a second, so that the task is still running.
    const queuesPair = await queueWithDlq();
    await deadLetter(queuesPair, 5);
    await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: queuesPair.dlq.arn,
        MaxNumberOfMessagesPerSecond: 1,
      }),
    );

    // Act
    const second = await errorOf(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queuesPair.dlq.arn })),
    );
    const [running] = await tasksOf(queuesPair.dlq.arn);
    const cancelled = await sqs.send(
      new CancelMessageMoveTaskCommand({ TaskHandle: running?.TaskHandle }),
    );
    const task = await settled(queuesPair.dlq.arn);
    const again = await errorOf(
      sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: running?.TaskHandle })),
    );

    // Assess
    expect(second.name).toBe('UnsupportedOperation');
    expect(running).toMatchObject({ Status: 'RUNNING', ApproximateNumberOfMessagesToMove: 5 });
    expect(running?.TaskHandle).toEqual(expect.any(String));
    expect(cancelled.ApproximateNumberOfMessagesMoved).toBeLessThan(5);
    expect(task.Status).toBe('CANCELLED');
    expect(task.TaskHandle).toBeUndefined();
    expect(task.ApproximateNumberOfMessagesMoved).toBeLessThan(5);
    expect(await depth(queuesPair.dlq.url)).toBe(5 - Number(task.ApproximateNumberOfMessagesMoved));
    expect(again.name).toBe('UnsupportedOperation');
    // A new task may start once the last one stopped; the list shows the most recent first.
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queuesPair.dlq.arn }));
    await settled(queuesPair.dlq.arn);
    expect((await tasksOf(queuesPair.dlq.arn)).map((each) => each.Status)).toEqual([
      'COMPLETED',
      'CANCELLED',
    ]);
    expect(await tasksOf(queuesPair.dlq.arn, 1)).toHaveLength(1);
    expect(await depth(queuesPair.dlq.url)).toBe(0);
    expect(await depth(queuesPair.source.url)).toBe(5);
  });
});

describe('what the move tasks refuse', () => {
  it('answers as SQS does for a queue that is no DLQ, a missing queue, a bad rate, an unknown handle', async () => {
    const plain = await createQueue('plain');
    const { dlq } = await queueWithDlq();
    const missing = 'arn:aws:sqs:us-east-1:000000000000:no-such-queue';

    const notDlq = await errorOf(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plain.arn })),
    );
    expect(notDlq.name).toBe('UnsupportedOperation');
    expect(notDlq.message).toContain('dead-letter queue');
    const noSource = await errorOf(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: missing })),
    );
    expect(noSource).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(noSource.$metadata.httpStatusCode).toBe(404);
    const noDestination = await errorOf(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: missing })),
    );
    expect(noDestination.name).toBe('ResourceNotFoundException');
    for (const rate of [0, 501]) {
      const badRate = await errorOf(
        sqs.send(
          new StartMessageMoveTaskCommand({
            SourceArn: dlq.arn,
            MaxNumberOfMessagesPerSecond: rate,
          }),
        ),
      );
      expect(badRate.name).toBe('InvalidParameterValue');
    }
    const badMax = await errorOf(
      sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn, MaxResults: 11 })),
    );
    expect(badMax.name).toBe('InvalidParameterValue');
    expect(
      (await errorOf(sqs.send(new ListMessageMoveTasksCommand({ SourceArn: missing })))).name,
    ).toBe('ResourceNotFoundException');
    expect(
      (await errorOf(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'bm8tc3VjaA==' }))))
        .name,
    ).toBe('ResourceNotFoundException');
    // Nothing was started by any of these.
    expect(await tasksOf(dlq.arn)).toEqual([]);
  });

  it('asks for DestinationArn when two queues redrive to the same DLQ', async () => {
    const { dlq } = await queueWithDlq();
    await createQueue('second-source', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 }),
    });
    const refused = await errorOf(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn })),
    );
    expect(refused.name).toBe('UnsupportedOperation');
    expect(refused.message).toContain('DestinationArn');
  });

  it('reads queue names from SQS ARNs only', () => {
    expect(queueNameOfArn('arn:aws:sqs:eu-west-1:123456789012:requests-dlq')).toBe('requests-dlq');
    expect(queueNameOfArn('arn:aws:sns:eu-west-1:123456789012:topic')).toBeUndefined();
    expect(queueNameOfArn('requests-dlq')).toBeUndefined();
  });
});
