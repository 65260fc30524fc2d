import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import {
  idempotencyInProgressError,
  idempotencyMismatchError,
  outcomeUnknownError,
  type ProvisioningError,
  policyViolationError,
  requestTooLargeError,
  serviceUnavailableError,
  validationError,
} from '../../src/basics/errors.js';
import { type Problem, toProblem, unexpectedProblem } from '../../src/channels/problem.js';
import { type OperationName, operations } from '../../src/operations/index.js';
import { toOutcomeEvent, toReadinessEvent } from '../../src/outcomes/outcome.js';
import { toProvisioningError } from '../../src/provisioning/awsErrors.js';

/*
 * Examples for the documents. Requests and queue messages are the sample events of `events/`
 * (what `npm run invoke` sends); problems and events are built by the service's own code; AWS
 * responses are written out. test/unit/docs/ validates every example against its schema.
 */

const ROOT = join(import.meta.dirname, '..', '..');

const ACCOUNT = '123456789012';
const INFRA_ARN = `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:infrastructure-configuration/my-infra`;
const DISTRIBUTION_ARN = `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:distribution-configuration/my-distribution`;
const BUILDER_ARN = `arn:aws:appstream:us-east-1:${ACCOUNT}:image-builder/my-image-builder`;
export const EXAMPLE_REQUEST_ID = 'c0ffee00-1234-4d5e-8f90-a1b2c3d4e5f6';
const TOKEN = '7f1c2a4e-portal-req-0001';

/** The operations with sample events of their own in `events/` (what `npm run invoke` sends). */
const SAMPLE_FILES: Partial<Record<OperationName, string>> = {
  CreateInfrastructureConfiguration: 'create-infrastructure-configuration.json',
  UpdateInfrastructureConfiguration: 'update-infrastructure-configuration.json',
  GetInfrastructureConfiguration: 'get-infrastructure-configuration.json',
  CreateDistributionConfiguration: 'create-distribution-configuration.json',
  CreateImageBuilder: 'create-image-builder.json',
};

/** The requests of the others, written out: what a portal sends over HTTP and on the queue. */
const WRITTEN_SAMPLES: Partial<Record<OperationName, Record<string, unknown>>> = {
  ListInfrastructureConfigurations: {
    filters: [{ name: 'name', values: ['my-infra'] }],
    maxResults: 10,
  },
  DeleteInfrastructureConfiguration: { infrastructureConfigurationArn: INFRA_ARN },
  ListDistributionConfigurations: { maxResults: 10 },
  GetDistributionConfiguration: { distributionConfigurationArn: DISTRIBUTION_ARN },
  UpdateDistributionConfiguration: {
    distributionConfigurationArn: DISTRIBUTION_ARN,
    description: 'Copies the golden AMI to two Regions of this account',
    distributions: [{ region: 'us-east-1' }, { region: 'eu-west-1' }],
  },
  DeleteDistributionConfiguration: { distributionConfigurationArn: DISTRIBUTION_ARN },
  DescribeImageBuilders: { Names: ['my-image-builder'] },
  StopImageBuilder: { Name: 'my-image-builder' },
  StartImageBuilder: { Name: 'my-image-builder' },
  DeleteImageBuilder: { Name: 'my-image-builder' },
};

const readEvent = <T>(folder: string, file: string): T =>
  JSON.parse(readFileSync(join(ROOT, 'events', folder, file), 'utf8'));

const writtenSample = (operation: OperationName): Record<string, unknown> => {
  const sample = WRITTEN_SAMPLES[operation];
  if (!sample) throw new Error(`no sample of ${operation}`);
  return sample;
};

/** The HTTP sample of an operation: its body (none for a read) and its path parameter. */
export const httpSample = (
  operation: OperationName,
  path?: { parameter: 'arn' | 'name'; member: string },
): { body?: unknown; pathValue?: string } => {
  const file = SAMPLE_FILES[operation];
  if (file) {
    const event = readEvent<APIGatewayProxyEventV2>('http', file);
    return {
      ...(event.body ? { body: JSON.parse(event.body) } : {}),
      ...(event.pathParameters?.arn ? { pathValue: event.pathParameters.arn } : {}),
    };
  }
  const { [path?.member ?? '']: named, ...rest } = writtenSample(operation);
  const pathValue = Array.isArray(named) ? named[0] : named;
  return {
    body: path ? rest : writtenSample(operation),
    ...(typeof pathValue === 'string' ? { pathValue } : {}),
  };
};

/** The queue sample of an operation: the message body. */
export const queueSample = (operation: OperationName): unknown => {
  const file = SAMPLE_FILES[operation];
  if (!file) {
    return {
      operation,
      clientToken: TOKEN,
      correlationId: 'portal-ticket-4713',
      request: writtenSample(operation),
    };
  }
  const [record] = readEvent<SQSEvent>('sqs', file).Records;
  if (!record) throw new Error(`events/sqs/${file} has no record`);
  return JSON.parse(record.body);
};

