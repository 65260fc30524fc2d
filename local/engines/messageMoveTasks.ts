import { randomUUID } from 'node:crypto';
import { isRecord } from '../../src/basics/records.js';

/*
 * SQS's message move tasks (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask,
 * Amazon SQS API Reference 2012-11-05), which the local engine lacks, built on the engine's own
 * JSON calls: a task receives from the dead-letter queue, sends each message on (body, message
 * attributes, and for a FIFO destination its group and deduplication id) and deletes it there.
 * A moved message is a new message at its destination: its receive count starts again, as in AWS.
 */

/** The three actions handled here, by their JSON-protocol target (`AmazonSQS.<action>`). */
export const MOVE_TASK_ACTIONS = [
  'StartMessageMoveTask',
  'ListMessageMoveTasks',
  'CancelMessageMoveTask',
] as const;
export type MoveTaskAction = (typeof MOVE_TASK_ACTIONS)[number];

export const isMoveTaskAction = (action: string): action is MoveTaskAction =>
  (MOVE_TASK_ACTIONS as readonly string[]).includes(action);

/** A JSON-protocol answer: the status, and the body (the result, or `__type` and `message`). */
export interface JsonAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** One JSON call to the engine (`AmazonSQS.<action>`), answered as the engine answers it. */
export type EngineCall = (action: string, input: Record<string, unknown>) => Promise<JsonAnswer>;

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

interface MoveTask {
  taskId: string;
  taskHandle: string;
  status: MoveTaskStatus;
  sourceArn: string;
  destinationArn: string | undefined;
  maxNumberOfMessagesPerSecond: number | undefined;
  moved: number;
  toMove: number;
  failureReason: string | undefined;
  startedTimestamp: number;
  done: Promise<void>;
}

export interface MoveTaskOptions {
  call: EngineCall;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How long a received message stays invisible in the source while it is being moved. */
  visibilityTimeoutSeconds?: number;
}

/** AWS's bound for MaxNumberOfMessagesPerSecond. */
const MAX_RATE = 500;
/** ListMessageMoveTasks returns at most this many (the most recent first). */
const MAX_RESULTS = 10;

class SqsError extends Error {
  public constructor(
    public readonly type: string,
    message: string,
    public readonly status = 400,
  ) {
    super(message);
  }
}

const resourceNotFound = (message: string) =>
  new SqsError('ResourceNotFoundException', message, 404);
const unsupported = (message: string) => new SqsError('UnsupportedOperation', message);
const invalidParameter = (message: string) => new SqsError('InvalidParameterValue', message);

const errorAnswer = (error: SqsError): JsonAnswer => ({
  status: error.status,
  body: { __type: `com.amazonaws.sqs#${error.type}`, message: error.message },
});

/** `arn:aws:sqs:<region>:<account>:<name>`: the queue's name, if it is such an ARN. */
export const queueNameOfArn = (arn: string): string | undefined => {
  const parts = arn.split(':');
  return parts.length === 6 && parts[0] === 'arn' && parts[2] === 'sqs' && parts[5]
    ? parts[5]
    : undefined;
};

/** A handle as AWS's look: base64 of the task id and its source. */
const taskHandleOf = (taskId: string, sourceArn: string): string =>
  Buffer.from(JSON.stringify({ taskId, sourceArn }), 'utf8').toString('base64');

const optionalString = (input: Record<string, unknown>, name: string): string | undefined => {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`${name} must be a string.`);
  return value;
};

const requiredString = (input: Record<string, unknown>, name: string): string => {
  const value = optionalString(input, name);
  if (value === undefined || value === '') {
    throw new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
  }
  return value;
};

const optionalInteger = (
  input: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined => {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(
      `Value ${String(value)} for parameter ${name} is invalid. Reason: Must be an integer from ${min} to ${max}.`,
    );
  }
  return value;
};

/**
 * The move tasks of one local SQS. Each source queue has at most one active task; the ten most
 * recent tasks of each source are kept for ListMessageMoveTasks.
 */
export class MessageMoveTasks {
  private readonly call: EngineCall;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly visibilityTimeoutSeconds: number;
  private readonly tasks = new Map<string, MoveTask[]>();
  private closed = false;

  public constructor({
    call,
    now = Date.now,
    sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    visibilityTimeoutSeconds = 30,
  }: MoveTaskOptions) {
    this.call = call;
    this.now = now;
    this.sleep = sleep;
    this.visibilityTimeoutSeconds = visibilityTimeoutSeconds;
  }

