import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listenOnLoopback } from '../../../local/engines/listen.js';
import {
  escapeXml,
  isSqsAction,
  queryErrorFromJson,
  queryErrorXml,
  queryResponseXml,
  translateQueryRequest,
} from '../../../local/engines/sqsQuery.js';
import {
  classifyRequest,
  type EngineAnswer,
  type EngineRequest,
  signedForService,
  sqsQueryFront,
} from '../../../local/engines/sqsQueryFront.js';

/*
 * The SQS Query protocol over the JSON one: Query parameters as the JSON call, JSON answers and
 * errors as the Query XML (shapes of the Amazon SQS API Reference, 2012-11-05).
 */

const QUEUE_URL = 'http://127.0.0.1:4566/000000000000/requests';
const NS = 'xmlns="http://queue.amazonaws.com/doc/2012-11-05/"';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const REQUEST_ID = '6b8bd0ab-5c9b-4c6f-9d32-8e1a0c0f2e11';

const call = (params: Record<string, string>, queueUrlFromPath?: string) => {
  const translation = translateQueryRequest(
    Object.entries({ Version: '2012-11-05', ...params }),
    queueUrlFromPath,
  );
  if (translation.kind !== 'call') throw new Error(JSON.stringify(translation.error));
  return translation;
};

const failure = (params: Record<string, string>) => {
  const translation = translateQueryRequest(Object.entries(params));
  if (translation.kind !== 'error') throw new Error(`translated: ${JSON.stringify(translation)}`);
  return translation.error;
};

