import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { AppStreamClient } from '@aws-sdk/client-appstream';
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/engines/credentials.js';
import {
  createIdempotencyTable,
  createRequestsTable,
  localDynamoDbClient,
  startDynalite,
} from '../../local/engines/dynamodb.js';
import { startMessaging } from '../../local/engines/messaging.js';
import { startLedgerStream } from '../../local/streams/ledgerStream.js';
import type { ServiceClients } from '../../src/aws/clients.js';
import type { FlushableMetrics } from '../../src/basics/metrics.js';
import { createOutboxHandler } from '../../src/channels/ledgerStream.js';
import { type App, createApp, createOutboxApp } from '../../src/composition.js';
import type { Config } from '../../src/config.js';
import type { OutcomeEvent } from '../../src/outcomes/outcome.js';
import { type AwsMocks, mockAws } from './awsMocks.js';
import { lambdaContext } from './lambda.js';
import { recordingMetrics } from './metrics.js';

const REGION = 'us-east-1';

export interface ReceivedOutcome {
  event: OutcomeEvent;
  attributes: Record<string, string | undefined>;
}

export interface TestStack {
  app: App;
  config: Config;
  imagebuilder: ImagebuilderClient;
  appstream: AppStreamClient;
  /** Every client the app was built with, all pointed at loopback or mocked. */
  clients: ServiceClients;
  dynamodbEndpoint: string;
  /** Reads outcomes published to the topic until `count` arrived (or the deadline), then checks none follow. */
  outcomes(count: number, timeoutMs?: number): Promise<ReceivedOutcome[]>;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  /**
   * The metrics of the app and of the outbox, one each; by default kept in memory, so that test
   * output carries no EMF lines.
   */
  metrics?: () => FlushableMetrics;
  /**
   * Where the Image Builder and AppStream clients send their calls (the emulator's endpoint);
   * by default nowhere reachable, for the test to mock them.
   */
  awsEndpoint?: string;
  /** The stage's guardrails (default: none). */
  guardrails?: Config['guardrails'];
}

/**
 * Real DynamoDB-compatible engine, real SQS/SNS emulator, real SDK clients. Image Builder
 * and AppStream clients are real too, for the test to mock with aws-sdk-client-mock.
 */
export const startTestStack = async ({
  metrics = recordingMetrics,
  awsEndpoint,
  guardrails = {},
}: TestStackOptions = {}): Promise<TestStack> => {
  const [dynamo, messaging] = await Promise.all([startDynalite(), startMessaging(0, REGION)]);
  const requestsTable = `requests-${randomUUID()}`;
  // The ledger's stream, captured in front of the engine and delivered to the real outbox handler.
  let deliver: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> = async () => ({
    batchItemFailures: [],
  });
  const stream = await startLedgerStream({
    engineEndpoint: dynamo.endpoint,
    region: REGION,
    accountId: '123456789012',
    tableName: requestsTable,
    source: 'capture',
    functionName: 'image-provisioner-test-outbox',
    deliver: (event) => deliver(event),
    onFailure: async (record) => {
      throw new Error(`the outbox gave up a batch: ${JSON.stringify(record)}`);
    },
    onError: () => undefined,
  });
  const dynamodb = localDynamoDbClient(stream.endpoint, REGION);
  const clientConfig = {
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
    endpoint: messaging.endpoint,
  };
  const sns = new SNSClient(clientConfig);
  const sqs = new SQSClient(clientConfig);
  const tableName = `idempotency-${randomUUID()}`;
  await createIdempotencyTable(dynamodb, tableName);
  await createRequestsTable(dynamodb, requestsTable, { stream: false });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'outcomes' }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'outcomes-subscriber' }));
  // Where the outbox schedules the checks of watched image builders.
  const { QueueUrl: watchQueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: 'watch-checks' }),
  );
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  if (!TopicArn || !QueueUrl) throw new Error('fauxqs did not create the topic or queue');

  const config: Config = {
    region: REGION,
    idempotencyTableName: tableName,
    outcomesTopicArn: TopicArn,
    requestsTableName: requestsTable,
    requestRetentionSeconds: 3600,
    idempotencyTtlSeconds: 3600,
    queueMaxReceiveCount: 3,
    outcomeSource: 'image-provisioner.test',
    maxRequestBytes: 262_144,
    guardrails,
    // The account the mocked AWS answers in (test/support/awsMocks.ts), as the topic's is in AWS.
    accountId: '123456789012',
    retryPolicy: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
    watchTiming: { timeoutSeconds: 60, firstCheckSeconds: 1, maxCheckSeconds: 2 },
    watchQueueUrl,
  };
  const awsClientConfig = {
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    ...(awsEndpoint ? { endpoint: awsEndpoint } : {}),
  };
  const imagebuilder = new ImagebuilderClient(awsClientConfig);
  const appstream = new AppStreamClient(awsClientConfig);
  const clients: ServiceClients & { sqs: SQSClient } = {
    imagebuilder,
    appstream,
    sns,
    dynamodb,
    sqs,
  };
  const app = createApp(config, {
    clients,
    logger: new Logger({ serviceName: 'image-provisioner', logLevel: 'SILENT' }),
    metrics: metrics(),
  });

  const outbox = createOutboxHandler(
    createOutboxApp(config, { clients, logger: app.logger, metrics: metrics() }),
  );
  deliver = (event) => outbox(event, lambdaContext('image-provisioner-test-outbox'));

  const receive = async (waitSeconds: number): Promise<ReceivedOutcome[]> => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return Messages.map((m) => ({
      event: JSON.parse(m.Body ?? 'null') as OutcomeEvent,
      attributes: Object.fromEntries(
        Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
      ),
    }));
  };

  return {
    app,
    config,
    imagebuilder,
    appstream,
    clients,
    dynamodbEndpoint: dynamo.endpoint,
    async outcomes(count, timeoutMs = 5_000) {
      const received: ReceivedOutcome[] = [];
      const deadline = Date.now() + timeoutMs;
      await stream.idle();
      while (received.length < count && Date.now() < deadline) {
        received.push(...(await receive(1)));
      }
      received.push(...(await receive(0)));
      return received;
    },
    async stop() {
      await stream.stop();
      for (const client of [sns, sqs, dynamodb, imagebuilder, appstream]) client.destroy();
      await Promise.all([dynamo.close(), messaging.close()]);
    },
  };
};

/**
 * One test stack for the file, with fresh AWS mocks per test and the outcomes of each test
 * drained after it. Read `stack` and `aws` inside hooks and tests.
 */
export const useTestStack = () => {
  let stack: TestStack | undefined;
  let aws: AwsMocks | undefined;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());
  beforeEach(() => {
    aws = mockAws(harness.stack, harness.stack.config.outcomeSource);
  });
  afterEach(async () => {
    aws?.reset();
    await stack?.outcomes(0, 0);
  });
  const harness = {
    get stack(): TestStack {
      if (!stack)
        throw new Error('the test stack is not started yet: use it inside hooks and tests');
      return stack;
    },
    get aws(): AwsMocks {
      if (!aws) throw new Error('AWS mocks exist only inside tests');
      return aws;
    },
  };
  return harness;
};
