import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { invokeLambda } from '../stack/lambdaInvoke.js';

/** A failed invocation, with what Lambda's Invoke API said (for on-failure records). */
export class FunctionInvocationError extends Error {
  public override readonly name = 'FunctionInvocationError';

  public constructor(
    functionName: string,
    public readonly statusCode: number,
    public readonly functionError: string,
    payload: string,
  ) {
    super(`${functionName} failed (${statusCode} ${functionError}): ${payload.slice(0, 500)}`);
  }
}

/**
 * Delivers stream events as the event source mapping does in AWS: a synchronous invocation
 * through a Lambda Invoke API (serverless-offline's locally). A function that returns nothing
 * succeeded with every record; a function error throws.
 */
export const deliverThroughLambdaApi =
  (lambdaEndpoint: string, functionName: string) =>
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | undefined> => {
    const { statusCode, functionError, payload } = await invokeLambda(
      lambdaEndpoint,
      functionName,
      event,
    );
    if (statusCode !== 200 || functionError) {
      throw new FunctionInvocationError(
        functionName,
        statusCode,
        functionError ?? 'Unhandled',
        payload,
      );
    }
    return payload.trim() === '' ? undefined : (JSON.parse(payload) as DynamoDBBatchResponse);
  };