  /** Answers one of the three actions as SQS's JSON protocol does. */
  public async handle(action: MoveTaskAction, input: unknown): Promise<JsonAnswer> {
    const body = isRecord(input) ? input : {};
    try {
      if (action === 'StartMessageMoveTask') return { status: 200, body: await this.start(body) };
      if (action === 'ListMessageMoveTasks') return { status: 200, body: await this.list(body) };
      return { status: 200, body: this.cancel(body) };
    } catch (error) {
      if (error instanceof SqsError) return errorAnswer(error);
      throw error;
    }
  }

  /** Cancels every running task and waits for them to stop. */
  public async close(): Promise<void> {
    this.closed = true;
    const running = [...this.tasks.values()].flat().filter((task) => task.status === 'RUNNING');
    for (const task of running) task.status = 'CANCELLING';
    await Promise.all(running.map((task) => task.done));
  }

  private async start(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const sourceArn = requiredString(input, 'SourceArn');
    const destinationArn = optionalString(input, 'DestinationArn');
    const rate = optionalInteger(input, 'MaxNumberOfMessagesPerSecond', 1, MAX_RATE);
    const sourceUrl = await this.queueUrl(sourceArn);
    const redrivenFrom = await this.sourcesOf(sourceArn);
    if (redrivenFrom.length === 0) {
      throw unsupported(
        `Source queue ${sourceArn} must be configured as a dead-letter queue of another queue.`,
      );
    }
    let destinationUrl: string;
    if (destinationArn !== undefined) {
      destinationUrl = await this.queueUrl(destinationArn);
    } else {
      // AWS sends each message back to the queue it came from; the local engine does not keep
      // that per message, so it is the one queue that redrives to this one.
      const [only, ...others] = redrivenFrom;
      if (!only || others.length > 0) {
        throw unsupported(
          `${redrivenFrom.length} queues redrive to ${sourceArn}; the local SQS does not know each message's source: give DestinationArn.`,
        );
      }
      destinationUrl = only.url;
    }
    const active = (this.tasks.get(sourceArn) ?? []).find(
      (task) => task.status === 'RUNNING' || task.status === 'CANCELLING',
    );
    if (active) {
      throw unsupported(`There is already a task running for ${sourceArn}.`);
    }
    const toMove = await this.visibleMessages(sourceUrl);
    const taskId = randomUUID();
    const task: MoveTask = {
      taskId,
      taskHandle: taskHandleOf(taskId, sourceArn),
      status: 'RUNNING',
      sourceArn,
      destinationArn,
      maxNumberOfMessagesPerSecond: rate,
      moved: 0,
      toMove,
      failureReason: undefined,
      startedTimestamp: this.now(),
      done: Promise.resolve(),
    };
    const kept = [task, ...(this.tasks.get(sourceArn) ?? [])].slice(0, MAX_RESULTS);
    this.tasks.set(sourceArn, kept);
    task.done = this.run(task, sourceUrl, destinationUrl).catch((error: unknown) => {
      task.status = 'FAILED';
      task.failureReason = error instanceof Error ? error.message : String(error);
    });
    return { TaskHandle: task.taskHandle };
  }

  private async list(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const sourceArn = requiredString(input, 'SourceArn');
    const maxResults = optionalInteger(input, 'MaxResults', 1, MAX_RESULTS) ?? 1;
    await this.queueUrl(sourceArn);
    const results = (this.tasks.get(sourceArn) ?? []).slice(0, maxResults).map((task) => ({
      ...(task.status === 'RUNNING' ? { TaskHandle: task.taskHandle } : {}),
      Status: task.status,
      SourceArn: task.sourceArn,
      ...(task.destinationArn === undefined ? {} : { DestinationArn: task.destinationArn }),
      ...(task.maxNumberOfMessagesPerSecond === undefined
        ? {}
        : { MaxNumberOfMessagesPerSecond: task.maxNumberOfMessagesPerSecond }),
      ApproximateNumberOfMessagesMoved: task.moved,
      ApproximateNumberOfMessagesToMove: task.toMove,
      ...(task.failureReason === undefined ? {} : { FailureReason: task.failureReason }),
      StartedTimestamp: task.startedTimestamp,
    }));
    return { Results: results };
  }

  private cancel(input: Record<string, unknown>): Record<string, unknown> {
    const taskHandle = requiredString(input, 'TaskHandle');
    const task = [...this.tasks.values()].flat().find((each) => each.taskHandle === taskHandle);
    if (!task) throw resourceNotFound(`Task ${taskHandle} does not exist.`);
    if (task.status !== 'RUNNING') {
      throw unsupported(`Only a running task can be cancelled; this one is ${task.status}.`);
    }
    task.status = 'CANCELLING';
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }

