import {
  CreateTableCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../local/engines/credentials.js';
import {
  createRequestsTable,
  localDynamoDbClient,
  type RunningDynamoDb,
  startDynalite,
} from '../../../local/engines/dynamodb.js';
import { javaAvailable, startDynamoDbLocal } from '../../../local/engines/dynamodbLocal.js';
import {
  LOCAL_ACCOUNT_ID,
  type RunningMessaging,
  startMessaging,
} from '../../../local/engines/messaging.js';
import { type ChangeCapture, startChangeCapture } from '../../../local/streams/changeCapture.js';
import type { StreamFailureRecord } from '../../../local/streams/failureRecord.js';
import { type LedgerStream, startLedgerStream } from '../../../local/streams/ledgerStream.js';
import type { LedgerStreamRecord, WireItem } from '../../../local/streams/streamRecord.js';
import { openStreamsApiReader } from '../../../local/streams/streamsApiReader.js';

/*
 * The offline stack's DynamoDB stream for the request ledger, on real engines: change capture in
 * front of dynalite, the Streams API of AWS's DynamoDB Local, and the event source mapping
 * delivering both to a function (a fake here) with its on-failure queue on fauxqs.
 */

const REGION = 'us-east-1';
const TABLE = 'image-provisioner-local-requests';

/** The ledger writes of one request, then a no-op write, and its removal. */
const ledgerWrites = async (dynamodb: DynamoDBClient, pk: string): Promise<void> => {
  const Key = { pk: { S: pk } };
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key,
      UpdateExpression: 'SET #status = :status, outcomes = :none, amount = :amount, tags = :tags',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': { S: 'IN_PROGRESS' },
        ':none': { L: [] },
        ':amount': { N: '12345.678' },
        ':tags': { SS: ['b', 'a', 'é'] },
      },
    }),
  );
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key,
      UpdateExpression: 'SET #status = :status, outcomes = list_append(outcomes, :outcome)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': { S: 'SUCCEEDED' },
        ':outcome': {
          L: [
            {
              M: {
                id: { S: 'o-1' },
                payload: { B: new Uint8Array([0, 1, 254]) },
                ok: { BOOL: true },
              },
            },
          ],
        },
      },
    }),
  );
  // Writes that change nothing stream nothing.
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key,
      UpdateExpression: 'SET #status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': { S: 'SUCCEEDED' } },
    }),
  );
  await dynamodb.send(new DeleteItemCommand({ TableName: TABLE, Key }));
  await dynamodb.send(new DeleteItemCommand({ TableName: TABLE, Key }));
  await dynamodb.send(
    new PutItemCommand({ TableName: TABLE, Item: { pk: { S: pk }, status: { S: 'IN_PROGRESS' } } }),
  );
};

/** What a stream record says about the change, without what differs by engine or run. */
const change = ({ eventName, dynamodb }: LedgerStreamRecord) => ({
  eventName,
  Keys: dynamodb.Keys,
  OldImage: dynamodb.OldImage,
  NewImage: dynamodb.NewImage,
  SizeBytes: dynamodb.SizeBytes,
});

/** Set members come in no particular order. */
const sortedSets = (item: WireItem | undefined): WireItem | undefined =>
  item && {
    ...item,
    ...(item.tags?.SS ? { tags: { SS: [...item.tags.SS].sort() } } : {}),
  };

const comparable = (record: LedgerStreamRecord) => {
  const { OldImage, NewImage, ...rest } = change(record);
  return { ...rest, OldImage: sortedSets(OldImage), NewImage: sortedSets(NewImage) };
};

