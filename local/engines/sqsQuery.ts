/**
 * SQS's Query protocol (form-encoded parameters in, XML out) expressed through its JSON protocol,
 * the only one fauxqs answers. Shapes follow the Amazon SQS API Reference (API version
 * 2012-11-05): "Making Query API requests" (the `Name.N` / `Name.N.Member` list and map
 * notation), each action's "Request Parameters" and "Response Elements", and "Common Errors".
 * Nothing here does I/O: the front (`sqsQueryFront.ts`) feeds it and sends what it returns.
 */

/** The XML namespace of every Query answer of this API version. */
export const SQS_QUERY_NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

/** The actions translated here (`REQUESTS` below has the JSON request of each). */
const TRANSLATED_ACTIONS = [
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'GetQueueUrl',
  'GetQueueAttributes',
  'SetQueueAttributes',
  'ListQueues',
  'PurgeQueue',
  'CreateQueue',
  'DeleteQueue',
  'TagQueue',
  'UntagQueue',
  'ListQueueTags',
  'StartMessageMoveTask',
  'ListMessageMoveTasks',
  'CancelMessageMoveTask',
] as const;

export type TranslatedAction = (typeof TRANSLATED_ACTIONS)[number];

/** SQS actions the local engine does not have: answered with `UnsupportedOperation`. */
const UNSUPPORTED_ACTIONS = [
  'AddPermission',
  'RemovePermission',
  'ListDeadLetterSourceQueues',
] as const;

const translated: ReadonlySet<string> = new Set<string>(TRANSLATED_ACTIONS);
const sqsActions: ReadonlySet<string> = new Set<string>([
  ...TRANSLATED_ACTIONS,
  ...UNSUPPORTED_ACTIONS,
]);

const isTranslated = (action: string): action is TranslatedAction => translated.has(action);

/** SQS actions whose names SNS's API has too. */
const SHARED_WITH_SNS: ReadonlySet<string> = new Set(['AddPermission', 'RemovePermission']);

/**
 * Whether `Action=<name>` is SQS's and no other service's: what decides an unsigned request, as
 * SNS and STS share the endpoint and the encoding (a signed one says its service).
 */
export const isSqsAction = (action: string | null | undefined): boolean =>
  action !== null && action !== undefined && sqsActions.has(action) && !SHARED_WITH_SNS.has(action);

/** An error as the Query protocol reports it. */
export interface QueryError {
  /** `<Code>`: the Query protocol's code, e.g. `AWS.SimpleQueueService.NonExistentQueue`. */
  code: string;
  message: string;
  /** HTTP status of the answer; `<Type>` is `Sender` below 500, `Receiver` from 500. */
  status: number;
}

export type QueryTranslation =
  | {
      kind: 'call';
      action: TranslatedAction;
      /** `X-Amz-Target` of the JSON call. */
      target: string;
      /** Body of the JSON call. */
      body: Record<string, unknown>;
    }
  | { kind: 'error'; error: QueryError };

class InvalidParameter extends Error {}

/** Parameters as a tree: `A.1.B=x` is the child `B` of the child `1` of `A`. */
interface ParamNode {
  value?: string;
  children: Map<string, ParamNode>;
}

const paramTree = (params: Iterable<[string, string]>): ParamNode => {
  const root: ParamNode = { children: new Map() };
  for (const [key, value] of params) {
    let node = root;
    for (const part of key.split('.')) {
      let next = node.children.get(part);
      if (!next) {
        next = { children: new Map() };
        node.children.set(part, next);
      }
      node = next;
    }
    node.value = value;
  }
  return root;
};

const text = (node: ParamNode | undefined, name: string): string | undefined =>
  node?.children.get(name)?.value;

/** The members of `Name.1`, `Name.2`, ... in index order (AWS numbers them from 1). */
const members = (node: ParamNode, name: string): ParamNode[] => {
  const list = node.children.get(name);
  if (!list) return [];
  return [...list.children.entries()]
    .filter(([index]) => /^[1-9]\d*$/.test(index))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, member]) => member);
};

const texts = (node: ParamNode, name: string): string[] | undefined => {
  const values = members(node, name).flatMap((member) =>
    member.value === undefined ? [] : [member.value],
  );
  return values.length > 0 ? values : undefined;
};

