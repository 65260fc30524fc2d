import { randomUUID } from 'node:crypto';
import { SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { apiDocuments, DocumentMismatch } from './documents.js';
import type { RunningStack } from './stack.js';

/** The outcome event as README documents it (CloudEvents 1.0, structured JSON). */
export interface OutcomeEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype: string;
  data: {
    operation: string;
    clientToken?: string;
    correlationId?: string;
    channel: 'http' | 'sqs';
    status: 'SUCCEEDED' | 'FAILED';
    response?: Record<string, unknown>;
    error?: {
      code: string;
      message: string;
      retryable: boolean;
      errors?: { path: string; message: string }[];
    };
  };
}

/** A follow-through event (README: "Readiness"): what became of a created image builder. */
export interface ReadinessEvent {
  specversion: string;
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype: string;
  data: {
    operation: string;
    clientToken: string;
    correlationId?: string;
    channel: 'http' | 'sqs';
    requestedBy?: string;
    event: 'ImageBuilderReady' | 'ImageBuilderFailed' | 'ImageBuilderWaitTimedOut';
    resource: {
      Name: string;
      Arn?: string;
      State?: string;
      StateChangeReason?: { Code?: string; Message?: string };
      ImageBuilderErrors?: { ErrorCode?: string; ErrorMessage?: string; ErrorTimestamp?: string }[];
    };
  };
}

/** The CloudEvents type of a request's outcome. */
export const OUTCOME_TYPE = 'image-provisioner.provisioning.outcome.v1';

export interface ReceivedReadinessEvent {
  event: ReadinessEvent;
  attributes: Record<string, string | undefined>;
  receivedAt: number;
}

export interface ReceivedOutcome {
  event: OutcomeEvent;
  /** SNS message attributes (operation, status, channel). */
  attributes: Record<string, string | undefined>;
  /** When this subscriber received it (`performance.now()`). */
  receivedAt: number;
}

const isOutcome = (
  received: ReceivedOutcome | ReceivedReadinessEvent,
): received is ReceivedOutcome => received.event.type === OUTCOME_TYPE;

/** After the expected outcomes arrived, how long to keep listening for unexpected extra ones. */
export const SETTLE_MS = 1_500;

/**
 * A subscriber of the outcomes topic, as a portal would have: its own queue, subscribed with raw
 * message delivery. Everything received is kept, so tests sharing the topic pick theirs by token.
 * Every message is checked against docs/asyncapi.json as it arrives: one the document does not
 * describe (body or message attributes) fails the test that is receiving.
 */
export class OutcomeInbox {
  private readonly received: Array<ReceivedOutcome | ReceivedReadinessEvent> = [];

  private constructor(
    private readonly stack: RunningStack,
    private readonly queueUrl: string,
    private readonly subscriptionArn: string | undefined,
  ) {}

  public static async subscribe(stack: RunningStack): Promise<OutcomeInbox> {
    const { QueueUrl } = await stack.sqs.send(
      new CreateQueueCommand({ QueueName: `e2e-outcomes-${randomUUID()}` }),
    );
    if (!QueueUrl) throw new Error('the outcome queue was not created');
    const { Attributes } = await stack.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const { SubscriptionArn } = await stack.sns.send(
      new SubscribeCommand({
        TopicArn: stack.info.sns.outcomesTopicArn,
        Protocol: 'sqs',
        Endpoint: Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    return new OutcomeInbox(stack, QueueUrl, SubscriptionArn);
  }

  /** Request outcomes received so far whose `data.clientToken` is `clientToken`. */
  public for(clientToken: string): ReceivedOutcome[] {
    return this.all().filter(({ event }) => event.data?.clientToken === clientToken);
  }

  /** Every request outcome received (follow-through events left out). */
  public all(): readonly ReceivedOutcome[] {
    return this.received.filter((received): received is ReceivedOutcome => isOutcome(received));
  }

  /** Follow-through events received so far for `clientToken` (e.g. `ImageBuilderReady`). */
  public readinessFor(clientToken: string): ReceivedReadinessEvent[] {
    return this.received.filter(
      (received): received is ReceivedReadinessEvent =>
        !isOutcome(received) && received.event.data?.clientToken === clientToken,
    );
  }

  /**
   * Waits until `count` outcomes for `clientToken` arrived (or the deadline), then listens
   * `settleMs` longer so that extra ones would show; returns all received for the token.
   */
  public async waitFor(
    clientToken: string,
    { count = 1, timeoutMs = 15_000, settleMs = SETTLE_MS } = {},
  ): Promise<ReceivedOutcome[]> {
    await this.drainWhile(() => this.for(clientToken).length < count, timeoutMs);
    await this.drainFor(settleMs);
    return this.for(clientToken);
  }

  /** Keeps receiving until `done()` holds or `timeoutMs` passed; resolves to whether it holds. */
  public async drainUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    await this.drainWhile(() => !done(), timeoutMs);
    return done();
  }

  /** Keeps receiving for `ms`: for asserting that nothing (more) is published. */
  public async drainFor(ms: number): Promise<void> {
    await this.drainWhile(() => true, ms);
  }

  public async close(): Promise<void> {
    if (this.subscriptionArn) {
      await this.stack.sns
        .send(new UnsubscribeCommand({ SubscriptionArn: this.subscriptionArn }))
        .catch(() => undefined);
    }
    await this.stack.sqs
      .send(new DeleteQueueCommand({ QueueUrl: this.queueUrl }))
      .catch(() => undefined);
  }

  private async drainWhile(condition: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (condition() && Date.now() < deadline) {
      const remainingSeconds = Math.floor((deadline - Date.now()) / 1000);
      await this.receive(Math.max(0, Math.min(1, remainingSeconds)));
    }
  }

  private async receive(waitSeconds: number): Promise<void> {
    const { Messages = [] } = await this.stack.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) {
      // Without long polling, do not spin.
      if (waitSeconds === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      return;
    }
    await this.stack.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
        })),
      }),
    );
    const receivedAt = performance.now();
    const problems: string[] = [];
    for (const message of Messages) {
      const body = message.Body ?? 'null';
      const attributes = Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          value.StringValue,
        ]),
      );
      const found = apiDocuments().messageProblems({ body, attributes });
      if (found.length > 0) problems.push(`${body.slice(0, 1_000)}:`, ...found);
      let event: OutcomeEvent;
      try {
        event = JSON.parse(body) as OutcomeEvent;
      } catch {
        continue; // Not JSON: among the problems.
      }
      this.received.push({ receivedAt, event, attributes });
    }
    // Kept all the same, so that what follows a failed test still sees every message.
    if (problems.length > 0)
      throw new DocumentMismatch('a message of the outcomes topic', problems);
  }
}
