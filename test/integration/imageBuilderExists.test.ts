import { CreateImageBuilderCommand, DescribeImageBuildersCommand } from '@aws-sdk/client-appstream';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/channels/http.js';
import { validRequests } from '../fixtures/requests.js';
import { awsServiceError } from '../support/awsErrors.js';
import { imageBuilderArn } from '../support/awsMocks.js';
import { httpEvent, lambdaContext } from '../support/lambda.js';
import { useTestStack } from '../support/localStack.js';

const harness = useTestStack();
let handle: ReturnType<typeof createHttpHandler>;

const request = {
  Name: 'existing-builder',
  InstanceType: 'stream.standard.medium',
  ImageName: 'AppStream-WinServer2022-06-17-2025',
  Description: 'design team',
};

const existing = (overrides: Record<string, unknown> = {}) => ({
  Name: request.Name,
  Arn: imageBuilderArn(request.Name),
  ImageArn: `arn:aws:appstream:us-east-1::image/${request.ImageName}`,
  InstanceType: request.InstanceType,
  Description: request.Description,
  State: 'RUNNING' as const,
  ...overrides,
});

const alreadyExists = awsServiceError('ResourceAlreadyExistsException', 400, {
  message: 'already exists',
});

let requests = 0;
const create = async (body: unknown) => {
  requests++;
  const response = (await handle(
    httpEvent({
      method: 'POST',
      route: '/image-builders',
      body,
      headers: { 'idempotency-key': `exists-${requests}` },
    }),
    lambdaContext(),
  )) as APIGatewayProxyStructuredResultV2;
  return { status: response.statusCode, body: JSON.parse(response.body ?? 'null') };
};

beforeAll(() => {
  handle = createHttpHandler(harness.stack.app);
});
beforeEach(() => {
  harness.aws.appstream.on(CreateImageBuilderCommand).rejects(alreadyExists);
});

describe('CreateImageBuilder when AWS says the Name is taken (AppStream has no client token)', () => {
  it('answers as a success when the existing builder matches the request', async () => {
    harness.aws.appstream
      .on(DescribeImageBuildersCommand)
      .resolves({ ImageBuilders: [existing()] });

    const response = await create(request);

    expect(response.status).toBe(201);
    expect(response.body.ImageBuilder).toMatchObject({
      Name: request.Name,
      Arn: imageBuilderArn(request.Name),
    });
    expect(
      harness.aws.appstream.commandCalls(DescribeImageBuildersCommand)[0]?.args[0].input,
    ).toEqual({
      Names: [request.Name],
    });
    const outcomes = await harness.stack.outcomes(1);
    expect(outcomes[0]?.event.data.status).toBe('SUCCEEDED');
  });

  it('answers 409 ResourceAlreadyExistsException when the existing builder differs', async () => {
    harness.aws.appstream
      .on(DescribeImageBuildersCommand)
      .resolves({ ImageBuilders: [existing({ InstanceType: 'stream.graphics.g4dn.xlarge' })] });

    const response = await create(request);

    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'ResourceAlreadyExistsException', status: 409 });
    const outcomes = await harness.stack.outcomes(1);
    expect(outcomes[0]?.event.data).toMatchObject({
      status: 'FAILED',
      error: { code: 'ResourceAlreadyExistsException', retryable: false },
    });
  });

  it('answers 409 when the builder is gone by the time it is described', async () => {
    harness.aws.appstream
      .on(DescribeImageBuildersCommand)
      .rejects(awsServiceError('ResourceNotFoundException', 404, { message: 'not found' }));

    const response = await create(validRequests.CreateImageBuilder);

    expect(response.status).toBe(409);
  });
});