/** A map sent as `Name.N.<keyName>` / `Name.N.<valueName>` (queue attributes, tags). */
const pairs = (
  node: ParamNode,
  name: string,
  keyName: string,
  valueName: string,
): Record<string, string> | undefined => {
  const entries = members(node, name).flatMap((member): [string, string][] => {
    const key = text(member, keyName);
    const value = text(member, valueName);
    return key === undefined || value === undefined ? [] : [[key, value]];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
};

const integer = (node: ParamNode, name: string): number | undefined => {
  const raw = text(node, name);
  if (raw === undefined) return undefined;
  if (!/^-?\d{1,15}$/.test(raw)) {
    throw new InvalidParameter(
      `Value ${raw} for parameter ${name} is invalid. Reason: Must be an integer.`,
    );
  }
  return Number(raw);
};

/** `MessageAttribute.N.Name` and `MessageAttribute.N.Value.{DataType,StringValue,BinaryValue}`. */
const messageAttributes = (
  node: ParamNode,
  name: string,
): Record<string, Record<string, unknown>> | undefined => {
  const entries = members(node, name).flatMap((member): [string, Record<string, unknown>][] => {
    const attributeName = text(member, 'Name');
    const value = member.children.get('Value');
    if (attributeName === undefined || !value) return [];
    return [
      [
        attributeName,
        {
          DataType: text(value, 'DataType'),
          StringValue: text(value, 'StringValue'),
          BinaryValue: text(value, 'BinaryValue'),
          StringListValues: texts(value, 'StringListValue'),
          BinaryListValues: texts(value, 'BinaryListValue'),
        },
      ],
    ];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
};

const sendEntry = (entry: ParamNode) => ({
  MessageBody: text(entry, 'MessageBody'),
  DelaySeconds: integer(entry, 'DelaySeconds'),
  MessageAttributes: messageAttributes(entry, 'MessageAttribute'),
  MessageSystemAttributes: messageAttributes(entry, 'MessageSystemAttribute'),
  MessageDeduplicationId: text(entry, 'MessageDeduplicationId'),
  MessageGroupId: text(entry, 'MessageGroupId'),
});

type RequestBuilder = (params: ParamNode, queueUrl: string | undefined) => Record<string, unknown>;

const REQUESTS: Record<TranslatedAction, RequestBuilder> = {
  SendMessage: (p, QueueUrl) => ({ QueueUrl, ...sendEntry(p) }),
  SendMessageBatch: (p, QueueUrl) => ({
    QueueUrl,
    Entries: members(p, 'SendMessageBatchRequestEntry').map((entry) => ({
      Id: text(entry, 'Id'),
      ...sendEntry(entry),
    })),
  }),
  ReceiveMessage: (p, QueueUrl) => ({
    QueueUrl,
    AttributeNames: texts(p, 'AttributeName'),
    MessageSystemAttributeNames: texts(p, 'MessageSystemAttributeName'),
    MessageAttributeNames: texts(p, 'MessageAttributeName'),
    MaxNumberOfMessages: integer(p, 'MaxNumberOfMessages'),
    VisibilityTimeout: integer(p, 'VisibilityTimeout'),
    WaitTimeSeconds: integer(p, 'WaitTimeSeconds'),
    ReceiveRequestAttemptId: text(p, 'ReceiveRequestAttemptId'),
  }),
  DeleteMessage: (p, QueueUrl) => ({ QueueUrl, ReceiptHandle: text(p, 'ReceiptHandle') }),
  DeleteMessageBatch: (p, QueueUrl) => ({
    QueueUrl,
    Entries: members(p, 'DeleteMessageBatchRequestEntry').map((entry) => ({
      Id: text(entry, 'Id'),
      ReceiptHandle: text(entry, 'ReceiptHandle'),
    })),
  }),
  ChangeMessageVisibility: (p, QueueUrl) => ({
    QueueUrl,
    ReceiptHandle: text(p, 'ReceiptHandle'),
    VisibilityTimeout: integer(p, 'VisibilityTimeout'),
  }),
  ChangeMessageVisibilityBatch: (p, QueueUrl) => ({
    QueueUrl,
    Entries: members(p, 'ChangeMessageVisibilityBatchRequestEntry').map((entry) => ({
      Id: text(entry, 'Id'),
      ReceiptHandle: text(entry, 'ReceiptHandle'),
      VisibilityTimeout: integer(entry, 'VisibilityTimeout'),
    })),
  }),
  GetQueueUrl: (p) => ({
    QueueName: text(p, 'QueueName'),
    QueueOwnerAWSAccountId: text(p, 'QueueOwnerAWSAccountId'),
  }),
  GetQueueAttributes: (p, QueueUrl) => ({ QueueUrl, AttributeNames: texts(p, 'AttributeName') }),
  SetQueueAttributes: (p, QueueUrl) => ({
    QueueUrl,
    Attributes: pairs(p, 'Attribute', 'Name', 'Value') ?? {},
  }),
  ListQueues: (p) => ({
    QueueNamePrefix: text(p, 'QueueNamePrefix'),
    NextToken: text(p, 'NextToken'),
    MaxResults: integer(p, 'MaxResults'),
  }),
  PurgeQueue: (_p, QueueUrl) => ({ QueueUrl }),
  // The JSON member for CreateQueue's tags is lower-case `tags`.
  CreateQueue: (p) => ({
    QueueName: text(p, 'QueueName'),
    Attributes: pairs(p, 'Attribute', 'Name', 'Value'),
    tags: pairs(p, 'Tag', 'Key', 'Value'),
  }),
  DeleteQueue: (_p, QueueUrl) => ({ QueueUrl }),
  TagQueue: (p, QueueUrl) => ({ QueueUrl, Tags: pairs(p, 'Tag', 'Key', 'Value') ?? {} }),
  UntagQueue: (p, QueueUrl) => ({ QueueUrl, TagKeys: texts(p, 'TagKey') ?? [] }),
  ListQueueTags: (_p, QueueUrl) => ({ QueueUrl }),
  StartMessageMoveTask: (p) => ({
    SourceArn: text(p, 'SourceArn'),
    DestinationArn: text(p, 'DestinationArn'),
    MaxNumberOfMessagesPerSecond: integer(p, 'MaxNumberOfMessagesPerSecond'),
  }),
  ListMessageMoveTasks: (p) => ({
    SourceArn: text(p, 'SourceArn'),
    MaxResults: integer(p, 'MaxResults'),
  }),
  CancelMessageMoveTask: (p) => ({ TaskHandle: text(p, 'TaskHandle') }),
};

/**
 * A Query request as the JSON call that does the same. `queueUrlFromPath` is the queue URL a
 * client addressed (the Java SDK v1 posts to the queue URL and leaves `QueueUrl` out); a
 * `QueueUrl` parameter wins over it.
 */
export const translateQueryRequest = (
  params: Iterable<[string, string]>,
  queueUrlFromPath?: string,
): QueryTranslation => {
  const tree = paramTree(params);
  const action = text(tree, 'Action');
  if (action === undefined || action === '') {
    return queryFailure('MissingAction', 'The request must contain the parameter Action.');
  }
  if (!isTranslated(action)) {
    return sqsActions.has(action)
      ? queryFailure(
          'AWS.SimpleQueueService.UnsupportedOperation',
          `${action} is not supported by the local SQS.`,
        )
      : queryFailure('InvalidAction', `The action ${action} is not valid for this web service.`);
  }
  try {
    const body = REQUESTS[action](tree, text(tree, 'QueueUrl') ?? queueUrlFromPath);
    return { kind: 'call', action, target: `AmazonSQS.${action}`, body: withoutUndefined(body) };
  } catch (error) {
    if (error instanceof InvalidParameter) {
      return queryFailure('InvalidParameterValue', error.message);
    }
    throw error;
  }
};

const queryFailure = (code: string, message: string, status = 400): QueryTranslation => ({
  kind: 'error',
  error: { code, message, status },
});

const withoutUndefined = (value: Record<string, unknown>): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

// --- answers ------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

const object = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

const array = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const scalar = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined;

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#xD;',
};

/**
 * Text as XML element content. A carriage return is written as a character reference, or an XML
 * parser would turn `\r\n` in a message body into `\n`.
 */
export const escapeXml = (value: string): string =>
  value.replace(/[&<>"'\r]/g, (character) => XML_ESCAPES[character] ?? character);

const element = (name: string, value: unknown): string => {
  const content = scalar(value);
  return content === undefined ? '' : `<${name}>${escapeXml(content)}</${name}>`;
};

const elements = (source: Json, names: readonly string[]): string =>
  names.map((name) => element(name, source[name])).join('');

/** A map as flattened `<tag><Name>…</Name><Value>…</Value></tag>` entries. */
const entries = (tag: string, map: unknown, keyName = 'Name', valueName = 'Value'): string =>
  Object.entries(object(map))
    .map(([key, value]) => `<${tag}>${element(keyName, key)}${element(valueName, value)}</${tag}>`)
    .join('');

const messageAttributesXml = (map: unknown): string =>
  Object.entries(object(map))
    .map(([name, raw]) => {
      const value = object(raw);
      const lists =
        array(value.StringListValues)
          .map((item) => element('StringListValue', item))
          .join('') +
        array(value.BinaryListValues)
          .map((item) => element('BinaryListValue', item))
          .join('');
      const content = `${element('StringValue', value.StringValue)}${element('BinaryValue', value.BinaryValue)}${lists}${element('DataType', value.DataType)}`;
      return `<MessageAttribute>${element('Name', name)}<Value>${content}</Value></MessageAttribute>`;
    })
    .join('');

const batchResult = (tag: string, answer: Json, names: readonly string[]): string =>
  array(answer.Successful)
    .map((entry) => `<${tag}>${elements(object(entry), names)}</${tag}>`)
    .join('') +
  array(answer.Failed)
    .map(
      (entry) =>
        `<BatchResultErrorEntry>${elements(object(entry), ['Id', 'SenderFault', 'Code', 'Message'])}</BatchResultErrorEntry>`,
    )
    .join('');

const SENT = [
  'MessageId',
  'MD5OfMessageBody',
  'MD5OfMessageAttributes',
  'MD5OfMessageSystemAttributes',
  'SequenceNumber',
] as const;

const MOVE_TASK_ENTRY = [
  'TaskHandle',
  'Status',
  'SourceArn',
  'DestinationArn',
  'MaxNumberOfMessagesPerSecond',
  'ApproximateNumberOfMessagesMoved',
  'ApproximateNumberOfMessagesToMove',
  'FailureReason',
  'StartedTimestamp',
] as const;

/** The content of `<ActionResult>`; actions without one answer only `ResponseMetadata`. */
const RESULTS: Record<TranslatedAction, ((answer: Json) => string) | undefined> = {
  SendMessage: (answer) => elements(answer, SENT),
  SendMessageBatch: (answer) => batchResult('SendMessageBatchResultEntry', answer, ['Id', ...SENT]),
  ReceiveMessage: (answer) =>
    array(answer.Messages)
      .map((raw) => {
        const message = object(raw);
        return `<Message>${elements(message, ['MessageId', 'ReceiptHandle', 'MD5OfBody', 'Body'])}${entries('Attribute', message.Attributes)}${element('MD5OfMessageAttributes', message.MD5OfMessageAttributes)}${messageAttributesXml(message.MessageAttributes)}</Message>`;
      })
      .join(''),
  DeleteMessage: undefined,
  DeleteMessageBatch: (answer) => batchResult('DeleteMessageBatchResultEntry', answer, ['Id']),
  ChangeMessageVisibility: undefined,
  ChangeMessageVisibilityBatch: (answer) =>
    batchResult('ChangeMessageVisibilityBatchResultEntry', answer, ['Id']),
  GetQueueUrl: (answer) => element('QueueUrl', answer.QueueUrl),
  GetQueueAttributes: (answer) => entries('Attribute', answer.Attributes),
  SetQueueAttributes: undefined,
  ListQueues: (answer) =>
    array(answer.QueueUrls)
      .map((url) => element('QueueUrl', url))
      .join('') + element('NextToken', answer.NextToken),
  PurgeQueue: undefined,
  CreateQueue: (answer) => element('QueueUrl', answer.QueueUrl),
  DeleteQueue: undefined,
  TagQueue: undefined,
  UntagQueue: undefined,
  ListQueueTags: (answer) => entries('Tag', answer.Tags, 'Key', 'Value'),
  StartMessageMoveTask: (answer) => element('TaskHandle', answer.TaskHandle),
  // The entries are flattened: one <ListMessageMoveTasksResultEntry> per task.
  ListMessageMoveTasks: (answer) =>
    array(answer.Results)
      .map(
        (entry) =>
          `<ListMessageMoveTasksResultEntry>${elements(object(entry), MOVE_TASK_ENTRY)}</ListMessageMoveTasksResultEntry>`,
      )
      .join(''),
  CancelMessageMoveTask: (answer) =>
    element('ApproximateNumberOfMessagesMoved', answer.ApproximateNumberOfMessagesMoved),
};

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** The Query answer (`<ActionResponse>`) to a successful JSON answer. */
export const queryResponseXml = (
  action: TranslatedAction,
  answer: unknown,
  requestId: string,
): string => {
  const result = RESULTS[action];
  const content = result ? `<${action}Result>${result(object(answer))}</${action}Result>` : '';
  return `${XML_DECLARATION}<${action}Response xmlns="${SQS_QUERY_NAMESPACE}">${content}<ResponseMetadata>${element('RequestId', requestId)}</ResponseMetadata></${action}Response>`;
};

/** The Query error document (`<ErrorResponse>`). */
export const queryErrorXml = (error: QueryError, requestId: string): string =>
  `${XML_DECLARATION}<ErrorResponse xmlns="${SQS_QUERY_NAMESPACE}"><Error>${element('Type', error.status >= 500 ? 'Receiver' : 'Sender')}${element('Code', error.code)}${element('Message', error.message)}<Detail/></Error>${element('RequestId', requestId)}</ErrorResponse>`;

/**
 * The Query code and status of each SQS error whose Query code differs from its JSON name or
 * whose status is not 400 (the `awsQueryError` of each error in SQS's service model). Errors not
 * listed (InvalidParameterValue, MissingParameter, InvalidAttributeName, ...) keep their name.
 */
const QUERY_ERRORS: Readonly<Record<string, { code: string; status: number }>> = {
  QueueDoesNotExist: { code: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { code: 'QueueAlreadyExists', status: 400 },
  QueueDeletedRecently: { code: 'AWS.SimpleQueueService.QueueDeletedRecently', status: 400 },
  PurgeQueueInProgress: { code: 'AWS.SimpleQueueService.PurgeQueueInProgress', status: 403 },
  MessageNotInflight: { code: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  ReceiptHandleIsInvalid: { code: 'ReceiptHandleIsInvalid', status: 404 },
  BatchEntryIdsNotDistinct: {
    code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    status: 400,
  },
  BatchRequestTooLong: { code: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  EmptyBatchRequest: { code: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  InvalidBatchEntryId: { code: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  TooManyEntriesInBatchRequest: {
    code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    status: 400,
  },
  UnsupportedOperation: { code: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  InvalidAddress: { code: 'InvalidAddress', status: 404 },
  InvalidSecurity: { code: 'InvalidSecurity', status: 403 },
  OverLimit: { code: 'OverLimit', status: 403 },
  RequestThrottled: { code: 'RequestThrottled', status: 403 },
  ResourceNotFoundException: { code: 'ResourceNotFoundException', status: 404 },
  KmsAccessDenied: { code: 'KMS.AccessDeniedException', status: 400 },
  KmsDisabled: { code: 'KMS.DisabledException', status: 400 },
  KmsInvalidKeyUsage: { code: 'KMS.InvalidKeyUsageException', status: 400 },
  KmsInvalidState: { code: 'KMS.InvalidStateException', status: 400 },
  KmsNotFound: { code: 'KMS.NotFoundException', status: 400 },
  KmsOptInRequired: { code: 'KMS.OptInRequired', status: 403 },
  KmsThrottled: { code: 'KMS.ThrottlingException', status: 400 },
};

/**
 * A JSON-protocol error answer (`{"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message":
 * ...}`) as the Query error. An answer without `__type` (the engine failed) is `InternalFailure`
 * from 500 on.
 */
export const queryErrorFromJson = (status: number, answer: unknown): QueryError => {
  const body = object(answer);
  const type = scalar(body.__type);
  const name = type?.slice(type.lastIndexOf('#') + 1).split(':')[0];
  const message = scalar(body.message) ?? scalar(body.Message) ?? '';
  const known = name ? QUERY_ERRORS[name] : undefined;
  if (known) return { code: known.code, status: known.status, message };
  if (name) return { code: name, status, message };
  return status >= 500
    ? { code: 'InternalFailure', status, message: message || 'The request processing failed.' }
    : { code: 'InvalidRequest', status, message };
};
