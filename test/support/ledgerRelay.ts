import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaContext } from './lambda.js';

/** The ledger table as the service expects it: partition key `pk`. */
export const createRequestsTable = async (
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<void> => {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
};

let sequence = 0;

/**
 * Hands the outbox handler, as a stream change, every ledger record whose committed outcomes are
 * not all published yet: the image before it without those outcomes, the image after it as is.
 */
export const relayCommittedOutcomes = async ({
  dynamodb,
  tableName,
  outbox,
}: {
  dynamodb: DynamoDBClient;
  tableName: string;
  outbox: (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;
}): Promise<void> => {
  const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: tableName }));
  const Records = Items.flatMap((item) => {
    const published = new Set(item.published?.SS ?? []);
    const outcomes = item.outcomes?.L ?? [];
    const held = outcomes.filter((outcome) => !published.has(outcome.M?.id?.S ?? ''));
    if (held.length === 0) return [];
    const before = { ...item, outcomes: { L: outcomes.filter((o) => !held.includes(o)) } };
    sequence += 1;
    return [
      {
        eventName: 'MODIFY' as const,
        eventSource: 'aws:dynamodb',
        dynamodb: {
          Keys: { pk: { S: item.pk?.S ?? '' } },
          OldImage: before,
          NewImage: item,
          SequenceNumber: String(sequence),
          StreamViewType: 'NEW_AND_OLD_IMAGES' as const,
        },
      },
    ];
  });
  if (Records.length > 0) await outbox({ Records } as DynamoDBStreamEvent, lambdaContext());
};
