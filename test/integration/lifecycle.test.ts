import { CreateImageBuilderCommand } from '@aws-sdk/client-appstream';
import { CreateInfrastructureConfigurationCommand } from '@aws-sdk/client-imagebuilder';
import type { APIGatewayProxyEventV2, SQSBatchResponse } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../local/emulator/index.js';
import { createHttpHandler } from '../../src/channels/http.js';
import { createQueueHandler } from '../../src/channels/queue.js';
import { createWatchApp } from '../../src/composition.js';
import { OWNER_TAG_KEY } from '../../src/operations/index.js';
import { httpEvent, invokeHttp, lambdaContext, sqsRecord } from '../support/lambda.js';
import { startTestStack, type TestStack } from '../support/localStack.js';
import { clearCalls, listCalls, pollUntil, uniqueName } from './emulator/support.js';

/*
 * The lifecycle operations end to end in one process: the real handlers of both channels, the
 * real pipeline (idempotency on dynalite, outcomes through the outbox on fauxqs), and the
 * emulator as Image Builder and AppStream, reached by the real SDK clients. The readiness watch
 * is the real one, asked for its checks by the test instead of the watch queue.
 */

const ACCOUNT = '123456789012';
const STEP_MS = 150;

let emulator: RunningEmulator;
let stack: TestStack;
let http: ReturnType<typeof createHttpHandler>;
let queue: ReturnType<typeof createQueueHandler>;
let watch: ReturnType<typeof createWatchApp>['watch'];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, accountId: ACCOUNT, appstreamReadyDelayMs: STEP_MS });
  stack = await startTestStack({
    awsEndpoint: emulator.endpoint,
    guardrails: {
      adoptable: [
        `arn:aws:imagebuilder:us-east-1:${ACCOUNT}:infrastructure-configuration/adopted-*`,
      ],
    },
  });
  http = createHttpHandler(stack.app);
  queue = createQueueHandler(stack.app);
  watch = createWatchApp(stack.config, { clients: stack.clients, logger: stack.app.logger }).watch;
});

afterAll(async () => {
  await stack?.stop();
  await emulator?.close();
});

beforeEach(async () => {
  await stack.outcomes(0, 0);
  await clearCalls(emulator.endpoint);
});

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  route: string;
  path?: { arn?: string; name?: string };
  query?: Record<string, string>;
  body?: unknown;
  key?: string;
}

const call = ({ method, route, path = {}, query, body, key }: Call) => {
  const event: APIGatewayProxyEventV2 = httpEvent({
    method,
    route,
    ...(body === undefined ? {} : { body }),
    headers: key ? { 'idempotency-key': key } : {},
  });
  event.pathParameters = Object.fromEntries(
    Object.entries(path).filter(([, value]) => value !== undefined),
  );
  if (query) event.queryStringParameters = query;
  return invokeHttp(http, event);
};

const send = async (message: Record<string, unknown>) =>
  (await queue({ Records: [sqsRecord(message)] }, lambdaContext())) as SQSBatchResponse;

/** The AWS writes the emulator received since the test began. */
const writes = async () =>
  (await listCalls(emulator.endpoint, 'write')).map(({ operation }) => operation);

/** A follow-through event's name, else an outcome's status. */
const eventOrStatus = ({ data }: { data: object }) =>
  'event' in data ? data.event : 'status' in data ? data.status : undefined;

