import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { startChangeCapture } from './changeCapture.js';
import {
  type EventSourceMapping,
  type MappingSettings,
  startEventSourceMapping,
} from './eventSourceMapping.js';
import type { StreamFailureRecord } from './failureRecord.js';
import type { RecordSource } from './streamRecord.js';
import { openStreamsApiReader } from './streamsApiReader.js';

/**
 * Where the table's changes come from: `capture` puts a change-capturing proxy in front of an
 * engine without streams (dynalite); `streams-api` reads the stream of an engine that has them
 * (DynamoDB Local), whose table was created with a NEW_AND_OLD_IMAGES stream.
 */
export type LedgerStreamSource = 'capture' | 'streams-api';

export interface LedgerStreamOptions {
  engineEndpoint: string;
  region: string;
  accountId: string;
  tableName: string;
  source: LedgerStreamSource;
  /** The function the stream triggers, as on-failure records name it. */
  functionName: string;
  deliver(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | undefined>;
  /** Sends a given-up batch's record to the on-failure destination. */
  onFailure(record: StreamFailureRecord): Promise<void>;
  onError(error: unknown): void;
  mapping?: Partial<MappingSettings>;
  /** With `capture`: where the proxy listens on 127.0.0.1 (default: a free port). */
  port?: number;
  portName?: string;
}

export interface LedgerStream {
  /** Where the service sends its DynamoDB calls: the capturing proxy, or the engine itself. */
  endpoint: string;
  idle: EventSourceMapping['idle'];
  /** Stops the mapping, then the capture; calling it again waits for the same stop. */
  stop(): Promise<void>;
}

const openSource = async (
  options: LedgerStreamOptions,
): Promise<{ endpoint: string; source: RecordSource; close(): Promise<void> }> => {
  const { engineEndpoint, region, accountId, tableName, onError } = options;
  if (options.source === 'streams-api') {
    const reader = await openStreamsApiReader({
      endpoint: engineEndpoint,
      region,
      accountId,
      tableName,
    });
    return { endpoint: engineEndpoint, source: reader, close: () => reader.close() };
  }
  const capture = await startChangeCapture({
    engineEndpoint,
    region,
    accountId,
    tableName,
    onError,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.portName === undefined ? {} : { portName: options.portName }),
  });
  return { endpoint: capture.endpoint, source: capture.shard, close: () => capture.close() };
};

/**
 * The table's DynamoDB stream and the event source mapping that triggers a function with it,
 * locally: as in AWS, every change written to the table reaches the function as a stream record.
 */
export const startLedgerStream = async (options: LedgerStreamOptions): Promise<LedgerStream> => {
  const { region, accountId, functionName, deliver, onFailure, onError } = options;
  const { endpoint, source, close } = await openSource(options);
  const mapping = startEventSourceMapping({
    source,
    functionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    deliver,
    onFailure,
    onError,
    ...(options.mapping ? { settings: options.mapping } : {}),
  });
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    idle: (timeoutMs) => mapping.idle(timeoutMs),
    stop() {
      stopping ??= mapping.stop().then(close);
      return stopping;
    },
  };
};
