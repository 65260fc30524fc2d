import { AppStreamClient } from '@aws-sdk/client-appstream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import { SNSClient } from '@aws-sdk/client-sns';

export interface ServiceClients {
  imagebuilder: ImagebuilderClient;
  appstream: AppStreamClient;
  sns: SNSClient;
  dynamodb: DynamoDBClient;
}

/**
 * One client per service for the life of the execution environment. Endpoints come from the
 * SDK's standard variables (`AWS_ENDPOINT_URL_<SERVICE>`), so local and cloud differ only there.
 * Clients `given` (tests) are used as they are.
 */
export const createServiceClients = (
  region: string,
  given: Partial<ServiceClients> = {},
): ServiceClients => ({
  imagebuilder: given.imagebuilder ?? new ImagebuilderClient({ region }),
  appstream: given.appstream ?? new AppStreamClient({ region }),
  sns: given.sns ?? new SNSClient({ region }),
  dynamodb: given.dynamodb ?? new DynamoDBClient({ region }),
});
