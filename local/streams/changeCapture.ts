import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import { DescribeTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { localDynamoDbClient } from '../engines/dynamodb.js';
import { closeServer, listenOnLoopback } from '../engines/listen.js';
import { fromWireItem, keyText, pickKey, toWireItem } from './attributeValues.js';
import { CapturedShard } from './capturedShard.js';
import { answerStreamsApi, STREAMS_TARGET_PREFIX } from './capturedStreamsApi.js';
import { KeyedLock } from './keyedLock.js';
import type { WireItem } from './streamRecord.js';

export interface ChangeCaptureOptions {
  /** The DynamoDB engine the proxy stands in front of. */
  engineEndpoint: string;
  region: string;
  accountId: string;
  /** The table whose changes are streamed; other tables pass through untouched. */
  tableName: string;
  /** Where the proxy listens on 127.0.0.1 (0: a free port); `portName` names it in errors. */
  port?: number;
  portName?: string;
  onError(error: unknown): void;
  now?: () => number;
}

export interface ChangeCapture {
  /** Where writers send their DynamoDB calls. */
  endpoint: string;
  /** The stream's one shard: the records of the changes captured so far. */
  shard: CapturedShard;
  close(): Promise<void>;
}

interface EngineAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
const WRITES: ReadonlySet<string> = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
]);
const AFTER_READ_ATTEMPTS = 3;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The items a write names in `tableName`: their (possibly partial) key or whole item. */
const namedItems = (operation: string, body: unknown, tableName: string): unknown[] => {
  if (!isObject(body)) return [];
  if (operation === 'BatchWriteItem') {
    const requests = isObject(body.RequestItems) ? body.RequestItems[tableName] : undefined;
    if (!Array.isArray(requests)) return [];
    return requests.map((entry: unknown) =>
      isObject(entry) && isObject(entry.PutRequest)
        ? entry.PutRequest.Item
        : isObject(entry) && isObject(entry.DeleteRequest)
          ? entry.DeleteRequest.Key
          : undefined,
    );
  }
  if (body.TableName !== tableName) return [];
  return [operation === 'PutItem' ? body.Item : body.Key];
};

const exchange = (target: string, incoming: IncomingMessage, body: Buffer): Promise<EngineAnswer> =>
  new Promise((resolve, reject) => {
    const upstream = request(new URL(incoming.url ?? '/', target), {
      method: incoming.method,
      headers: incoming.headers,
    });
    upstream.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 502,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    upstream.on('error', reject);
    upstream.end(body);
  });

const pipeThrough = (target: string, incoming: IncomingMessage, outgoing: ServerResponse) => {
  const upstream = request(new URL(incoming.url ?? '/', target), {
    method: incoming.method,
    headers: incoming.headers,
  });
  upstream.on('response', (response) => {
    outgoing.writeHead(response.statusCode ?? 502, response.headers);
    response.pipe(outgoing);
  });
  upstream.on('error', () => incoming.socket.destroy());
  incoming.pipe(upstream);
};