describe('change capture in front of dynalite', () => {
  let engine: RunningDynamoDb;
  let capture: ChangeCapture;
  let viaCapture: DynamoDBClient;
  let direct: DynamoDBClient;
  const errors: unknown[] = [];

  beforeAll(async () => {
    engine = await startDynalite();
    direct = localDynamoDbClient(engine.endpoint, REGION);
    await createRequestsTable(direct, TABLE, { stream: false });
    capture = await startChangeCapture({
      engineEndpoint: engine.endpoint,
      region: REGION,
      accountId: LOCAL_ACCOUNT_ID,
      tableName: TABLE,
      onError: (error) => errors.push(error),
    });
    viaCapture = localDynamoDbClient(capture.endpoint, REGION);
  });

  afterAll(async () => {
    viaCapture?.destroy();
    direct?.destroy();
    await capture?.close();
    await engine?.close();
  });

  it('streams INSERT, MODIFY and REMOVE with both images, in order; a no-op write streams nothing', async () => {
    await ledgerWrites(viaCapture, 'CreateImageBuilder#t-1');

    const records = (await capture.shard.read()).map(({ record }) => record);

    expect(records.map(({ eventName }) => eventName)).toEqual([
      'INSERT',
      'MODIFY',
      'REMOVE',
      'INSERT',
    ]);
    const [insert, modify, remove, again] = records as [
      LedgerStreamRecord,
      LedgerStreamRecord,
      LedgerStreamRecord,
      LedgerStreamRecord,
    ];
    expect(insert.dynamodb.OldImage).toBeUndefined();
    expect(insert.dynamodb.NewImage).toMatchObject({
      status: { S: 'IN_PROGRESS' },
      outcomes: { L: [] },
    });
    expect(modify.dynamodb.OldImage).toEqual(insert.dynamodb.NewImage);
    expect(modify.dynamodb.NewImage?.outcomes).toEqual({
      L: [{ M: { id: { S: 'o-1' }, payload: { B: 'AAH+' }, ok: { BOOL: true } } }],
    });
    expect(remove.dynamodb.OldImage).toEqual(modify.dynamodb.NewImage);
    expect(remove.dynamodb.NewImage).toBeUndefined();
    expect(again.dynamodb.OldImage).toBeUndefined();
    for (const record of records) {
      expect(record.dynamodb.Keys).toEqual({ pk: { S: 'CreateImageBuilder#t-1' } });
    }
    const numbers = records.map(({ dynamodb }) => BigInt(dynamodb.SequenceNumber));
    expect(numbers).toEqual([...numbers].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(errors).toEqual([]);
  });

  it('serializes concurrent writes to one item: 50 updates give 50 records whose images chain', async () => {
    const Key = { pk: { S: 'UpdateInfrastructureConfiguration#concurrent' } };
    await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        viaCapture.send(
          new UpdateItemCommand({
            TableName: TABLE,
            Key,
            UpdateExpression: 'ADD writes :one SET lastWriter = :writer',
            ExpressionAttributeValues: { ':one': { N: '1' }, ':writer': { N: String(index) } },
          }),
        ),
      ),
    );

    const records = (await capture.shard.read()).map(({ record }) => record);

    expect(records).toHaveLength(50);
    expect(records.map(({ dynamodb }) => dynamodb.NewImage?.writes)).toEqual(
      Array.from({ length: 50 }, (_, index) => ({ N: String(index + 1) })),
    );
    expect(records[0]?.dynamodb.OldImage).toBeUndefined();
    records.slice(1).forEach((record, index) => {
      expect(record.dynamodb.OldImage).toEqual(records[index]?.dynamodb.NewImage);
    });
  });

  it('passes other tables and reads through untouched, and streams nothing for them', async () => {
    await direct.send(
      new CreateTableCommand({
        TableName: 'image-provisioner-local-idempotency',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await viaCapture.send(
      new PutItemCommand({
        TableName: 'image-provisioner-local-idempotency',
        Item: { id: { S: 'x' }, data: { S: 'kept' } },
      }),
    );
    await viaCapture.send(
      new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'read-me' }, n: { N: '7' } } }),
    );
    await capture.shard.read();
    const raw = async (endpoint: string, target: string, body: unknown) => {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `DynamoDB_20120810.${target}`,
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20261129/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        crc: response.headers.get('x-amz-crc32'),
        text: await response.text(),
      };
    };

    for (const [target, body] of [
      ['GetItem', { TableName: TABLE, Key: { pk: { S: 'read-me' } } }],
      ['GetItem', { TableName: 'image-provisioner-local-idempotency', Key: { id: { S: 'x' } } }],
      ['DescribeTable', { TableName: TABLE }],
      ['PutItem', { TableName: TABLE, Item: { pk: { N: '1' } } }],
    ] as const) {
      expect(await raw(capture.endpoint, target, body)).toEqual(
        await raw(engine.endpoint, target, body),
      );
    }
    const { Item } = await viaCapture.send(
      new GetItemCommand({
        TableName: 'image-provisioner-local-idempotency',
        Key: { id: { S: 'x' } },
      }),
    );
    expect(Item?.data).toEqual({ S: 'kept' });
    expect(await capture.shard.read()).toEqual([]);
  });
});

