import { CreateInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/channels/http.js';
import { createQueueHandler } from '../../src/channels/queue.js';
import { validRequests } from '../fixtures/requests.js';
import { awsServiceError } from '../support/awsErrors.js';
import { httpEvent, invokeHttp, lambdaContext, sqsRecord } from '../support/lambda.js';
import { useTestStack } from '../support/localStack.js';

/*
 * The status lookup through the real HTTP handler, on the ledger as the pipeline wrote it
 * (dynalite) and with outcomes published by the real outbox from the ledger's stream.
 */
const harness = useTestStack();
let http: ReturnType<typeof createHttpHandler>;
let queue: ReturnType<typeof createQueueHandler>;

beforeAll(() => {
  http = createHttpHandler(harness.stack.app);
  queue = createQueueHandler(harness.stack.app);
});

const lookUp = (clientToken: string, query: Record<string, string> = {}) => {
  const event = httpEvent({ method: 'GET', route: '/requests/{clientToken}' });
  const rawPath = `/requests/${encodeURIComponent(clientToken)}`;
  event.rawPath = rawPath;
  event.requestContext.http.path = rawPath;
  event.pathParameters = { clientToken };
  event.rawQueryString = new URLSearchParams(query).toString();
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  return invokeHttp(http, event);
};

const create = (token: string) =>
  invokeHttp(
    http,
    httpEvent({
      method: 'POST',
      route: '/infrastructure-configurations',
      body: validRequests.CreateInfrastructureConfiguration,
      headers: { 'idempotency-key': token, 'x-correlation-id': 'ticket-lookup' },
    }),
  );

describe('GET /requests/{clientToken}?operation=', () => {
  it('answers a request that succeeded: its response and the id of the outcome published', async () => {
    // Prepare
    const created = await create('lookup-ok-1');
    const [outcome] = await harness.stack.outcomes(1);

    // Act
    const response = await lookUp('lookup-ok-1', {
      operation: 'CreateInfrastructureConfiguration',
    });

    // Assess
    expect(created.status).toBe(201);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toEqual({
      operation: 'CreateInfrastructureConfiguration',
      clientToken: 'lookup-ok-1',
      status: 'SUCCEEDED',
      correlationId: 'ticket-lookup',
      channel: 'http',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      response: created.body,
      outcomeIds: [outcome?.event.id],
    });
  });

  it('answers a request that failed with what the caller was answered', async () => {
    // Prepare
    harness.aws.imagebuilder
      .on(CreateInfrastructureConfigurationCommand)
      .rejects(awsServiceError('InvalidParameterValueException', 400, { message: 'no profile' }));
    const answered = await create('lookup-failed-1');

    // Act
    const response = await lookUp('lookup-failed-1', {
      operation: 'CreateInfrastructureConfiguration',
    });

    // Assess
    expect(answered.status).toBe(400);
    expect(response.body).toMatchObject({
      status: 'FAILED',
      error: {
        code: 'InvalidParameterValueException',
        status: 400,
        detail: 'no profile',
        retryable: false,
      },
    });
    expect(response.body).not.toHaveProperty('response');
  });

  it('answers a queue message that could not be read, under its message id', async () => {
    await queue(
      {
        Records: [
          sqsRecord({ operation: 'CreateImageBuilder', request: {} }, { messageId: 'lookup-m-1' }),
        ],
      },
      lambdaContext(),
    );

    const response = await lookUp('lookup-m-1', { operation: 'CreateImageBuilder' });

    expect(response.body).toMatchObject({
      status: 'FAILED',
      channel: 'sqs',
      error: { code: 'ValidationException', status: 400 },
    });
    expect(response.body.outcomeIds).toHaveLength(1);
  });

  it('answers 404 problem+json for a token it does not know, or one of another operation', async () => {
    await create('lookup-other-op');

    const unknown = await lookUp('never-seen', { operation: 'CreateInfrastructureConfiguration' });
    const otherOperation = await lookUp('lookup-other-op', { operation: 'CreateImageBuilder' });

    for (const response of [unknown, otherOperation]) {
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body).toMatchObject({ code: 'NotFoundException', status: 404 });
    }
  });

  it.each([
    ['without an operation', {}],
    ['with an operation that is not one of ours', { operation: 'DeleteEverything' }],
  ])('answers 400 problem+json %s', async (_, query) => {
    const response = await lookUp('lookup-ok-1', query);

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'ValidationException', status: 400 });
  });
});
