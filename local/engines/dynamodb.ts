import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { LOCAL_CREDENTIALS } from './credentials.js';
import { closeServer, listenOnLoopback } from './listen.js';

export interface RunningDynamoDb {
  endpoint: string;
  close(): Promise<void>;
}

/** An in-process DynamoDB-compatible engine (dynalite, memory store) on 127.0.0.1. */
export const startDynalite = async (port = 0): Promise<RunningDynamoDb> => {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const actualPort = await listenOnLoopback(server, port, 'DynamoDB (dynalite)');
  return { endpoint: `http://127.0.0.1:${actualPort}`, close: () => closeServer(server) };
};

/** The table Powertools idempotency expects: partition key `id`. */
export const createIdempotencyTable = async (
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<void> => {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
};

/**
 * The request ledger's table: partition key `pk`. With `stream` (an engine that implements
 * DynamoDB Streams), its stream carries new and old images, as the outbox's trigger reads them;
 * an existing table without one gets it. dynalite has no streams (it ignores the setting).
 */
export const createRequestsTable = async (
  dynamodb: DynamoDBClient,
  tableName: string,
  { stream }: { stream: boolean },
): Promise<void> => {
  const StreamSpecification = {
    StreamEnabled: true,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  } as const;
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        ...(stream ? { StreamSpecification } : {}),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    if (!stream) return;
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.StreamSpecification?.StreamEnabled) return;
    await dynamodb.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification }));
  }
};

export const localDynamoDbClient = (endpoint: string, region: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