/** Asks the watch of a request for checks until it ends; answers its last state. */
const followUntilEnded = (operation: string, clientToken: string) =>
  pollUntil(
    async () => {
      const record = await stack.app.ledger.find(operation, clientToken);
      const current = record?.watch;
      if (!current) return undefined;
      if (current.state !== 'WATCHING') return current.state;
      await watch.check({ operation, clientToken, checks: current.checks });
      return undefined;
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );

const infrastructure = (name: string) => ({
  name,
  instanceProfileName: 'ImageBuilderInstanceProfile',
  instanceTypes: ['m7i.large'],
  tags: { team: 'platform' },
});

describe('infrastructure configurations over HTTP', () => {
  it('creates, lists (paged, by name), updates and deletes; the delete is 404 once gone', async () => {
    // Prepare
    const prefix = uniqueName('lifecycle');
    const created = await Promise.all(
      ['a', 'b'].map((suffix) =>
        call({
          method: 'POST',
          route: '/infrastructure-configurations',
          body: infrastructure(`${prefix}-${suffix}`),
        }),
      ),
    );
    const [arn] = created.map(({ body }) => String(body.infrastructureConfigurationArn));
    if (!arn) throw new Error('nothing created');

    // Act: list one page at a time, then by name
    const first = await call({
      method: 'GET',
      route: '/infrastructure-configurations',
      query: { maxResults: '1' },
    });
    const second = await call({
      method: 'GET',
      route: '/infrastructure-configurations',
      query: { maxResults: '1', nextToken: String(first.body.nextToken) },
    });
    const byName = await call({
      method: 'GET',
      route: '/infrastructure-configurations',
      query: { name: `${prefix}-a` },
    });

    // Assess
    expect(created.map(({ status }) => status)).toEqual([201, 201]);
    expect(first.status).toBe(200);
    expect(first.body.infrastructureConfigurationSummaryList).toHaveLength(1);
    expect(second.body.infrastructureConfigurationSummaryList).toHaveLength(1);
    expect(byName.body.infrastructureConfigurationSummaryList).toEqual([
      expect.objectContaining({
        arn,
        tags: { team: 'platform', [OWNER_TAG_KEY]: stack.config.outcomeSource },
      }),
    ]);

    // Act: update, delete, delete again
    const updated = await call({
      method: 'PUT',
      route: '/infrastructure-configurations/{arn}',
      path: { arn },
      body: { instanceProfileName: 'ImageBuilderInstanceProfile', description: 'changed' },
    });
    const deleted = await call({
      method: 'DELETE',
      route: '/infrastructure-configurations/{arn}',
      path: { arn },
      key: `${prefix}-delete`,
    });
    const read = await call({
      method: 'GET',
      route: '/infrastructure-configurations/{arn}',
      path: { arn },
    });
    const again = await call({
      method: 'DELETE',
      route: '/infrastructure-configurations/{arn}',
      path: { arn },
      key: `${prefix}-delete-again`,
    });
    await clearCalls(emulator.endpoint);
    const replay = await call({
      method: 'DELETE',
      route: '/infrastructure-configurations/{arn}',
      path: { arn },
      key: `${prefix}-delete`,
    });
    const replayGone = await call({
      method: 'DELETE',
      route: '/infrastructure-configurations/{arn}',
      path: { arn },
      key: `${prefix}-delete-again`,
    });

    // Assess
    expect(updated.status).toBe(200);
    expect(deleted).toMatchObject({ status: 200, body: { infrastructureConfigurationArn: arn } });
    expect(read.status).toBe(404);
    expect(again).toMatchObject({ status: 404, body: { code: 'ResourceNotFoundException' } });
    expect(replay).toMatchObject({ status: 200, headers: { 'idempotent-replayed': 'true' } });
    expect(replay.body).toEqual(deleted.body);
    expect(replayGone).toMatchObject({ status: 404, headers: { 'idempotent-replayed': 'true' } });
    expect(await listCalls(emulator.endpoint)).toEqual([]);
  });

  it('refuses to change a configuration it did not create: 403, no AWS write, until adopted', async () => {
    // Prepare: made directly in AWS, without the ownership tag
    const { imagebuilder } = stack.clients;
    const foreign = await imagebuilder.send(
      new CreateInfrastructureConfigurationCommand({
        ...infrastructure(uniqueName('foreign')),
        clientToken: uniqueName('direct'),
      }),
    );
    const adopted = await imagebuilder.send(
      new CreateInfrastructureConfigurationCommand({
        ...infrastructure(uniqueName('adopted')),
        clientToken: uniqueName('direct'),
      }),
    );
    await clearCalls(emulator.endpoint);
    const change = (arn: string | undefined) =>
      call({
        method: 'PUT',
        route: '/infrastructure-configurations/{arn}',
        path: { arn },
        body: { instanceProfileName: 'ImageBuilderInstanceProfile' },
      });

    // Act
    const refused = await change(foreign.infrastructureConfigurationArn);
    const deleteRefused = await call({
      method: 'DELETE',
      route: '/infrastructure-configurations/{arn}',
      path: { arn: foreign.infrastructureConfigurationArn },
    });
    const refusedWrites = await writes();
    const allowed = await change(adopted.infrastructureConfigurationArn);

    // Assess
    expect(refused).toMatchObject({
      status: 403,
      body: {
        code: 'PolicyViolationException',
        errors: [{ path: '/infrastructureConfigurationArn' }],
      },
    });
    expect(deleteRefused.status).toBe(403);
    expect(refusedWrites).toEqual([]);
    expect(allowed.status).toBe(200);
    expect(await writes()).toEqual(['UpdateInfrastructureConfiguration']);
  });
});

describe('distribution configurations on the queue', () => {
  it('creates, reads, updates and deletes, each announced; a replay adds no AWS call', async () => {
    // Prepare
    const name = uniqueName('distribution');
    const message = (operation: string, clientToken: string, request: unknown) => ({
      operation,
      clientToken,
      request,
    });
    await send(
      message('CreateDistributionConfiguration', `${name}-create`, {
        name,
        distributions: [{ region: 'us-east-1' }],
      }),
    );
    const [created] = await stack.outcomes(1);
    const arn = String(
      (created?.event.data.response as { distributionConfigurationArn?: string })
        ?.distributionConfigurationArn,
    );

    // Act
    const steps = [
      message('GetDistributionConfiguration', `${name}-get`, { distributionConfigurationArn: arn }),
      message('ListDistributionConfigurations', `${name}-list`, {
        filters: [{ name: 'name', values: [name] }],
      }),
      message('UpdateDistributionConfiguration', `${name}-update`, {
        distributionConfigurationArn: arn,
        distributions: [{ region: 'us-east-1' }, { region: 'eu-west-1' }],
      }),
      message('DeleteDistributionConfiguration', `${name}-delete`, {
        distributionConfigurationArn: arn,
      }),
    ];
    for (const step of steps) expect((await send(step)).batchItemFailures).toEqual([]);
    const outcomes = await stack.outcomes(steps.length);
    await clearCalls(emulator.endpoint);
    expect((await send(steps[3] ?? {})).batchItemFailures).toEqual([]);

    // Assess
    expect(outcomes.map(({ event }) => [event.data.operation, event.data.status])).toEqual([
      ['GetDistributionConfiguration', 'SUCCEEDED'],
      ['ListDistributionConfigurations', 'SUCCEEDED'],
      ['UpdateDistributionConfiguration', 'SUCCEEDED'],
      ['DeleteDistributionConfiguration', 'SUCCEEDED'],
    ]);
    expect(outcomes[0]?.event.data.response).toMatchObject({
      distributionConfiguration: { tags: { [OWNER_TAG_KEY]: stack.config.outcomeSource } },
    });
    expect(outcomes[1]?.event.data.response).toMatchObject({
      distributionConfigurationSummaryList: [expect.objectContaining({ arn })],
    });
    expect(await listCalls(emulator.endpoint)).toEqual([]);
    expect(await stack.outcomes(0, 300)).toEqual([]);
  });
});

describe('image builders', () => {
  it('stop, start and delete over HTTP are followed to STOPPED, RUNNING and gone', async () => {
    // Prepare
    const name = uniqueName('builder');
    const created = await call({
      method: 'POST',
      route: '/image-builders',
      body: {
        Name: name,
        InstanceType: 'stream.standard.medium',
        ImageName: 'AppStream-WinServer2022-06-17-2025',
      },
    });
    expect(created.status).toBe(201);
    expect(await followUntilEnded('CreateImageBuilder', String(created.body.ClientToken))).toBe(
      'READY',
    );
    await stack.outcomes(2);

    // Act / Assess, one goal after the other
    for (const [route, operation, event] of [
      ['/image-builders/{name}/stop', 'StopImageBuilder', 'ImageBuilderStopped'],
      ['/image-builders/{name}/start', 'StartImageBuilder', 'ImageBuilderReady'],
    ] as const) {
      const answer = await call({
        method: 'POST',
        route,
        path: { name },
        key: `${name}-${operation}`,
      });
      expect(answer.status).toBe(200);
      expect(await followUntilEnded(operation, `${name}-${operation}`)).toBe('READY');
      const announced = await stack.outcomes(2);
      expect(announced.map(({ event: e }) => eventOrStatus(e))).toEqual(['SUCCEEDED', event]);
    }
    const one = await call({ method: 'GET', route: '/image-builders/{name}', path: { name } });
    expect(one.body).toMatchObject({ ImageBuilder: { Name: name, State: 'RUNNING' } });
    const removed = await call({
      method: 'DELETE',
      route: '/image-builders/{name}',
      path: { name },
      key: `${name}-delete`,
    });
    expect(removed.status).toBe(200);
    expect(await followUntilEnded('DeleteImageBuilder', `${name}-delete`)).toBe('READY');
    const deleted = await stack.outcomes(2);
    expect(deleted.map(({ event: e }) => eventOrStatus(e))).toEqual([
      'SUCCEEDED',
      'ImageBuilderDeleted',
    ]);
    const gone = await call({ method: 'GET', route: '/image-builders/{name}', path: { name } });
    expect(gone).toMatchObject({ status: 404, body: { code: 'ResourceNotFoundException' } });
  });

  it('refuses to stop a builder it did not create, on the queue: 403 outcome, no AWS write', async () => {
    // Prepare: made directly in AWS, without the ownership tag
    const name = uniqueName('foreign-builder');
    await stack.clients.appstream.send(
      new CreateImageBuilderCommand({
        Name: name,
        InstanceType: 'stream.standard.medium',
        ImageName: 'AppStream-WinServer2022-06-17-2025',
      }),
    );
    await clearCalls(emulator.endpoint);

    // Act
    const result = await send({
      operation: 'StopImageBuilder',
      clientToken: `${name}-stop`,
      request: { Name: name },
    });

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    const [outcome] = await stack.outcomes(1);
    expect(outcome?.event.data).toMatchObject({
      operation: 'StopImageBuilder',
      status: 'FAILED',
      error: {
        code: 'PolicyViolationException',
        retryable: false,
        errors: [{ path: '/request/Name' }],
      },
    });
    expect(await writes()).toEqual([]);
    expect((await listCalls(emulator.endpoint, 'read')).map(({ operation }) => operation)).toEqual([
      'DescribeImageBuilders',
      'ListTagsForResource',
    ]);
  });
});