  private async run(task: MoveTask, sourceUrl: string, destinationUrl: string): Promise<void> {
    const fifo = destinationUrl.endsWith('.fifo');
    const started = this.now();
    while (task.status === 'RUNNING' && !this.closed && task.moved < task.toMove) {
      let batch = Math.min(10, task.toMove - task.moved);
      const rate = task.maxNumberOfMessagesPerSecond;
      if (rate !== undefined) {
        // Never ahead of the rate: the next message is due `moved / rate` seconds after the start.
        batch = Math.min(batch, rate);
        const wait = started + (task.moved / rate) * 1000 - this.now();
        if (wait > 0) await this.sleep(wait);
        if (task.status !== 'RUNNING') break;
      }
      const received = await this.engine('ReceiveMessage', {
        QueueUrl: sourceUrl,
        MaxNumberOfMessages: batch,
        VisibilityTimeout: this.visibilityTimeoutSeconds,
        WaitTimeSeconds: 0,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      });
      const messages = Array.isArray(received.Messages) ? received.Messages.filter(isRecord) : [];
      if (messages.length === 0) break;
      const entries = messages.map((message, index) => {
        const attributes = isRecord(message.Attributes) ? message.Attributes : {};
        return {
          Id: String(index),
          MessageBody: message.Body,
          ...(isRecord(message.MessageAttributes)
            ? { MessageAttributes: message.MessageAttributes }
            : {}),
          ...(fifo
            ? {
                MessageGroupId: attributes.MessageGroupId ?? 'redrive',
                // Not the original one: the destination would drop the message as a duplicate.
                MessageDeduplicationId: `${task.taskId}-${String(message.MessageId)}`.slice(0, 128),
              }
            : {}),
        };
      });
      const sent = await this.engine('SendMessageBatch', {
        QueueUrl: destinationUrl,
        Entries: entries,
      });
      const failed = Array.isArray(sent.Failed) ? sent.Failed.filter(isRecord) : [];
      const sentIds = new Set(
        (Array.isArray(sent.Successful) ? sent.Successful.filter(isRecord) : []).map(({ Id }) =>
          String(Id),
        ),
      );
      const deletions = messages.flatMap((message, index) =>
        sentIds.has(String(index))
          ? [{ Id: String(index), ReceiptHandle: message.ReceiptHandle }]
          : [],
      );
      if (deletions.length > 0) {
        await this.engine('DeleteMessageBatch', { QueueUrl: sourceUrl, Entries: deletions });
      }
      task.moved += deletions.length;
      if (failed.length > 0) {
        const first = failed[0] ?? {};
        throw new Error(
          `${failed.length} message(s) could not be sent to the destination: ${String(first.Code)} ${String(first.Message)}`,
        );
      }
    }
    task.status = task.status === 'CANCELLING' || this.closed ? 'CANCELLED' : 'COMPLETED';
  }

  /** A successful engine answer's body; an engine error throws. */
  private async engine(
    action: string,
    input: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const answer = await this.call(action, input);
    if (answer.status < 200 || answer.status >= 300) {
      const type = String(answer.body.__type ?? 'InternalFailure');
      throw new SqsError(
        type.slice(type.lastIndexOf('#') + 1),
        String(answer.body.message ?? answer.body.Message ?? `${action} failed`),
        answer.status,
      );
    }
    return answer.body;
  }

  private async queueUrl(arn: string): Promise<string> {
    const name = queueNameOfArn(arn);
    if (name === undefined) throw resourceNotFound(`${arn} is not the ARN of a queue.`);
    try {
      const { QueueUrl } = await this.engine('GetQueueUrl', { QueueName: name });
      if (typeof QueueUrl === 'string') return QueueUrl;
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
    }
    throw resourceNotFound(`The queue ${arn} does not exist.`);
  }

  /** The queues whose redrive policy names `arn` as their dead-letter queue. */
  private async sourcesOf(arn: string): Promise<{ url: string; arn: string }[]> {
    const { QueueUrls } = await this.engine('ListQueues', {});
    const urls = Array.isArray(QueueUrls) ? QueueUrls.map(String) : [];
    const queues = await Promise.all(
      urls.map(async (url) => {
        const { Attributes } = await this.engine('GetQueueAttributes', {
          QueueUrl: url,
          AttributeNames: ['QueueArn', 'RedrivePolicy'],
        });
        const attributes = isRecord(Attributes) ? Attributes : {};
        let target: unknown;
        try {
          target = JSON.parse(String(attributes.RedrivePolicy ?? '{}')).deadLetterTargetArn;
        } catch {
          target = undefined;
        }
        return target === arn ? [{ url, arn: String(attributes.QueueArn) }] : [];
      }),
    );
    return queues.flat();
  }

  private async visibleMessages(queueUrl: string): Promise<number> {
    const { Attributes } = await this.engine('GetQueueAttributes', {
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    });
    return Number((isRecord(Attributes) ? Attributes : {}).ApproximateNumberOfMessages ?? 0);
  }
}