/** A builder as AppStream describes it in `state`. */
const builderIn = (State: string) => ({
  ImageBuilder: {
    Name: 'my-image-builder',
    Arn: BUILDER_ARN,
    InstanceType: 'stream.standard.medium',
    Platform: 'WINDOWS_SERVER_2022',
    State,
    CreatedTime: '2026-11-21T10:00:00.000Z',
    EnableDefaultInternetAccess: false,
  },
});

/** What AWS answers each operation, as the service passes it on. */
export const awsResponseExamples: Record<OperationName, Record<string, unknown>> = {
  CreateInfrastructureConfiguration: {
    requestId: 'a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a5b',
    clientToken: TOKEN,
    infrastructureConfigurationArn: INFRA_ARN,
  },
  UpdateInfrastructureConfiguration: {
    requestId: 'a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a5b',
    clientToken: TOKEN,
    infrastructureConfigurationArn: INFRA_ARN,
  },
  GetInfrastructureConfiguration: {
    requestId: 'a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a5b',
    infrastructureConfiguration: {
      arn: INFRA_ARN,
      name: 'my-infra',
      instanceTypes: ['m6i.large'],
      instanceProfileName: 'ImageBuilderInstanceProfile',
      terminateInstanceOnFailure: true,
      dateCreated: '2026-11-21T10:00:00.000Z',
      instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
      tags: { team: 'platform' },
    },
  },
  ListInfrastructureConfigurations: {
    requestId: 'a1b2c3d4-0005-4e5f-8a9b-0c1d2e3f4a5b',
    infrastructureConfigurationSummaryList: [
      {
        arn: INFRA_ARN,
        name: 'my-infra',
        instanceTypes: ['m6i.large'],
        instanceProfileName: 'ImageBuilderInstanceProfile',
        dateCreated: '2026-11-21T10:00:00.000Z',
        tags: { team: 'platform', 'image-provisioner:owner': 'image-provisioner.dev' },
      },
    ],
    nextToken: 'eyJuZXh0IjoxMH0=',
  },
  DeleteInfrastructureConfiguration: {
    requestId: 'a1b2c3d4-0006-4e5f-8a9b-0c1d2e3f4a5b',
    infrastructureConfigurationArn: INFRA_ARN,
  },
  CreateDistributionConfiguration: {
    requestId: 'a1b2c3d4-0004-4e5f-8a9b-0c1d2e3f4a5b',
    clientToken: TOKEN,
    distributionConfigurationArn: DISTRIBUTION_ARN,
  },
  ListDistributionConfigurations: {
    requestId: 'a1b2c3d4-0007-4e5f-8a9b-0c1d2e3f4a5b',
    distributionConfigurationSummaryList: [
      {
        arn: DISTRIBUTION_ARN,
        name: 'my-distribution',
        dateCreated: '2026-11-21T10:00:00.000Z',
        regions: ['us-east-1', 'eu-west-1'],
        tags: { 'image-provisioner:owner': 'image-provisioner.dev' },
      },
    ],
  },
  GetDistributionConfiguration: {
    requestId: 'a1b2c3d4-0008-4e5f-8a9b-0c1d2e3f4a5b',
    distributionConfiguration: {
      arn: DISTRIBUTION_ARN,
      name: 'my-distribution',
      distributions: [{ region: 'us-east-1' }, { region: 'eu-west-1' }],
      timeoutMinutes: 720,
      dateCreated: '2026-11-21T10:00:00.000Z',
      tags: { 'image-provisioner:owner': 'image-provisioner.dev' },
    },
  },
  UpdateDistributionConfiguration: {
    requestId: 'a1b2c3d4-0009-4e5f-8a9b-0c1d2e3f4a5b',
    clientToken: TOKEN,
    distributionConfigurationArn: DISTRIBUTION_ARN,
  },
  DeleteDistributionConfiguration: {
    requestId: 'a1b2c3d4-0010-4e5f-8a9b-0c1d2e3f4a5b',
    distributionConfigurationArn: DISTRIBUTION_ARN,
  },
  CreateImageBuilder: builderIn('PENDING'),
  DescribeImageBuilders: { ImageBuilders: [builderIn('RUNNING').ImageBuilder] },
  StopImageBuilder: builderIn('STOPPING'),
  StartImageBuilder: builderIn('PENDING'),
  DeleteImageBuilder: builderIn('DELETING'),
};

/** An AWS error as the SDK throws it, mapped as the pipeline maps it. */
const awsError = (name: string, status: number, message: string, fault = 'client') =>
  toProvisioningError(
    'imagebuilder',
    Object.assign(new Error(message), {
      name,
      $fault: fault,
      $metadata: { httpStatusCode: status },
    }),
  );

const problem = (error: ProvisioningError): Problem => toProblem(error, EXAMPLE_REQUEST_ID);