describe('Query requests as JSON calls', () => {
  it('SendMessage: body, DelaySeconds as a number, MessageAttribute.N of every data type', () => {
    expect(
      call({
        Action: 'SendMessage',
        QueueUrl: QUEUE_URL,
        MessageBody: 'hello',
        DelaySeconds: '45',
        'MessageAttribute.1.Name': 'kind',
        'MessageAttribute.1.Value.DataType': 'String',
        'MessageAttribute.1.Value.StringValue': 'portal',
        'MessageAttribute.2.Name': 'attempt',
        'MessageAttribute.2.Value.DataType': 'Number',
        'MessageAttribute.2.Value.StringValue': '3',
        'MessageAttribute.3.Name': 'blob',
        'MessageAttribute.3.Value.DataType': 'Binary',
        'MessageAttribute.3.Value.BinaryValue': 'AAEC',
        'MessageSystemAttribute.1.Name': 'AWSTraceHeader',
        'MessageSystemAttribute.1.Value.DataType': 'String',
        'MessageSystemAttribute.1.Value.StringValue': 'Root=1-5759e988-bd862e3fe1be46a994272793',
      }),
    ).toEqual({
      kind: 'call',
      action: 'SendMessage',
      target: 'AmazonSQS.SendMessage',
      body: {
        QueueUrl: QUEUE_URL,
        MessageBody: 'hello',
        DelaySeconds: 45,
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'portal' },
          attempt: { DataType: 'Number', StringValue: '3' },
          blob: { DataType: 'Binary', BinaryValue: 'AAEC' },
        },
        MessageSystemAttributes: {
          AWSTraceHeader: {
            DataType: 'String',
            StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793',
          },
        },
      },
    });
  });

  it('SendMessageBatch: entries in index order (2 before 10), each with its own attributes', () => {
    const params: Record<string, string> = { Action: 'SendMessageBatch', QueueUrl: QUEUE_URL };
    for (const index of [10, 2, 1]) {
      params[`SendMessageBatchRequestEntry.${index}.Id`] = `e${index}`;
      params[`SendMessageBatchRequestEntry.${index}.MessageBody`] = `body ${index}`;
    }
    params['SendMessageBatchRequestEntry.2.DelaySeconds'] = '5';
    params['SendMessageBatchRequestEntry.2.MessageAttribute.1.Name'] = 'kind';
    params['SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType'] = 'String';
    params['SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue'] = 'second';
    expect(call(params).body).toEqual({
      QueueUrl: QUEUE_URL,
      Entries: [
        { Id: 'e1', MessageBody: 'body 1' },
        {
          Id: 'e2',
          MessageBody: 'body 2',
          DelaySeconds: 5,
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'second' } },
        },
        { Id: 'e10', MessageBody: 'body 10' },
      ],
    });
  });

  it('ReceiveMessage: AttributeName.N, MessageAttributeName.N and the numbers', () => {
    expect(
      call({
        Action: 'ReceiveMessage',
        QueueUrl: QUEUE_URL,
        'AttributeName.1': 'SentTimestamp',
        'AttributeName.2': 'ApproximateReceiveCount',
        'MessageAttributeName.1': 'kind',
        'MessageAttributeName.2': 'trace.*',
        'MessageSystemAttributeName.1': 'AWSTraceHeader',
        MaxNumberOfMessages: '10',
        WaitTimeSeconds: '20',
        VisibilityTimeout: '0',
      }).body,
    ).toEqual({
      QueueUrl: QUEUE_URL,
      AttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      MessageAttributeNames: ['kind', 'trace.*'],
      MessageSystemAttributeNames: ['AWSTraceHeader'],
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 20,
      VisibilityTimeout: 0,
    });
  });

  it('the deletes, visibility changes and queue operations', () => {
    expect(
      call({ Action: 'DeleteMessage', QueueUrl: QUEUE_URL, ReceiptHandle: 'rh' }).body,
    ).toEqual({ QueueUrl: QUEUE_URL, ReceiptHandle: 'rh' });
    expect(
      call({
        Action: 'DeleteMessageBatch',
        QueueUrl: QUEUE_URL,
        'DeleteMessageBatchRequestEntry.1.Id': 'a',
        'DeleteMessageBatchRequestEntry.1.ReceiptHandle': 'rh-a',
        'DeleteMessageBatchRequestEntry.2.Id': 'b',
        'DeleteMessageBatchRequestEntry.2.ReceiptHandle': 'rh-b',
      }).body,
    ).toEqual({
      QueueUrl: QUEUE_URL,
      Entries: [
        { Id: 'a', ReceiptHandle: 'rh-a' },
        { Id: 'b', ReceiptHandle: 'rh-b' },
      ],
    });
    expect(
      call({
        Action: 'ChangeMessageVisibility',
        QueueUrl: QUEUE_URL,
        ReceiptHandle: 'rh',
        VisibilityTimeout: '120',
      }).body,
    ).toEqual({ QueueUrl: QUEUE_URL, ReceiptHandle: 'rh', VisibilityTimeout: 120 });
    expect(
      call({
        Action: 'ChangeMessageVisibilityBatch',
        QueueUrl: QUEUE_URL,
        'ChangeMessageVisibilityBatchRequestEntry.1.Id': 'a',
        'ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle': 'rh-a',
        'ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout': '7',
      }).body,
    ).toEqual({
      QueueUrl: QUEUE_URL,
      Entries: [{ Id: 'a', ReceiptHandle: 'rh-a', VisibilityTimeout: 7 }],
    });
    expect(call({ Action: 'GetQueueUrl', QueueName: 'requests' }).body).toEqual({
      QueueName: 'requests',
    });
    expect(
      call({
        Action: 'GetQueueAttributes',
        QueueUrl: QUEUE_URL,
        'AttributeName.1': 'QueueArn',
        'AttributeName.2': 'RedrivePolicy',
      }).body,
    ).toEqual({ QueueUrl: QUEUE_URL, AttributeNames: ['QueueArn', 'RedrivePolicy'] });
    expect(
      call({ Action: 'ListQueues', QueueNamePrefix: 'image-', MaxResults: '5', NextToken: 't' })
        .body,
    ).toEqual({ QueueNamePrefix: 'image-', MaxResults: 5, NextToken: 't' });
    expect(call({ Action: 'PurgeQueue', QueueUrl: QUEUE_URL }).body).toEqual({
      QueueUrl: QUEUE_URL,
    });
    expect(call({ Action: 'DeleteQueue', QueueUrl: QUEUE_URL }).body).toEqual({
      QueueUrl: QUEUE_URL,
    });
    expect(
      call({
        Action: 'CreateQueue',
        QueueName: 'requests-dlq',
        'Attribute.1.Name': 'VisibilityTimeout',
        'Attribute.1.Value': '60',
        'Attribute.2.Name': 'RedrivePolicy',
        'Attribute.2.Value': '{"maxReceiveCount":"3"}',
        'Tag.1.Key': 'team',
        'Tag.1.Value': 'portal',
      }).body,
    ).toEqual({
      QueueName: 'requests-dlq',
      Attributes: { VisibilityTimeout: '60', RedrivePolicy: '{"maxReceiveCount":"3"}' },
      tags: { team: 'portal' },
    });
    expect(
      call({
        Action: 'SetQueueAttributes',
        QueueUrl: QUEUE_URL,
        'Attribute.1.Name': 'DelaySeconds',
        'Attribute.1.Value': '0',
      }).body,
    ).toEqual({ QueueUrl: QUEUE_URL, Attributes: { DelaySeconds: '0' } });
    expect(
      call({ Action: 'UntagQueue', QueueUrl: QUEUE_URL, 'TagKey.1': 'a', 'TagKey.2': 'b' }).body,
    ).toEqual({ QueueUrl: QUEUE_URL, TagKeys: ['a', 'b'] });
  });

  it('takes the queue URL from the path when the request has no QueueUrl; a QueueUrl parameter wins', () => {
    const fromPath = 'http://127.0.0.1:4566/000000000000/by-path';
    expect(call({ Action: 'PurgeQueue' }, fromPath).body).toEqual({ QueueUrl: fromPath });
    expect(call({ Action: 'PurgeQueue', QueueUrl: QUEUE_URL }, fromPath).body).toEqual({
      QueueUrl: QUEUE_URL,
    });
  });

  it('refuses what SQS refuses: a missing or unknown action, an action the local SQS lacks, a number that is none', () => {
    expect(failure({ Version: '2012-11-05' })).toEqual({
      code: 'MissingAction',
      message: 'The request must contain the parameter Action.',
      status: 400,
    });
    expect(failure({ Action: 'Frobnicate' })).toMatchObject({ code: 'InvalidAction', status: 400 });
    expect(failure({ Action: 'ListDeadLetterSourceQueues' })).toMatchObject({
      code: 'AWS.SimpleQueueService.UnsupportedOperation',
      status: 400,
    });
    expect(
      failure({ Action: 'ReceiveMessage', QueueUrl: QUEUE_URL, WaitTimeSeconds: '2.5' }),
    ).toEqual({
      code: 'InvalidParameterValue',
      message: 'Value 2.5 for parameter WaitTimeSeconds is invalid. Reason: Must be an integer.',
      status: 400,
    });
  });

  it('knows SQS actions from the SNS and STS actions sharing the endpoint', () => {
    expect(isSqsAction('SendMessage')).toBe(true);
    expect(isSqsAction('ListDeadLetterSourceQueues')).toBe(true);
    expect(isSqsAction('Publish')).toBe(false);
    // SNS has actions of these names too.
    expect(isSqsAction('AddPermission')).toBe(false);
    expect(isSqsAction('GetCallerIdentity')).toBe(false);
    expect(isSqsAction(null)).toBe(false);
  });
});