/** Whether the engine answered a call with a client error (4xx), as opposed to failing. */
const refused = (error: unknown): boolean => {
  const status = isObject(error) && isObject(error.$metadata) ? error.$metadata.httpStatusCode : 0;
  return typeof status === 'number' && status >= 400 && status < 500;
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * DynamoDB Streams for an engine that has none: an HTTP proxy in front of the engine that, for
 * each write to the table, reads the item before and after it (consistent reads, one write per
 * item at a time) and appends the change to an in-memory shard as DynamoDB would stream it, which
 * it serves through the DynamoDB Streams API (`capturedStreamsApi.ts`). Everything else, and the
 * engine's answers, pass through byte for byte.
 */
export const startChangeCapture = async (options: ChangeCaptureOptions): Promise<ChangeCapture> => {
  const { engineEndpoint, region, tableName, onError } = options;
  const dynamodb = localDynamoDbClient(engineEndpoint, region);
  const shard = new CapturedShard(options);
  const locks = new KeyedLock();
  let keySchema: Promise<string[]> | undefined;

  const keyAttributes = (): Promise<string[]> => {
    keySchema ??= dynamodb
      .send(new DescribeTableCommand({ TableName: tableName }))
      .then(({ Table }) =>
        (Table?.KeySchema ?? []).map(({ AttributeName }) => AttributeName ?? ''),
      );
    // A table that is not there yet is looked up again next time.
    keySchema.catch(() => {
      keySchema = undefined;
    });
    return keySchema;
  };

  const readItem = async (key: WireItem): Promise<WireItem | undefined> => {
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: tableName, Key: fromWireItem(key), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toWireItem(Item);
  };

  const readAfterWrite = async (key: WireItem): Promise<WireItem | undefined> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await readItem(key);
      } catch (error) {
        if (attempt >= AFTER_READ_ATTEMPTS) throw error;
        await pause(100 * attempt);
      }
    }
  };

  /** The keys of the items a write changes in the table; none if it is not one. */
  const writtenKeys = async (operation: string, body: Buffer): Promise<WireItem[]> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return [];
    }
    const items = namedItems(operation, parsed, tableName);
    if (items.length === 0) return [];
    const attributes = await keyAttributes().catch(() => []);
    const keys = items.map((item) => (isObject(item) ? pickKey(item as WireItem, attributes) : {}));
    // Anything the engine will refuse (a partial key, another shape) is left for it to refuse.
    const complete = keys.every((key) => {
      if (attributes.length === 0 || Object.keys(key).length !== attributes.length) return false;
      try {
        fromWireItem(key);
        return true;
      } catch {
        return false;
      }
    });
    return complete ? keys : [];
  };

  const captureWrite = (
    incoming: IncomingMessage,
    body: Buffer,
    keys: WireItem[],
  ): Promise<EngineAnswer> =>
    locks.run(
      keys.map((key) => keyText(key)),
      async () => {
        let before: (WireItem | undefined)[];
        try {
          before = await Promise.all(keys.map(readItem));
        } catch (error) {
          // A read the engine refuses (a key of the wrong type, ...): the write is refused too.
          if (refused(error)) return exchange(engineEndpoint, incoming, body);
          throw error;
        }
        const answer = await exchange(engineEndpoint, incoming, body);
        if (answer.status !== 200) return answer;
        await Promise.all(
          keys.map(async (key, index) => {
            try {
              shard.append(key, before[index], await readAfterWrite(key));
            } catch (error) {
              onError(
                new Error(`a change of ${keyText(key)} may be missing from the stream`, {
                  cause: error,
                }),
              );
            }
          }),
        );
        return answer;
      },
    );

  const server = createServer(async (incoming, outgoing) => {
    const target = String(incoming.headers['x-amz-target'] ?? '');
    if (target.startsWith(STREAMS_TARGET_PREFIX)) {
      // The engine has no streams: the captured one is read through the Streams API here.
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      let input: unknown;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        input = undefined;
      }
      const { status, body } = answerStreamsApi(
        shard,
        tableName,
        target.slice(STREAMS_TARGET_PREFIX.length),
        input,
      );
      outgoing.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      outgoing.end(JSON.stringify(body));
      return;
    }
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    if (!WRITES.has(operation)) return pipeThrough(engineEndpoint, incoming, outgoing);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const keys = await writtenKeys(operation, body);
      const answer =
        keys.length === 0
          ? await exchange(engineEndpoint, incoming, body)
          : await captureWrite(incoming, body, keys);
      outgoing.writeHead(answer.status, answer.headers);
      outgoing.end(answer.body);
    } catch (error) {
      // As an engine that went away would: the caller's SDK retries.
      onError(error);
      incoming.socket.destroy();
    }
  });
  const port = await listenOnLoopback(
    server,
    options.port ?? 0,
    options.portName ?? 'DynamoDB change capture',
  );
  return {
    endpoint: `http://127.0.0.1:${port}`,
    shard,
    async close() {
      await closeServer(server);
      await shard.close();
      dynamodb.destroy();
    },
  };
};
