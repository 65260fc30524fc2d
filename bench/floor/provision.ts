import { AppStreamClient } from '@aws-sdk/client-appstream';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateInfrastructureConfigurationCommand,
  type CreateInfrastructureConfigurationCommandInput,
  ImagebuilderClient,
} from '@aws-sdk/client-imagebuilder';
import { SNSClient } from '@aws-sdk/client-sns';

/**
 * The floor: the obvious minimal code that makes the same AWS calls as the service, with default
 * SDK settings, no validation, no middleware, no logging. The four clients are built at module
 * scope. A create takes the token with a conditional PutItem (a replay answers the stored
 * response), records the request in the ledger (the outbox equivalent of the SNS publish: the
 * outbox publishes from the ledger), calls AWS, records the outcome, and stores the response.
 */

export const dynamodb = new DynamoDBClient({});
export const imagebuilder = new ImagebuilderClient({});
export const appstream = new AppStreamClient({});
export const sns = new SNSClient({});

const IDEMPOTENCY_TABLE = process.env.IDEMPOTENCY_TABLE_NAME;
const REQUESTS_TABLE = process.env.REQUESTS_TABLE_NAME;
const OPERATION = 'CreateInfrastructureConfiguration';

const ledger = (token: string, status: string, outcome?: string) =>
  dynamodb.send(
    new UpdateItemCommand({
      TableName: REQUESTS_TABLE,
      Key: { pk: { S: `${OPERATION}#${token}` } },
      UpdateExpression: outcome ? 'SET #s = :s, #o = :o' : 'SET #s = :s',
      ExpressionAttributeNames: outcome ? { '#s': 'status', '#o': 'outcome' } : { '#s': 'status' },
      ExpressionAttributeValues: outcome
        ? { ':s': { S: status }, ':o': { S: outcome } }
        : { ':s': { S: status } },
    }),
  );

export const createInfrastructureConfiguration = async (
  token: string,
  request: CreateInfrastructureConfigurationCommandInput,
): Promise<unknown> => {
  const id = `${OPERATION}#${token}`;
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: IDEMPOTENCY_TABLE,
        Item: {
          id: { S: id },
          status: { S: 'INPROGRESS' },
          expiration: { N: String(Math.floor(Date.now() / 1000) + 86_400) },
        },
        ConditionExpression: 'attribute_not_exists(id)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    const stored =
      error instanceof ConditionalCheckFailedException ? error.Item?.data?.S : undefined;
    if (stored) return JSON.parse(stored);
    throw error;
  }
  await ledger(token, 'IN_PROGRESS');
  const { $metadata, ...response } = await imagebuilder.send(
    new CreateInfrastructureConfigurationCommand({ ...request, clientToken: token }),
  );
  await ledger(token, 'SUCCEEDED', JSON.stringify({ status: 'SUCCEEDED', token }));
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: IDEMPOTENCY_TABLE,
      Key: { id: { S: id } },
      UpdateExpression: 'SET #s = :s, #d = :d',
      ExpressionAttributeNames: { '#s': 'status', '#d': 'data' },
      ExpressionAttributeValues: {
        ':s': { S: 'COMPLETED' },
        ':d': { S: JSON.stringify(response) },
      },
    }),
  );
  return response;
};
