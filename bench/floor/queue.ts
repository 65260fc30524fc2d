import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createInfrastructureConfiguration } from './provision.js';

/** The floor's queue function: every record at once, none reported failed. */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  await Promise.all(
    event.Records.map((record) => {
      const { clientToken, request } = JSON.parse(record.body);
      return createInfrastructureConfiguration(clientToken, request, 'sqs');
    }),
  );
  return { batchItemFailures: [] };
};