const hasJava = javaAvailable();
if (!hasJava)
  console.warn('DynamoDB Local tests skipped: it runs on Java, and no `java` is on the PATH');

describe.skipIf(!hasJava)('the Streams API of DynamoDB Local', () => {
  let local: RunningDynamoDb;
  let dynalite: RunningDynamoDb;
  let capture: ChangeCapture;

  beforeAll(async () => {
    [local, dynalite] = await Promise.all([startDynamoDbLocal(), startDynalite()]);
    const localClient = localDynamoDbClient(local.endpoint, REGION);
    const dynaliteClient = localDynamoDbClient(dynalite.endpoint, REGION);
    await createRequestsTable(localClient, TABLE, { stream: true });
    await createRequestsTable(dynaliteClient, TABLE, { stream: false });
    localClient.destroy();
    dynaliteClient.destroy();
    capture = await startChangeCapture({
      engineEndpoint: dynalite.endpoint,
      region: REGION,
      accountId: LOCAL_ACCOUNT_ID,
      tableName: TABLE,
      onError: () => undefined,
    });
  }, 60_000);

  afterAll(async () => {
    await capture?.close();
    await Promise.all([local?.close(), dynalite?.close()]);
  });

  it('streams the same changes as change capture on dynalite, in AWS record shape', async () => {
    const reader = await openStreamsApiReader({
      endpoint: local.endpoint,
      region: REGION,
      accountId: LOCAL_ACCOUNT_ID,
      tableName: TABLE,
    });
    const onLocal = localDynamoDbClient(local.endpoint, REGION);
    const onDynalite = localDynamoDbClient(capture.endpoint, REGION);
    try {
      await ledgerWrites(onLocal, 'CreateImageBuilder#same');
      await ledgerWrites(onDynalite, 'CreateImageBuilder#same');

      const streamed = (await reader.read()).map(({ record }) => record);
      const captured = (await capture.shard.read()).map(({ record }) => record);

      expect(streamed.map(comparable)).toEqual(captured.map(comparable));
      expect(streamed).toHaveLength(4);
      for (const record of streamed) {
        expect(record).toMatchObject({
          eventVersion: '1.1',
          eventSource: 'aws:dynamodb',
          awsRegion: REGION,
          eventSourceARN: expect.stringMatching(
            new RegExp(
              `^arn:aws:dynamodb:${REGION}:${LOCAL_ACCOUNT_ID}:table/${TABLE}/stream/\\d{4}-`,
            ),
          ),
          dynamodb: {
            ApproximateCreationDateTime: expect.any(Number),
            SequenceNumber: expect.stringMatching(/^\d+$/),
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          },
        });
      }
      expect(await reader.read()).toEqual([]);
    } finally {
      onLocal.destroy();
      onDynalite.destroy();
      await reader.close();
    }
  });

  it('triggers a function with the stream through the event source mapping', async () => {
    const delivered: LedgerStreamRecord[] = [];
    const stream = await startLedgerStream({
      engineEndpoint: local.endpoint,
      region: REGION,
      accountId: LOCAL_ACCOUNT_ID,
      tableName: TABLE,
      source: 'streams-api',
      functionName: 'image-provisioner-local-outbox',
      deliver: async ({ Records }) => {
        delivered.push(...(Records as LedgerStreamRecord[]));
        return { batchItemFailures: [] };
      },
      onFailure: async (record) => {
        throw new Error(`nothing should be given up: ${JSON.stringify(record)}`);
      },
      onError: (error) => {
        throw error;
      },
      mapping: { pollIntervalMs: 50 },
    });
    const client = localDynamoDbClient(stream.endpoint, REGION);
    try {
      expect(stream.endpoint).toBe(local.endpoint);
      await ledgerWrites(client, 'CreateImageBuilder#mapped');

      await stream.idle(10_000);

      expect(
        delivered
          .filter(({ dynamodb }) => dynamodb.Keys.pk?.S === 'CreateImageBuilder#mapped')
          .map(({ eventName }) => eventName),
      ).toEqual(['INSERT', 'MODIFY', 'REMOVE', 'INSERT']);
    } finally {
      client.destroy();
      await stream.stop();
    }
  });
});