describe('JSON answers as Query XML', () => {
  it('SendMessage', () => {
    expect(
      queryResponseXml(
        'SendMessage',
        {
          MessageId: '5fea7756-0ea4-451a-a703-a558b933e274',
          MD5OfMessageBody: 'fafb00f5732ab283681e124bf8747ed1',
          MD5OfMessageAttributes: '3ae8f24a165a8cedc005670c81a27295',
        },
        REQUEST_ID,
      ),
    ).toBe(
      `${DECLARATION}<SendMessageResponse ${NS}><SendMessageResult><MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId><MD5OfMessageBody>fafb00f5732ab283681e124bf8747ed1</MD5OfMessageBody><MD5OfMessageAttributes>3ae8f24a165a8cedc005670c81a27295</MD5OfMessageAttributes></SendMessageResult><ResponseMetadata><RequestId>${REQUEST_ID}</RequestId></ResponseMetadata></SendMessageResponse>`,
    );
  });

  it('ReceiveMessage: flattened messages, attributes and message attributes, the body escaped', () => {
    expect(
      queryResponseXml(
        'ReceiveMessage',
        {
          Messages: [
            {
              MessageId: 'm-1',
              ReceiptHandle: 'rh-1',
              MD5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
              Body: '<a href="x">&\'\r\n',
              Attributes: { SenderId: '000000000000', ApproximateReceiveCount: '1' },
              MD5OfMessageAttributes: 'aa',
              MessageAttributes: {
                kind: { DataType: 'String', StringValue: 'portal' },
                blob: { DataType: 'Binary', BinaryValue: 'AAEC' },
              },
            },
            { MessageId: 'm-2', ReceiptHandle: 'rh-2', MD5OfBody: 'bb', Body: 'plain' },
          ],
        },
        REQUEST_ID,
      ),
    ).toBe(
      `${DECLARATION}<ReceiveMessageResponse ${NS}><ReceiveMessageResult>` +
        '<Message><MessageId>m-1</MessageId><ReceiptHandle>rh-1</ReceiptHandle><MD5OfBody>d41d8cd98f00b204e9800998ecf8427e</MD5OfBody>' +
        '<Body>&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#xD;\n</Body>' +
        '<Attribute><Name>SenderId</Name><Value>000000000000</Value></Attribute><Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>' +
        '<MD5OfMessageAttributes>aa</MD5OfMessageAttributes>' +
        '<MessageAttribute><Name>kind</Name><Value><StringValue>portal</StringValue><DataType>String</DataType></Value></MessageAttribute>' +
        '<MessageAttribute><Name>blob</Name><Value><BinaryValue>AAEC</BinaryValue><DataType>Binary</DataType></Value></MessageAttribute></Message>' +
        '<Message><MessageId>m-2</MessageId><ReceiptHandle>rh-2</ReceiptHandle><MD5OfBody>bb</MD5OfBody><Body>plain</Body></Message>' +
        `</ReceiveMessageResult><ResponseMetadata><RequestId>${REQUEST_ID}</RequestId></ResponseMetadata></ReceiveMessageResponse>`,
    );
    expect(queryResponseXml('ReceiveMessage', {}, REQUEST_ID)).toContain(
      '<ReceiveMessageResult></ReceiveMessageResult>',
    );
  });

  it('actions without a result answer only the response metadata', () => {
    for (const action of [
      'DeleteMessage',
      'ChangeMessageVisibility',
      'PurgeQueue',
      'DeleteQueue',
      'SetQueueAttributes',
    ] as const) {
      expect(queryResponseXml(action, {}, REQUEST_ID)).toBe(
        `${DECLARATION}<${action}Response ${NS}><ResponseMetadata><RequestId>${REQUEST_ID}</RequestId></ResponseMetadata></${action}Response>`,
      );
    }
  });

  it('batches: result entries, then BatchResultErrorEntry', () => {
    const xml = queryResponseXml(
      'SendMessageBatch',
      {
        Successful: [{ Id: 'a', MessageId: 'm-a', MD5OfMessageBody: 'x' }],
        Failed: [
          { Id: 'b', SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad <char>' },
        ],
      },
      REQUEST_ID,
    );
    expect(xml).toContain(
      '<SendMessageBatchResult><SendMessageBatchResultEntry><Id>a</Id><MessageId>m-a</MessageId><MD5OfMessageBody>x</MD5OfMessageBody></SendMessageBatchResultEntry>' +
        '<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>InvalidMessageContents</Code><Message>bad &lt;char&gt;</Message></BatchResultErrorEntry></SendMessageBatchResult>',
    );
    expect(
      queryResponseXml('DeleteMessageBatch', { Successful: [{ Id: 'a' }], Failed: [] }, REQUEST_ID),
    ).toContain(
      '<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>a</Id></DeleteMessageBatchResultEntry></DeleteMessageBatchResult>',
    );
  });

  it('queue answers: URLs, attributes, tags', () => {
    expect(queryResponseXml('GetQueueUrl', { QueueUrl: QUEUE_URL }, REQUEST_ID)).toContain(
      `<GetQueueUrlResult><QueueUrl>${QUEUE_URL}</QueueUrl></GetQueueUrlResult>`,
    );
    expect(queryResponseXml('CreateQueue', { QueueUrl: QUEUE_URL }, REQUEST_ID)).toContain(
      `<CreateQueueResult><QueueUrl>${QUEUE_URL}</QueueUrl></CreateQueueResult>`,
    );
    expect(
      queryResponseXml('ListQueues', { QueueUrls: [QUEUE_URL, `${QUEUE_URL}-dlq`] }, REQUEST_ID),
    ).toContain(
      `<ListQueuesResult><QueueUrl>${QUEUE_URL}</QueueUrl><QueueUrl>${QUEUE_URL}-dlq</QueueUrl></ListQueuesResult>`,
    );
    expect(
      queryResponseXml(
        'GetQueueAttributes',
        { Attributes: { VisibilityTimeout: '30', RedrivePolicy: '{"a":"b"}' } },
        REQUEST_ID,
      ),
    ).toContain(
      '<GetQueueAttributesResult><Attribute><Name>VisibilityTimeout</Name><Value>30</Value></Attribute><Attribute><Name>RedrivePolicy</Name><Value>{&quot;a&quot;:&quot;b&quot;}</Value></Attribute></GetQueueAttributesResult>',
    );
    expect(queryResponseXml('ListQueueTags', { Tags: { team: 'portal' } }, REQUEST_ID)).toContain(
      '<ListQueueTagsResult><Tag><Key>team</Key><Value>portal</Value></Tag></ListQueueTagsResult>',
    );
  });
});

describe('message move tasks in the Query protocol', () => {
  const DLQ_ARN = 'arn:aws:sqs:us-east-1:000000000000:requests-dlq';

  it('translates the three actions to their JSON calls', () => {
    expect(
      call({
        Action: 'StartMessageMoveTask',
        SourceArn: DLQ_ARN,
        MaxNumberOfMessagesPerSecond: '50',
      }),
    ).toEqual({
      kind: 'call',
      action: 'StartMessageMoveTask',
      target: 'AmazonSQS.StartMessageMoveTask',
      body: { SourceArn: DLQ_ARN, MaxNumberOfMessagesPerSecond: 50 },
    });
    expect(
      call({ Action: 'ListMessageMoveTasks', SourceArn: DLQ_ARN, MaxResults: '3' }).body,
    ).toEqual({ SourceArn: DLQ_ARN, MaxResults: 3 });
    expect(call({ Action: 'CancelMessageMoveTask', TaskHandle: 'aGFuZGxl' }).body).toEqual({
      TaskHandle: 'aGFuZGxl',
    });
  });

  it('answers with the handle, the flattened task entries and the count moved', () => {
    expect(queryResponseXml('StartMessageMoveTask', { TaskHandle: 'aGFuZGxl' }, REQUEST_ID)).toBe(
      `${DECLARATION}<StartMessageMoveTaskResponse ${NS}><StartMessageMoveTaskResult><TaskHandle>aGFuZGxl</TaskHandle></StartMessageMoveTaskResult><ResponseMetadata><RequestId>${REQUEST_ID}</RequestId></ResponseMetadata></StartMessageMoveTaskResponse>`,
    );
    const listed = queryResponseXml(
      'ListMessageMoveTasks',
      {
        Results: [
          {
            TaskHandle: 'aGFuZGxl',
            Status: 'RUNNING',
            SourceArn: DLQ_ARN,
            ApproximateNumberOfMessagesMoved: 2,
            ApproximateNumberOfMessagesToMove: 5,
            StartedTimestamp: 1_790_000_000_000,
          },
          { Status: 'FAILED', SourceArn: DLQ_ARN, FailureReason: 'a & b' },
        ],
      },
      REQUEST_ID,
    );
    expect(listed).toContain(
      `<ListMessageMoveTasksResult><ListMessageMoveTasksResultEntry><TaskHandle>aGFuZGxl</TaskHandle><Status>RUNNING</Status><SourceArn>${DLQ_ARN}</SourceArn><ApproximateNumberOfMessagesMoved>2</ApproximateNumberOfMessagesMoved><ApproximateNumberOfMessagesToMove>5</ApproximateNumberOfMessagesToMove><StartedTimestamp>1790000000000</StartedTimestamp></ListMessageMoveTasksResultEntry><ListMessageMoveTasksResultEntry><Status>FAILED</Status><SourceArn>${DLQ_ARN}</SourceArn><FailureReason>a &amp; b</FailureReason></ListMessageMoveTasksResultEntry></ListMessageMoveTasksResult>`,
    );
    expect(
      queryResponseXml(
        'CancelMessageMoveTask',
        { ApproximateNumberOfMessagesMoved: 3 },
        REQUEST_ID,
      ),
    ).toContain(
      '<CancelMessageMoveTaskResult><ApproximateNumberOfMessagesMoved>3</ApproximateNumberOfMessagesMoved></CancelMessageMoveTaskResult>',
    );
  });
});

describe('JSON errors as Query errors', () => {
  it('uses the Query code and status of SQS errors that have their own', () => {
    expect(
      queryErrorFromJson(400, {
        __type: 'com.amazonaws.sqs#QueueDoesNotExist',
        message: 'The specified queue does not exist.',
      }),
    ).toEqual({
      code: 'AWS.SimpleQueueService.NonExistentQueue',
      status: 400,
      message: 'The specified queue does not exist.',
    });
    expect(queryErrorFromJson(400, { __type: 'com.amazonaws.sqs#QueueNameExists' })).toMatchObject({
      code: 'QueueAlreadyExists',
      status: 400,
    });
    expect(
      queryErrorFromJson(400, { __type: 'com.amazonaws.sqs#ReceiptHandleIsInvalid' }),
    ).toMatchObject({ code: 'ReceiptHandleIsInvalid', status: 404 });
    expect(
      queryErrorFromJson(400, { __type: 'com.amazonaws.sqs#PurgeQueueInProgress' }),
    ).toMatchObject({ code: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 });
  });

  it('keeps the other codes and the status, and calls an engine failure InternalFailure', () => {
    expect(
      queryErrorFromJson(400, {
        __type: 'com.amazonaws.sqs#InvalidParameterValue',
        message: 'bad',
      }),
    ).toEqual({ code: 'InvalidParameterValue', status: 400, message: 'bad' });
    expect(queryErrorFromJson(500, { statusCode: 500, error: 'Internal Server Error' })).toEqual({
      code: 'InternalFailure',
      status: 500,
      message: 'The request processing failed.',
    });
  });

  it('writes the ErrorResponse document, Sender below 500 and Receiver from 500', () => {
    expect(
      queryErrorXml(
        {
          code: 'AWS.SimpleQueueService.NonExistentQueue',
          message: 'The specified queue does not exist.',
          status: 400,
        },
        REQUEST_ID,
      ),
    ).toBe(
      `${DECLARATION}<ErrorResponse ${NS}><Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist.</Message><Detail/></Error><RequestId>${REQUEST_ID}</RequestId></ErrorResponse>`,
    );
    expect(
      queryErrorXml({ code: 'InternalFailure', message: 'x', status: 500 }, REQUEST_ID),
    ).toContain('<Type>Receiver</Type>');
  });

  it('escapes the five XML characters and carriage returns', () => {
    expect(escapeXml(`a<b>&"c"'\r\n\t`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;&#xD;\n\t');
  });
});

describe('which requests the front translates', () => {
  const at = (path: string) => new URL(path, 'http://127.0.0.1:4566');
  const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  const signed = (service: string) => ({
    authorization: `AWS4-HMAC-SHA256 Credential=AKID/20261130/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`,
  });

  it('reads the service from a SigV4 credential scope', () => {
    expect(signedForService(signed('sqs').authorization)).toBe('sqs');
    expect(signedForService(signed('sns').authorization)).toBe('sns');
    expect(signedForService(undefined)).toBeUndefined();
    expect(signedForService('AWS local:signature')).toBeUndefined();
  });

  it('SQS Query requests: signed for SQS, posted to a queue URL, or a GET naming an SQS action', () => {
    expect(classifyRequest('POST', at('/'), { ...FORM, ...signed('sqs') })).toBe('query');
    expect(classifyRequest('POST', at('/000000000000/requests'), FORM)).toBe('query');
    expect(classifyRequest('GET', at('/?Action=ListQueues&Version=2012-11-05'), {})).toBe('query');
  });

  it('an unsigned form-encoded request to the endpoint: its Action decides', () => {
    expect(classifyRequest('POST', at('/'), FORM)).toBe('body');
  });

  it("everything else is the engine's: SQS JSON, SNS and STS Query, S3, its own pages", () => {
    expect(
      classifyRequest('POST', at('/'), {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AmazonSQS.SendMessage',
        ...signed('sqs'),
      }),
    ).toBe('engine');
    expect(classifyRequest('POST', at('/'), { ...FORM, ...signed('sns') })).toBe('engine');
    expect(classifyRequest('POST', at('/'), { ...FORM, ...signed('sts') })).toBe('engine');
    expect(classifyRequest('PUT', at('/bucket/key'), signed('s3'))).toBe('engine');
    expect(classifyRequest('GET', at('/?Action=ListTopics'), {})).toBe('engine');
    expect(classifyRequest('GET', at('/_fauxqs/queues'), {})).toBe('engine');
  });
});

describe('the front, before an engine that records what reaches it', () => {
  const handled: string[] = [];
  const calls: EngineRequest[] = [];
  let next: () => Promise<EngineAnswer>;
  let server: Server;
  let endpoint: string;

  const jsonAnswer = (status: number, body: unknown): EngineAnswer => ({
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: Buffer.from(JSON.stringify(body)),
  });

  beforeAll(async () => {
    server = createServer(
      sqsQueryFront({
        handle: (request, response) => {
          handled.push(`${request.method} ${request.url} ${request.headers['x-amz-target']}`);
          response.end('{}');
        },
        call: async (request) => {
          calls.push(request);
          return next();
        },
      }),
    );
    endpoint = `http://127.0.0.1:${await listenOnLoopback(server, 0, 'query front')}`;
  });

  afterAll(async () => {
    await closeServer(server);
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(endpoint, { method: 'POST', headers, body });
  const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
  const SIGNED =
    'AWS4-HMAC-SHA256 Credential=AKID/20261130/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=abc';

  it('hands a JSON call over untouched', async () => {
    const answer = await post('{"QueueName":"requests"}', {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AmazonSQS.GetQueueUrl',
    });
    expect(await answer.text()).toBe('{}');
    expect(handled).toEqual(['POST / AmazonSQS.GetQueueUrl']);
    expect(calls).toEqual([]);
  });

  it('calls the engine in JSON for a Query request, with its host and signature, and answers XML', async () => {
    calls.length = 0;
    next = async () => jsonAnswer(200, { QueueUrl: 'http://127.0.0.1:4566/000000000000/requests' });
    const answer = await post('Action=GetQueueUrl&Version=2012-11-05&QueueName=requests', {
      'content-type': FORM,
      authorization: SIGNED,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/xml');
    const requestId = answer.headers.get('x-amzn-requestid');
    expect(await answer.text()).toBe(
      `${DECLARATION}<GetQueueUrlResponse ${NS}><GetQueueUrlResult><QueueUrl>http://127.0.0.1:4566/000000000000/requests</QueueUrl></GetQueueUrlResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetQueueUrlResponse>`,
    );
    expect(calls).toEqual([
      {
        method: 'POST',
        url: '/',
        headers: {
          host: new URL(endpoint).host,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'AmazonSQS.GetQueueUrl',
          authorization: SIGNED,
        },
        payload: '{"QueueName":"requests"}',
      },
    ]);
  });

  it('answers an engine error as the Query error, and an engine failure as InternalFailure', async () => {
    next = async () =>
      jsonAnswer(400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'gone' });
    const missing = await post('Action=GetQueueUrl&QueueName=nope', { 'content-type': FORM });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain(
      '<Error><Type>Sender</Type><Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>gone</Message><Detail/></Error>',
    );

    next = async () => {
      throw new Error('engine down');
    };
    const failed = await post('Action=GetQueueUrl&QueueName=nope', { 'content-type': FORM });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain(
      '<Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>engine down</Message>',
    );
  });

  it("hands an unsigned form-encoded request that is not SQS's to the engine with its body, and relays the answer", async () => {
    calls.length = 0;
    next = async () => ({
      status: 200,
      headers: { 'content-type': 'text/xml', connection: 'keep-alive' },
      body: Buffer.from('<ListTopicsResponse/>'),
    });
    const answer = await post('Action=ListTopics&Version=2010-03-31', { 'content-type': FORM });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/xml');
    expect(await answer.text()).toBe('<ListTopicsResponse/>');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': FORM, host: new URL(endpoint).host },
    });
    expect(String(calls[0]?.payload)).toBe('Action=ListTopics&Version=2010-03-31');
  });
});
