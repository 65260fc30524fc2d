import { randomUUID } from 'node:crypto';
import { AppStreamClient } from '@aws-sdk/client-appstream';
import {
  type AttributeValue,
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
 * The ledger's items hold what the outbox needs and nothing more: who asked for what, when, and
 * the outcome event (what an SNS publish would have carried) with the response.
 */

export const dynamodb = new DynamoDBClient({});
export const imagebuilder = new ImagebuilderClient({});
export const appstream = new AppStreamClient({});
export const sns = new SNSClient({});

const IDEMPOTENCY_TABLE = process.env.IDEMPOTENCY_TABLE_NAME;
const REQUESTS_TABLE = process.env.REQUESTS_TABLE_NAME;
const OPERATION = 'CreateInfrastructureConfiguration';

/** `SET #a = :a, ...` of every attribute given. */
const setAll = (values: Record<string, AttributeValue>) => {
  const names = Object.keys(values);
  return {
    UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
    ExpressionAttributeValues: Object.fromEntries(
      Object.entries(values).map(([name, value]) => [`:${name}`, value]),
    ),
  };
};

const ledger = (token: string, values: Record<string, AttributeValue>) =>
  dynamodb.send(
    new UpdateItemCommand({
      TableName: REQUESTS_TABLE,
      Key: { pk: { S: `${OPERATION}#${token}` } },
      ...setAll({ ...values, updatedAt: { S: new Date().toISOString() } }),
    }),
  );

export const createInfrastructureConfiguration = async (
  token: string,
  request: CreateInfrastructureConfigurationCommandInput,
  channel: 'http' | 'sqs',
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
  const now = new Date();
  await ledger(token, {
    operation: { S: OPERATION },
    clientToken: { S: token },
    channel: { S: channel },
    status: { S: 'IN_PROGRESS' },
    createdAt: { S: now.toISOString() },
    expiresAt: { N: String(Math.floor(now.getTime() / 1000) + 604_800) },
  });
  const { $metadata, ...response } = await imagebuilder.send(
    new CreateInfrastructureConfigurationCommand({ ...request, clientToken: token }),
  );
  const outcome = {
    id: randomUUID(),
    status: 'SUCCEEDED',
    channel,
    time: new Date().toISOString(),
    subject: response.infrastructureConfigurationArn,
  };
  await ledger(token, {
    status: { S: 'SUCCEEDED' },
    response: { S: JSON.stringify(response) },
    outcome: { S: JSON.stringify(outcome) },
  });
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
