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
 */
export const createServiceClients = (region: string): ServiceClients => ({
  imagebuilder: new ImagebuilderClient({ region }),
  appstream: new AppStreamClient({ region }),
  sns: new SNSClient({ region }),
  dynamodb: new DynamoDBClient({ region }),
});