/** Problems by HTTP status, each named; built by the service's own error factories. */
export const problemExamples: Record<string, Record<string, Problem>> = {
  '400': {
    ValidationException: problem(
      validationError([
        {
          path: '/instanceMetadataOptions/httpTokens',
          message: 'must be one of: optional, required',
        },
      ]),
    ),
  },
  '403': {
    PolicyViolationException: problem(
      policyViolationError([
        {
          path: '/instanceTypes/0',
          message: "must be one of the stage's instance types: t3.medium, t3.large",
        },
      ]),
    ),
  },
  '409': {
    IdempotencyInProgressException: problem(idempotencyInProgressError()),
  },
  '413': { RequestTooLargeException: problem(requestTooLargeError(262_144)) },
  '422': { IdempotentParameterMismatchException: problem(idempotencyMismatchError()) },
  '429': {
    CallRateLimitExceededException: problem(
      awsError('CallRateLimitExceededException', 429, 'Rate exceeded'),
    ),
  },
  '500': { InternalFailure: unexpectedProblem(EXAMPLE_REQUEST_ID) },
  '503': {
    ServiceUnavailableException: problem(
      serviceUnavailableError('The request ledger is unavailable; retry later.'),
    ),
    OutcomeUnknownException: problem(outcomeUnknownError(new Error('timed out'))),
  },
  default: {
    ResourceNotFoundException: problem(
      awsError(
        'ResourceNotFoundException',
        404,
        'The infrastructure configuration does not exist.',
      ),
    ),
    ServiceQuotaExceededException: problem(
      awsError('ServiceQuotaExceededException', 402, 'You have reached the quota.'),
    ),
  },
};

/** The lookup's 404: what `requestNotFound` answers. */
export const notFoundExample = (body: string): Problem => JSON.parse(body);

const SOURCE = 'image-provisioner.dev';
const TIME = new Date('2026-11-21T10:00:00.000Z');

/** A SUCCEEDED outcome of each operation, built by the service's own event builder. */
export const succeededOutcomeExample = (operation: OperationName) =>
  toOutcomeEvent(
    {
      operation,
      clientToken: TOKEN,
      correlationId: 'portal-ticket-4711',
      channel: 'sqs',
      requestedBy: 'AIDAEXAMPLE',
      status: 'SUCCEEDED',
      response: awsResponseExamples[operation],
    },
    {
      source: SOURCE,
      subject: operations[operation].service === 'appstream' ? BUILDER_ARN : INFRA_ARN,
      now: TIME,
    },
  );

/** A FAILED outcome of an operation (or of an unreadable message). */
export const failedOutcomeExample = (operation: OperationName | 'Unknown') =>
  toOutcomeEvent(
    {
      operation,
      clientToken: TOKEN,
      channel: 'sqs',
      status: 'FAILED',
      error:
        operation === 'Unknown'
          ? {
              code: 'ValidationException',
              message: 'The request has 1 invalid field.',
              retryable: false,
              errors: [
                {
                  path: '/operation',
                  message: `must be one of: ${Object.keys(operations).join(', ')} (got "CreateThing")`,
                },
              ],
            }
          : {
              code: 'ValidationException',
              message: 'The request has 1 invalid field.',
              retryable: false,
              errors: [{ path: '/request/name', message: 'is required' }],
            },
    },
    { source: SOURCE, now: TIME },
  );

/** The builder's state each follow-through event tells of. */
const READINESS_STATES: Readonly<Record<string, string>> = {
  ImageBuilderReady: 'RUNNING',
  ImageBuilderFailed: 'FAILED',
  ImageBuilderStopped: 'STOPPED',
  ImageBuilderDeleted: 'NOT_FOUND',
};

/** A follow-through event, built by the service's own event builder. */
export const readinessEventExample = (
  event: string,
  id: string,
  operation: OperationName = 'CreateImageBuilder',
) =>
  toReadinessEvent(
    {
      operation,
      clientToken: TOKEN,
      correlationId: 'portal-ticket-4712',
      channel: 'sqs',
      requestedBy: 'AIDAEXAMPLE',
      event,
      resource: {
        Name: 'my-image-builder',
        Arn: BUILDER_ARN,
        State: READINESS_STATES[event] ?? 'PENDING',
        ...(event === 'ImageBuilderFailed'
          ? {
              StateChangeReason: {
                Code: 'INTERNAL_ERROR',
                Message: 'The image builder could not start.',
              },
            }
          : {}),
      },
    },
    { id, source: SOURCE, subject: BUILDER_ARN, time: '2026-11-21T10:14:00.000Z' },
  );

export const lookupExample = {
  operation: 'CreateInfrastructureConfiguration',
  clientToken: TOKEN,
  status: 'SUCCEEDED',
  correlationId: 'portal-ticket-4711',
  channel: 'http',
  requestedBy: `arn:aws:iam::${ACCOUNT}:role/portal`,
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T10:00:00.412Z',
  response: awsResponseExamples.CreateInfrastructureConfiguration,
  outcomeIds: ['3b0c9d5e-1f7a-4a34-9d0e-5d1f2b7c8a90'],
};
