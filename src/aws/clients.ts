import { AppStreamClient } from '@aws-sdk/client-appstream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface ServiceClients {
  imagebuilder: ImagebuilderClient;
  appstream: AppStreamClient;
  sns: SNSClient;
  dynamodb: DynamoDBClient;
}

/**
 * Bounded connects and requests: a hung dependency turns into a retryable error well inside the
 * function's timeout (10 s over HTTP) instead of using it up.
 */
const requestHandler = {
  connectionTimeout: 1_000,
  requestTimeout: 5_000,
  throwOnRequestTimeout: true,
} as const;

/**
 * SNS and DynamoDB keep the SDK's retries, but fewer and shorter: a request may need several
 * DynamoDB calls and a publish, and all of them, retries included, must end before the timeout.
 */
const supportingClientConfig = {
  maxAttempts: 2,
  requestHandler: { ...requestHandler, requestTimeout: 2_000 },
} as const;

/** The outcomes topic's client: the outbox is the only function that publishes. */
export const createTopicClient = (region: string, given?: SNSClient): SNSClient =>
  given ?? new SNSClient({ region, ...supportingClientConfig });

/** The tables' client: the idempotency records and the request ledger. */
const createTableClient = (region: string, given?: DynamoDBClient): DynamoDBClient =>
  given ?? new DynamoDBClient({ region, ...supportingClientConfig });

/** What the provisioning functions and the readiness watch call: AWS and the tables. */
export type ProvisioningClients = Pick<ServiceClients, 'imagebuilder' | 'appstream' | 'dynamodb'>;

/**
 * One client per service for the life of the execution environment, and only those the function
 * calls. Endpoints come from the SDK's standard variables (`AWS_ENDPOINT_URL_<SERVICE>`), so
 * local and cloud differ only there. Clients `given` (tests) are used as they are.
 */
export const createServiceClients = (
  region: string,
  given: Partial<ServiceClients> = {},
): ProvisioningClients => ({
  // The pipeline retries these itself: it knows which errors are worth it (the SDK would retry
  // AppStream's quota error as a throttle) and how much time the invocation has left.
  imagebuilder:
    given.imagebuilder ?? new ImagebuilderClient({ region, maxAttempts: 1, requestHandler }),
  appstream: given.appstream ?? new AppStreamClient({ region, maxAttempts: 1, requestHandler }),
  dynamodb: createTableClient(region, given.dynamodb),
});

/**
 * The queues' client: the queue function holds messages back with it, the outbox schedules the
 * watch's checks. Requests go to the configured endpoint (the regional one, or
 * `AWS_ENDPOINT_URL_SQS`), with the queue URL's path: by default the SDK would send them to the
 * host of the queue URL instead, which the service builds from an ARN.
 */
export const createQueueClient = (region: string, given?: SQSClient): SQSClient =>
  given ?? new SQSClient({ region, ...supportingClientConfig, useQueueUrlAsEndpoint: false });