describe('the event source mapping with its on-failure queue', () => {
  let engine: RunningDynamoDb;
  let messaging: RunningMessaging;
  let sqs: SQSClient;
  let failureQueueUrl: string;

  beforeAll(async () => {
    [engine, messaging] = await Promise.all([startDynalite(), startMessaging(0, REGION)]);
    const dynamodb = localDynamoDbClient(engine.endpoint, REGION);
    await createRequestsTable(dynamodb, TABLE, { stream: false });
    dynamodb.destroy();
    sqs = new SQSClient({
      region: REGION,
      endpoint: messaging.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: 'image-provisioner-local-outbox-failures' }),
    );
    failureQueueUrl = `${messaging.endpoint}${new URL(QueueUrl ?? '').pathname}`;
  });

  afterAll(async () => {
    sqs?.destroy();
    await Promise.all([engine?.close(), messaging?.close()]);
  });

  const startStream = (
    deliver: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>,
    mapping: Parameters<typeof startLedgerStream>[0]['mapping'],
  ): Promise<LedgerStream> =>
    startLedgerStream({
      engineEndpoint: engine.endpoint,
      region: REGION,
      accountId: LOCAL_ACCOUNT_ID,
      tableName: TABLE,
      source: 'capture',
      functionName: 'image-provisioner-local-outbox',
      deliver,
      onFailure: async (record) => {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: failureQueueUrl,
            MessageBody: JSON.stringify(record),
          }),
        );
      },
      onError: (error) => {
        throw error;
      },
      mapping: { initialBackoffMs: 5, maximumBackoffMs: 20, pollIntervalMs: 20, ...mapping },
    });

  const takeFailures = async (): Promise<StreamFailureRecord[]> => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: failureQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    for (const message of Messages) {
      await sqs.send(
        new DeleteMessageCommand({
          QueueUrl: failureQueueUrl,
          ReceiptHandle: message.ReceiptHandle,
        }),
      );
    }
    return Messages.map((message) => JSON.parse(message.Body ?? '') as StreamFailureRecord);
  };

  const put = (stream: LedgerStream, pk: string) => {
    const client = localDynamoDbClient(stream.endpoint, REGION);
    return client
      .send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: pk } } }))
      .finally(() => client.destroy());
  };

  it('delivers what the service writes, and sends a batch it gives up to the failure queue, then moves on', async () => {
    const delivered: string[] = [];
    const stream = await startStream(
      async ({ Records }) => {
        const failed = Records.filter((record) => record.dynamodb?.Keys?.pk?.S === 'poison');
        for (const record of Records) {
          if (record.dynamodb?.Keys?.pk?.S !== 'poison')
            delivered.push(record.dynamodb?.Keys?.pk?.S ?? '');
        }
        return {
          batchItemFailures: failed.map((record) => ({
            itemIdentifier: record.dynamodb?.SequenceNumber ?? '',
          })),
        };
      },
      { maximumRetryAttempts: 2 },
    );
    try {
      await put(stream, 'first');
      await put(stream, 'poison');
      await stream.idle(10_000);
      await put(stream, 'after');
      await stream.idle(10_000);

      const failures = await takeFailures();

      expect(delivered).toEqual(['first', 'after']);
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({
        requestContext: {
          functionArn: `arn:aws:lambda:${REGION}:${LOCAL_ACCOUNT_ID}:function:image-provisioner-local-outbox`,
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 3,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST' },
        version: '1.0',
        DDBStreamBatchInfo: {
          batchSize: 1,
          streamArn: expect.stringContaining(`:table/${TABLE}/stream/`),
        },
      });
    } finally {
      await stream.stop();
    }
  });

  it('sends records older than MaximumRecordAgeInSeconds to the failure queue', async () => {
    const stream = await startStream(
      async () => {
        throw new Error('SNS is down');
      },
      { maximumRecordAgeSeconds: 1, maximumRetryAttempts: 1_000 },
    );
    try {
      await put(stream, 'aged');
      await stream.idle(10_000);

      const failures = await takeFailures();

      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({
        requestContext: { condition: 'RecordAgeExceeded' },
        responseContext: { functionError: 'Unhandled' },
        DDBStreamBatchInfo: { batchSize: 1 },
      });
      expect(failures[0]?.requestContext.approximateInvokeCount).toBeGreaterThan(1);
    } finally {
      await stream.stop();
    }
  });
});
