import { createHash } from 'node:crypto';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../local/engines/credentials.js';
import {
  LOCAL_ACCOUNT_ID,
  type RunningMessaging,
  startMessaging,
} from '../../../local/engines/messaging.js';
import { blocks, nameValues, rootName, text, texts } from './queryXml.js';

/*
 * The offline stack's SQS endpoint (fauxqs behind the Query front, started as the stack starts it)
 * spoken to in SQS's Query protocol with plain form-encoded requests, and next to the JSON
 * protocol of the SDK the service uses.
 */

const REGION = 'eu-west-1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const md5 = (value: string | Uint8Array) => createHash('md5').update(value).digest('hex');

let messaging: RunningMessaging;
let sqs: SQSClient;
let sns: SNSClient;

beforeAll(async () => {
  messaging = await startMessaging(0, REGION);
  const config = { region: REGION, endpoint: messaging.endpoint, credentials: LOCAL_CREDENTIALS };
  sqs = new SQSClient(config);
  sns = new SNSClient(config);
});

afterAll(async () => {
  sqs?.destroy();
  sns?.destroy();
  await messaging?.close();
});

let queues = 0;
/** A queue of the test's own, created over the JSON protocol. */
const freshQueue = async (): Promise<{ name: string; url: string }> => {
  const name = `query-protocol-${++queues}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error('CreateQueue answered no QueueUrl');
  return { name, url: QueueUrl };
};

interface QueryAnswer {
  status: number;
  contentType: string | null;
  xml: string;
}

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

/** A Query request as a Query client sends it: form-encoded, `Version=2012-11-05`, unsigned. */
const query = async (
  params: Record<string, string>,
  options: { path?: string; method?: 'GET' | 'POST'; headers?: Record<string, string> } = {},
): Promise<QueryAnswer> => {
  const form = new URLSearchParams({ Version: '2012-11-05', ...params });
  const target = `${messaging.endpoint}${options.path ?? '/'}`;
  const response =
    options.method === 'GET'
      ? await fetch(`${target}?${form.toString()}`, { headers: options.headers ?? {} })
      : await fetch(target, {
          method: 'POST',
          headers: { 'content-type': FORM, ...options.headers },
          body: form.toString(),
        });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    xml: await response.text(),
  };
};

const expectAnswer = (answer: QueryAnswer, action: string) => {
  expect(answer.status, answer.xml).toBe(200);
  expect(answer.contentType).toMatch(/^text\/xml/);
  expect(rootName(answer.xml)).toBe(`${action}Response`);
  expect(answer.xml).toContain('xmlns="http://queue.amazonaws.com/doc/2012-11-05/"');
  expect(text(blocks(answer.xml, 'ResponseMetadata')[0] ?? '', 'RequestId')).toMatch(UUID);
};

const expectError = (answer: QueryAnswer, status: number, code: string, type = 'Sender') => {
  expect(answer.status, answer.xml).toBe(status);
  expect(answer.contentType).toMatch(/^text\/xml/);
  expect(rootName(answer.xml)).toBe('ErrorResponse');
  const error = blocks(answer.xml, 'Error')[0] ?? '';
  expect(text(error, 'Type')).toBe(type);
  expect(text(error, 'Code')).toBe(code);
  expect(text(error, 'Message')).toBeTruthy();
  expect(text(answer.xml, 'RequestId')).toMatch(UUID);
};

/** The message attributes of a `<Message>` as `{ name: { DataType, StringValue, BinaryValue } }`. */
const messageAttributesOf = (message: string) =>
  Object.fromEntries(
    blocks(message, 'MessageAttribute').map((attribute) => {
      const value = blocks(attribute, 'Value')[0] ?? '';
      const fields = Object.fromEntries(
        ['DataType', 'StringValue', 'BinaryValue'].flatMap((field) => {
          const content = text(value, field);
          return content === undefined ? [] : [[field, content]];
        }),
      );
      return [text(attribute, 'Name') ?? '', fields];
    }),
  );

const receive = (queueUrl: string, extra: Record<string, string> = {}) =>
  query({
    Action: 'ReceiveMessage',
    QueueUrl: queueUrl,
    'AttributeName.1': 'All',
    'MessageAttributeName.1': 'All',
    MaxNumberOfMessages: '10',
    WaitTimeSeconds: '1',
    ...extra,
  });

const countsOf = async (queueUrl: string) => {
  const answer = await query({
    Action: 'GetQueueAttributes',
    QueueUrl: queueUrl,
    'AttributeName.1': 'ApproximateNumberOfMessages',
    'AttributeName.2': 'ApproximateNumberOfMessagesNotVisible',
    'AttributeName.3': 'ApproximateNumberOfMessagesDelayed',
  });
  expectAnswer(answer, 'GetQueueAttributes');
  return nameValues(answer.xml, 'Attribute');
};

describe('SQS Query protocol on the local messaging endpoint', () => {
  it('SendMessage answers the message id and the MD5 of the body, ReceiveMessage returns that message, DeleteMessage removes it', async () => {
    const queue = await freshQueue();
    const body = 'provisioning <request> & "quotes"\r\nline two \u2713';

    const sent = await query({
      Action: 'SendMessage',
      QueueUrl: queue.url,
      MessageBody: body,
      'MessageAttribute.1.Name': 'kind',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'query',
      'MessageAttribute.2.Name': 'attempt',
      'MessageAttribute.2.Value.DataType': 'Number',
      'MessageAttribute.2.Value.StringValue': '3',
    });
    expectAnswer(sent, 'SendMessage');
    const result = blocks(sent.xml, 'SendMessageResult')[0] ?? '';
    const messageId = text(result, 'MessageId');
    expect(messageId).toMatch(UUID);
    expect(text(result, 'MD5OfMessageBody')).toBe(md5(body));
    const attributesDigest = text(result, 'MD5OfMessageAttributes');
    expect(attributesDigest).toMatch(/^[0-9a-f]{32}$/);

    const received = await receive(queue.url, { VisibilityTimeout: '30' });
    expectAnswer(received, 'ReceiveMessage');
    const messages = blocks(received.xml, 'Message');
    expect(messages).toHaveLength(1);
    const message = messages[0] ?? '';
    expect(text(message, 'MessageId')).toBe(messageId);
    expect(text(message, 'Body')).toBe(body);
    expect(text(message, 'MD5OfBody')).toBe(md5(body));
    expect(text(message, 'MD5OfMessageAttributes')).toBe(attributesDigest);
    const attributes = nameValues(message, 'Attribute');
    expect(attributes.ApproximateReceiveCount).toBe('1');
    expect(Number(attributes.SentTimestamp)).toBeGreaterThan(Date.now() - 60_000);
    expect(messageAttributesOf(message)).toEqual({
      kind: { DataType: 'String', StringValue: 'query' },
      attempt: { DataType: 'Number', StringValue: '3' },
    });
    const receiptHandle = text(message, 'ReceiptHandle');
    expect(receiptHandle).toBeTruthy();
    expect(await countsOf(queue.url)).toMatchObject({ ApproximateNumberOfMessagesNotVisible: '1' });

    const deleted = await query({
      Action: 'DeleteMessage',
      QueueUrl: queue.url,
      ReceiptHandle: receiptHandle ?? '',
    });
    expectAnswer(deleted, 'DeleteMessage');
    expect(blocks(deleted.xml, 'DeleteMessageResult')).toEqual([]);
    expect(await countsOf(queue.url)).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
    });
  });

  it('DelaySeconds holds a message back', async () => {
    const queue = await freshQueue();
    const sent = await query({
      Action: 'SendMessage',
      QueueUrl: queue.url,
      MessageBody: 'later',
      DelaySeconds: '30',
    });
    expectAnswer(sent, 'SendMessage');
    expect(await countsOf(queue.url)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesDelayed: '1',
    });
    const received = await receive(queue.url, { WaitTimeSeconds: '0' });
    expectAnswer(received, 'ReceiveMessage');
    expect(blocks(received.xml, 'Message')).toEqual([]);
  });

  it('GetQueueUrl answers the URL the JSON client was given, also as a GET with the parameters in the URL', async () => {
    const queue = await freshQueue();
    for (const method of ['POST', 'GET'] as const) {
      const answer = await query({ Action: 'GetQueueUrl', QueueName: queue.name }, { method });
      expectAnswer(answer, 'GetQueueUrl');
      expect(text(answer.xml, 'QueueUrl')).toBe(queue.url);
    }
  });

  it('answers errors in the Query shape: code, Sender or Receiver, HTTP status', async () => {
    expectError(
      await query({ Action: 'GetQueueUrl', QueueName: 'no-such-queue' }),
      400,
      'AWS.SimpleQueueService.NonExistentQueue',
    );
    expectError(
      await query(
        { Action: 'SendMessage', MessageBody: 'x' },
        { path: `/${LOCAL_ACCOUNT_ID}/no-such-queue` },
      ),
      400,
      'AWS.SimpleQueueService.NonExistentQueue',
    );
    const queue = await freshQueue();
    expectError(
      await receive(queue.url, { MaxNumberOfMessages: '11' }),
      400,
      'InvalidParameterValue',
    );
    expectError(
      await receive(queue.url, { WaitTimeSeconds: 'soon' }),
      400,
      'InvalidParameterValue',
    );
    expectError(
      await query({ Action: 'ListDeadLetterSourceQueues', QueueUrl: queue.url }),
      400,
      'AWS.SimpleQueueService.UnsupportedOperation',
    );
    // A request signed for SQS is SQS's whatever its action.
    const signedForSqs = {
      authorization: `AWS4-HMAC-SHA256 Credential=local/20261130/${REGION}/sqs/aws4_request, SignedHeaders=host, Signature=00`,
    };
    expectError(
      await query({ Action: 'Frobnicate' }, { headers: signedForSqs }),
      400,
      'InvalidAction',
    );
    expectError(await query({}, { headers: signedForSqs }), 400, 'MissingAction');
  });

  it('SendMessageBatch, ReceiveMessage of several and DeleteMessageBatch, with per-entry failures', async () => {
    const queue = await freshQueue();
    const sent = await query({
      Action: 'SendMessageBatch',
      QueueUrl: queue.url,
      'SendMessageBatchRequestEntry.1.Id': 'first',
      'SendMessageBatchRequestEntry.1.MessageBody': 'one',
      'SendMessageBatchRequestEntry.2.Id': 'second',
      'SendMessageBatchRequestEntry.2.MessageBody': 'two',
      'SendMessageBatchRequestEntry.2.MessageAttribute.1.Name': 'kind',
      'SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType': 'String',
      'SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue': 'batch',
      'SendMessageBatchRequestEntry.3.Id': 'broken',
      'SendMessageBatchRequestEntry.3.MessageBody': 'bell \u0007',
    });
    expectAnswer(sent, 'SendMessageBatch');
    const successes = blocks(sent.xml, 'SendMessageBatchResultEntry');
    const ids = Object.fromEntries(
      successes.map((entry) => [text(entry, 'Id') ?? '', text(entry, 'MessageId')]),
    );
    expect(Object.keys(ids).sort()).toEqual(['first', 'second']);
    expect(
      successes.map((entry) => [text(entry, 'Id'), text(entry, 'MD5OfMessageBody')]).sort(),
    ).toEqual([
      ['first', md5('one')],
      ['second', md5('two')],
    ]);
    const failures = blocks(sent.xml, 'BatchResultErrorEntry');
    expect(failures).toHaveLength(1);
    expect(text(failures[0] ?? '', 'Id')).toBe('broken');
    expect(text(failures[0] ?? '', 'SenderFault')).toBe('true');
    expect(text(failures[0] ?? '', 'Code')).toBe('InvalidMessageContents');

    const received = await receive(queue.url);
    expectAnswer(received, 'ReceiveMessage');
    const messages = blocks(received.xml, 'Message');
    expect(
      messages.map((message) => [text(message, 'MessageId'), text(message, 'Body')]).sort(),
    ).toEqual(
      [
        [ids.first, 'one'],
        [ids.second, 'two'],
      ].sort(),
    );
    const withAttribute = messages.find((message) => text(message, 'Body') === 'two') ?? '';
    expect(messageAttributesOf(withAttribute)).toEqual({
      kind: { DataType: 'String', StringValue: 'batch' },
    });

    const entries: Record<string, string> = {};
    messages.forEach((message, index) => {
      entries[`DeleteMessageBatchRequestEntry.${index + 1}.Id`] = `m${index + 1}`;
      entries[`DeleteMessageBatchRequestEntry.${index + 1}.ReceiptHandle`] =
        text(message, 'ReceiptHandle') ?? '';
    });
    const deleted = await query({ Action: 'DeleteMessageBatch', QueueUrl: queue.url, ...entries });
    expectAnswer(deleted, 'DeleteMessageBatch');
    expect(
      blocks(deleted.xml, 'DeleteMessageBatchResultEntry')
        .map((entry) => text(entry, 'Id'))
        .sort(),
    ).toEqual(['m1', 'm2']);
    expect(await countsOf(queue.url)).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('ChangeMessageVisibility makes a received message visible again', async () => {
    const queue = await freshQueue();
    const { MessageId } = await sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'again' }),
    );
    const first = blocks((await receive(queue.url, { VisibilityTimeout: '600' })).xml, 'Message');
    expect(first.map((message) => text(message, 'MessageId'))).toEqual([MessageId]);

    const changed = await query({
      Action: 'ChangeMessageVisibility',
      QueueUrl: queue.url,
      ReceiptHandle: text(first[0] ?? '', 'ReceiptHandle') ?? '',
      VisibilityTimeout: '0',
    });
    expectAnswer(changed, 'ChangeMessageVisibility');

    const second = blocks((await receive(queue.url)).xml, 'Message');
    expect(second.map((message) => text(message, 'MessageId'))).toEqual([MessageId]);
    expect(nameValues(second[0] ?? '', 'Attribute').ApproximateReceiveCount).toBe('2');
  });

  it('takes a request posted to the queue URL without a QueueUrl parameter (as the Java SDK v1 sends it)', async () => {
    const queue = await freshQueue();
    const sent = await query(
      { Action: 'SendMessage', MessageBody: 'by path' },
      { path: new URL(queue.url).pathname },
    );
    expectAnswer(sent, 'SendMessage');
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1 }),
    );
    expect(Messages?.map((message) => [message.MessageId, message.Body])).toEqual([
      [text(sent.xml, 'MessageId'), 'by path'],
    ]);
  });

  it('CreateQueue with attributes and tags, ListQueues, ListQueueTags, PurgeQueue and DeleteQueue', async () => {
    const name = 'query-created-queue';
    const created = await query({
      Action: 'CreateQueue',
      QueueName: name,
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '45',
      'Attribute.2.Name': 'MessageRetentionPeriod',
      'Attribute.2.Value': '3600',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'portal',
    });
    expectAnswer(created, 'CreateQueue');
    const queueUrl = text(created.xml, 'QueueUrl') ?? '';
    expect(new URL(queueUrl).pathname).toBe(`/${LOCAL_ACCOUNT_ID}/${name}`);
    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    expect(found.QueueUrl).toBe(queueUrl);

    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['VisibilityTimeout', 'MessageRetentionPeriod'],
      }),
    );
    expect(Attributes).toEqual({ VisibilityTimeout: '45', MessageRetentionPeriod: '3600' });

    const tags = await query({ Action: 'ListQueueTags', QueueUrl: queueUrl });
    expectAnswer(tags, 'ListQueueTags');
    expect(nameValues(tags.xml, 'Tag', 'Key', 'Value')).toEqual({ team: 'portal' });

    const listed = await query({ Action: 'ListQueues', QueueNamePrefix: 'query-created' });
    expectAnswer(listed, 'ListQueues');
    expect(texts(listed.xml, 'QueueUrl')).toEqual([queueUrl]);

    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'to purge' }));
    expect(await countsOf(queueUrl)).toMatchObject({ ApproximateNumberOfMessages: '1' });
    expectAnswer(await query({ Action: 'PurgeQueue', QueueUrl: queueUrl }), 'PurgeQueue');
    expect(await countsOf(queueUrl)).toMatchObject({ ApproximateNumberOfMessages: '0' });

    expectAnswer(await query({ Action: 'DeleteQueue', QueueUrl: queueUrl }), 'DeleteQueue');
    expectError(
      await query({ Action: 'GetQueueUrl', QueueName: name }),
      400,
      'AWS.SimpleQueueService.NonExistentQueue',
    );
  });

  it('a message sent over Query is received by the JSON SDK client, and one it sends is received over Query', async () => {
    const queue = await freshQueue();
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    const sent = await query({
      Action: 'SendMessage',
      QueueUrl: queue.url,
      MessageBody: '{"operation":"CreateImageBuilder"}',
      'MessageAttribute.1.Name': 'kind',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'query',
      'MessageAttribute.2.Name': 'blob',
      'MessageAttribute.2.Value.DataType': 'Binary',
      'MessageAttribute.2.Value.BinaryValue': Buffer.from(bytes).toString('base64'),
    });
    expectAnswer(sent, 'SendMessage');
    // The SDK checks MD5OfBody and MD5OfMessageAttributes of what it receives.
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 1,
      }),
    );
    expect(Messages).toHaveLength(1);
    const viaJson = Messages?.[0];
    expect(viaJson?.MessageId).toBe(text(sent.xml, 'MessageId'));
    expect(viaJson?.Body).toBe('{"operation":"CreateImageBuilder"}');
    expect(viaJson?.MD5OfMessageAttributes).toBe(text(sent.xml, 'MD5OfMessageAttributes'));
    expect(viaJson?.MessageAttributes?.kind).toEqual({ DataType: 'String', StringValue: 'query' });
    expect(viaJson?.MessageAttributes?.blob?.BinaryValue).toEqual(bytes);
    await sqs.send(
      new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: viaJson?.ReceiptHandle }),
    );

    const fromSdk = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: 'from the SDK',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'json' } },
      }),
    );
    const received = await receive(queue.url);
    expectAnswer(received, 'ReceiveMessage');
    const messages = blocks(received.xml, 'Message');
    expect(messages).toHaveLength(1);
    const viaQuery = messages[0] ?? '';
    expect(text(viaQuery, 'MessageId')).toBe(fromSdk.MessageId);
    expect(text(viaQuery, 'MD5OfBody')).toBe(fromSdk.MD5OfMessageBody);
    expect(text(viaQuery, 'MD5OfMessageAttributes')).toBe(fromSdk.MD5OfMessageAttributes);
    expect(messageAttributesOf(viaQuery)).toEqual({
      kind: { DataType: 'String', StringValue: 'json' },
    });
    expectAnswer(
      await query({
        Action: 'DeleteMessage',
        QueueUrl: queue.url,
        ReceiptHandle: text(viaQuery, 'ReceiptHandle') ?? '',
      }),
      'DeleteMessage',
    );
    const after = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url }));
    expect(after.Messages ?? []).toEqual([]);
  });

  it('passes the JSON protocol through untouched, errors included', async () => {
    const queue = await freshQueue();
    const json = (target: string, body: unknown) =>
      fetch(messaging.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `AmazonSQS.${target}`,
        },
        body: JSON.stringify(body),
      });
    const found = await json('GetQueueUrl', { QueueName: queue.name });
    expect(found.status).toBe(200);
    expect(found.headers.get('content-type')).toMatch(/^application\/x-amz-json-1\.0/);
    expect(await found.json()).toEqual({ QueueUrl: queue.url });

    const missing = await json('GetQueueUrl', { QueueName: 'no-such-queue' });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('x-amzn-query-error')).toMatch(/NonExistentQueue;Sender$/);
    expect(await missing.json()).toMatchObject({ __type: 'com.amazonaws.sqs#QueueDoesNotExist' });
  });

  it('leaves SNS on the same endpoint to fauxqs, signed (the SDK) or not', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'query-front-topic' }));
    expect(TopicArn).toBe(`arn:aws:sns:${REGION}:${LOCAL_ACCOUNT_ID}:query-front-topic`);
    const listed = await fetch(messaging.endpoint, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: new URLSearchParams({ Action: 'ListTopics', Version: '2010-03-31' }).toString(),
    });
    expect(listed.status).toBe(200);
    const xml = await listed.text();
    expect(rootName(xml)).toBe('ListTopicsResponse');
    expect(texts(xml, 'TopicArn')).toContain(TopicArn);
  });
});
