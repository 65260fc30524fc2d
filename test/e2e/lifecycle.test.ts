import { CreateImageBuilderCommand, DescribeImageBuildersCommand } from '@aws-sdk/client-appstream';
import {
  CreateDistributionConfigurationCommand,
  CreateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { describe, expect, it } from 'vitest';
import { unique } from './support/api.js';
import type { EmulatorCall } from './support/emulator.js';
import type { ReceivedReadinessEvent } from './support/outcomes.js';
import { OWNER, OWNER_TAG } from './support/requests.js';
import { useStack } from './support/session.js';
import { eventually } from './support/wait.js';

/*
 * The lifecycle of what the service provisions, end to end on the offline stack and over both
 * channels: configurations are created, found in a paged list, updated and deleted; an image
 * builder is created, stopped, started and deleted, each change followed until AWS shows it.
 * Replays of every write answer what was stored without a second AWS write. Resources made
 * directly in AWS (no ownership tag) cannot be changed, unless the stage's policy adopts them.
 *
 * The stack runs the dev guardrails (GUARDRAILS_STAGE=dev): its `adoptable` list names the
 * builder `legacy-design-builder`, so adoption is seen without another stack. Builders turn
 * RUNNING, STOPPED or gone 500 ms after a change; the watch checks every second.
 */

/** The builder name config/guardrails/dev.json adopts. */
const ADOPTED_BUILDER = 'legacy-design-builder';
const EVENT_TIMEOUT_MS = 15_000;
/** How long to keep listening after the expected messages, so an extra one would show. */
const SETTLE_MS = 2_000;
/** A page small enough that finding one configuration takes more than one page. */
const PAGE_SIZE = 1;

const session = useStack({
  GUARDRAILS_STAGE: 'dev',
  READINESS_FIRST_CHECK_SECONDS: '1',
  READINESS_MAX_CHECK_SECONDS: '1',
  READINESS_TIMEOUT_SECONDS: '20',
  WATCH_VISIBILITY_TIMEOUT_SECONDS: '1',
});

// ------------------------------------------------------------------------------------------------
// Both channels behind one interface
// ------------------------------------------------------------------------------------------------

type Channel = 'http' | 'sqs';
type Request = Record<string, unknown>;

/** What a request came to: the AWS response, or the error code (and the HTTP status). */
interface Answer {
  /** HTTP only. */
  status?: number;
  code?: string;
  response: Request;
}

const encoded = (value: unknown): string => encodeURIComponent(String(value));

const query = (request: Request, members: Record<string, string>): string => {
  const pairs = Object.entries(members)
    .filter(([member]) => request[member] !== undefined)
    .map(([member, parameter]) => `${parameter}=${encoded(request[member])}`);
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
};

/** The configuration routes: one collection each, its items by ARN. */
const CONFIGURATION_ROUTES: Record<string, { collection: string; arnMember: string }> = {
  InfrastructureConfiguration: {
    collection: '/infrastructure-configurations',
    arnMember: 'infrastructureConfigurationArn',
  },
  DistributionConfiguration: {
    collection: '/distribution-configurations',
    arnMember: 'distributionConfigurationArn',
  },
};

type Route = { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; body?: Request };

const configurationRoute = (verb: string, kind: string, request: Request): Route => {
  const { collection, arnMember } = CONFIGURATION_ROUTES[kind] ?? {};
  if (!collection || !arnMember) throw new Error(`no routes for ${kind}`);
  const { [arnMember]: arn, ...rest } = request;
  const item = `${collection}/${encoded(arn)}`;
  const routes: Record<string, Route> = {
    Create: { method: 'POST', path: collection, body: request },
    List: {
      method: 'GET',
      path: `${collection}${query(request, { maxResults: 'maxResults', nextToken: 'nextToken' })}`,
    },
    Get: { method: 'GET', path: item },
    Update: { method: 'PUT', path: item, body: rest },
    Delete: { method: 'DELETE', path: item },
  };
  const route = routes[verb];
  if (!route) throw new Error(`no route for ${verb}${kind}`);
  return route;
};

/** The route of `operation` (README "HTTP API") for the AWS request `request`. */
const routeOf = (operation: string, request: Request): Route => {
  const configuration = /^(Create|List|Get|Update|Delete)(\w+Configuration)s?$/.exec(operation);
  if (configuration) {
    return configurationRoute(String(configuration[1]), String(configuration[2]), request);
  }
  const builder = `/image-builders/${encoded(request.Name)}`;
  const names = request.Names as string[] | undefined;
  const page = { MaxResults: 'maxResults', NextToken: 'nextToken' };
  const routes: Record<string, Route> = {
    CreateImageBuilder: { method: 'POST', path: '/image-builders', body: request },
    DescribeImageBuilders: names
      ? { method: 'GET', path: `/image-builders/${encoded(names[0])}` }
      : { method: 'GET', path: `/image-builders${query(request, page)}` },
    StopImageBuilder: { method: 'POST', path: `${builder}/stop` },
    StartImageBuilder: { method: 'POST', path: `${builder}/start` },
    DeleteImageBuilder: { method: 'DELETE', path: builder },
  };
  const route = routes[operation];
  if (!route) throw new Error(`no route for ${operation}`);
  return route;
};

/** A write as sent: its operation, AWS request and key. */
interface Write {
  operation: string;
  request: Request;
  token: string;
}

interface Driver {
  channel: Channel;
  /** Sends the request and answers what it came to (over the queue: its outcome). */
  run(operation: string, request: Request, token: string): Promise<Answer>;
  /**
   * Sends each write again under its key, then listens `SETTLE_MS`; answers what the service
   * stored for each, and whether it was handled afresh (over HTTP: no `Idempotent-Replayed`,
   * over the queue: a new outcome).
   */
  replayAll(writes: readonly Write[]): Promise<(Answer & { fresh: boolean })[]>;
}

const sendHttp = async ({ operation, request, token }: Write) => {
  const { method, path, body } = routeOf(operation, request);
  const headers: Record<string, string> = method === 'GET' ? {} : { 'idempotency-key': token };
  const answer = await session.api.send(method, path, body, headers);
  const failed = answer.status >= 400;
  return {
    answer: {
      status: answer.status,
      ...(failed ? { code: String(answer.body.code) } : {}),
      response: failed ? {} : answer.body,
    },
    replayed: answer.headers.get('idempotent-replayed') === 'true',
  };
};

const overHttp: Driver = {
  channel: 'http',
  run: async (operation, request, token) => (await sendHttp({ operation, request, token })).answer,
  replayAll: async (writes) => {
    const replayed = [];
    for (const write of writes) {
      const { answer, replayed: stored } = await sendHttp(write);
      replayed.push({ ...answer, fresh: !stored });
    }
    await session.outcomes.drainFor(SETTLE_MS);
    return replayed;
  },
};

const overQueue: Driver = {
  channel: 'sqs',
  run: async (operation, request, token) => {
    await session.queues.send({ operation, clientToken: token, request });
    const [outcome] = await session.outcomes.waitFor(token, {
      timeoutMs: EVENT_TIMEOUT_MS,
      settleMs: 0,
    });
    if (!outcome) throw new Error(`no outcome for ${operation} ${token}`);
    const { error, response } = outcome.event.data;
    return { ...(error ? { code: error.code } : {}), response: response ?? {} };
  },
  replayAll: async (writes) => {
    const before = writes.map(({ token }) => session.outcomes.for(token).length);
    await session.queues.sendAll(
      writes.map(({ operation, request, token }) =>
        JSON.stringify({ operation, clientToken: token, request }),
      ),
    );
    await session.queues.drained(EVENT_TIMEOUT_MS);
    await session.outcomes.drainFor(SETTLE_MS);
    return Promise.all(
      writes.map(async ({ operation, token }, index) => {
        const stored = await session.api.lookup(operation, token);
        const { error, response } = stored.body as { error?: { code: string }; response?: Request };
        return {
          ...(error ? { code: error.code } : {}),
          response: response ?? {},
          fresh: session.outcomes.for(token).length !== before[index],
        };
      }),
    );
  },
};

const DRIVERS = [overHttp, overQueue];

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

/** The AWS writes the emulator received, by operation, whose input names one of `ids`. */
const writesNaming = async (...ids: string[]): Promise<string[]> =>
  (await session.stack.emulator.writes())
    .filter(({ input }: EmulatorCall) =>
      Object.values(input).some((value) => ids.includes(String(value))),
    )
    .map(({ operation }) => operation);

/** Marks the AWS writes so far; the function it answers lists the writes made since. */
const writeMark = async () => {
  const before = (await session.stack.emulator.writes()).length;
  return async () =>
    (await session.stack.emulator.writes()).slice(before).map(({ operation }) => operation);
};

/** The token's follow-through events once the first `event` came and `settleMs` more passed. */
const followThrough = async (
  token: string,
  event: string,
  settleMs = 0,
): Promise<ReceivedReadinessEvent[]> => {
  const arrived = await session.outcomes.drainUntil(
    () => session.outcomes.readinessFor(token).some(({ event: e }) => e.data.event === event),
    EVENT_TIMEOUT_MS,
  );
  if (settleMs > 0) await session.outcomes.drainFor(settleMs);
  const received = session.outcomes.readinessFor(token);
  if (!arrived) {
    throw new Error(
      `no ${event} for ${token}: ${JSON.stringify(received.map(({ event: e }) => e.data))}`,
    );
  }
  return received;
};

/** Reads a list `PAGE_SIZE` items a page until `found` matches; answers the pages it read. */
const pageUntil = async (
  driver: Driver,
  operation: string,
  sizeMember: string,
  listMember: string,
  found: (item: Request) => boolean,
): Promise<{ pages: number; item?: Request; tokens: string[] }> => {
  const tokenMember = sizeMember === 'MaxResults' ? 'NextToken' : 'nextToken';
  const tokens: string[] = [];
  let next: unknown;
  for (let pages = 1; pages <= 50; pages += 1) {
    const answer = await driver.run(
      operation,
      { [sizeMember]: PAGE_SIZE, ...(next === undefined ? {} : { [tokenMember]: next }) },
      unique(`list-${driver.channel}`),
    );
    expect(answer.code, JSON.stringify(answer)).toBeUndefined();
    const item = ((answer.response[listMember] as Request[] | undefined) ?? []).find(found);
    next = answer.response[tokenMember];
    if (item) return { pages, item, tokens };
    if (next === undefined) return { pages, tokens };
    tokens.push(String(next));
  }
  throw new Error(`${operation} did not end within 50 pages`);
};

/** Each write token announced exactly one outcome, SUCCEEDED. */
const expectOneSuccessEach = (tokens: string[]) => {
  expect(
    tokens.map((token) => session.outcomes.for(token).map(({ event }) => event.data.status)),
  ).toEqual(tokens.map(() => ['SUCCEEDED']));
};

// ------------------------------------------------------------------------------------------------
// 1. Configurations
// ------------------------------------------------------------------------------------------------

interface ConfigurationKind {
  kind: string;
  operations: { create: string; list: string; get: string; update: string; delete: string };
  arnMember: string;
  listMember: string;
  getMember: string;
  create(name: string): Request;
  /** The update's members besides the ARN: the description says `changed`. */
  update: Request;
}

const INFRASTRUCTURE: ConfigurationKind = {
  kind: 'infrastructure',
  operations: {
    create: 'CreateInfrastructureConfiguration',
    list: 'ListInfrastructureConfigurations',
    get: 'GetInfrastructureConfiguration',
    update: 'UpdateInfrastructureConfiguration',
    delete: 'DeleteInfrastructureConfiguration',
  },
  arnMember: 'infrastructureConfigurationArn',
  listMember: 'infrastructureConfigurationSummaryList',
  getMember: 'infrastructureConfiguration',
  create: (name) => ({
    name,
    instanceProfileName: 'ImageBuilderInstanceProfile',
    instanceTypes: ['m7i.large'],
    instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
    tags: { team: 'platform' },
  }),
  update: {
    description: 'changed',
    instanceProfileName: 'ImageBuilderInstanceProfile',
    instanceTypes: ['t3.large'],
    instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
  },
};

const DISTRIBUTION: ConfigurationKind = {
  kind: 'distribution',
  operations: {
    create: 'CreateDistributionConfiguration',
    list: 'ListDistributionConfigurations',
    get: 'GetDistributionConfiguration',
    update: 'UpdateDistributionConfiguration',
    delete: 'DeleteDistributionConfiguration',
  },
  arnMember: 'distributionConfigurationArn',
  listMember: 'distributionConfigurationSummaryList',
  getMember: 'distributionConfiguration',
  create: (name) => ({
    name,
    distributions: [{ region: 'us-east-1' }],
    tags: { team: 'platform' },
  }),
  update: {
    description: 'changed',
    distributions: [{ region: 'us-east-1' }, { region: 'eu-west-1' }],
  },
};

describe.each(DRIVERS)('configurations over $channel', (driver) => {
  it.each([INFRASTRUCTURE, DISTRIBUTION])(
    '$kind: create, found in a paged list, update, delete, gone; replays call AWS no more',
    async (kind) => {
      // Prepare: two of them, so that the second is never on the first page of one
      const { operations, arnMember } = kind;
      const prefix = unique(`${kind.kind}-${driver.channel}`);
      const [neighbourName, name] = [`${prefix}-a`, `${prefix}-b`];
      const tokens = {
        neighbour: `${prefix}-create-a`,
        create: `${prefix}-create`,
        update: `${prefix}-update`,
        delete: `${prefix}-delete`,
      };
      const neighbour = await driver.run(
        operations.create,
        kind.create(neighbourName),
        tokens.neighbour,
      );
      expect(neighbour.code, JSON.stringify(neighbour)).toBeUndefined();

      // Act: create
      const createRequest = kind.create(name);
      const created = await driver.run(operations.create, createRequest, tokens.create);
      const arn = String(created.response[arnMember]);
      const byArn = (item: Request) => item.arn === arn;

      // Assess
      expect(created.status).toBe(driver.channel === 'http' ? 201 : undefined);
      expect(created.code).toBeUndefined();
      expect(arn).toMatch(new RegExp(`/${name}$`));

      // Act / Assess: list, a page at a time, until found
      const listed = await pageUntil(driver, operations.list, 'maxResults', kind.listMember, byArn);
      expect(listed.item).toMatchObject({
        arn,
        name,
        tags: { team: 'platform', [OWNER_TAG]: OWNER },
      });
      expect(listed.pages).toBeGreaterThan(1);
      expect(listed.tokens).toHaveLength(listed.pages - 1);

      // Act / Assess: update, then read it back
      const updateRequest = { [arnMember]: arn, ...kind.update };
      const updated = await driver.run(operations.update, updateRequest, tokens.update);
      expect(updated).toMatchObject({ response: { [arnMember]: arn } });
      expect(updated.code).toBeUndefined();
      const read = await driver.run(operations.get, { [arnMember]: arn }, `${prefix}-get`);
      expect(read.response[kind.getMember]).toMatchObject({ arn, description: 'changed' });

      // Act / Assess: delete; Get is 404 and the list leaves it out
      const deleteRequest = { [arnMember]: arn };
      const deleted = await driver.run(operations.delete, deleteRequest, tokens.delete);
      expect(deleted).toMatchObject({ response: { [arnMember]: arn } });
      expect(deleted.code).toBeUndefined();
      const gone = await driver.run(operations.get, { [arnMember]: arn }, `${prefix}-get-gone`);
      expect(gone.code).toBe('ResourceNotFoundException');
      if (driver.channel === 'http') expect(gone.status).toBe(404);
      const absent = await pageUntil(driver, operations.list, 'maxResults', kind.listMember, byArn);
      expect(absent.item).toBeUndefined();

      // Act: every write again, under its key
      const writesBefore = await writesNaming(name, arn);
      const mark = await writeMark();
      const replayed = await driver.replayAll([
        { operation: operations.create, request: createRequest, token: tokens.create },
        { operation: operations.update, request: updateRequest, token: tokens.update },
        { operation: operations.delete, request: deleteRequest, token: tokens.delete },
      ]);

      // Assess: the stored answers, not a new AWS write, each write announced once
      expect(replayed).toEqual(
        [created, updated, deleted].map((first) => ({ ...first, fresh: false })),
      );
      expect(await mark()).toEqual([]);
      expect(writesBefore).toEqual([operations.create, operations.update, operations.delete]);
      expectOneSuccessEach([tokens.create, tokens.update, tokens.delete]);
    },
    60_000,
  );
});

// ------------------------------------------------------------------------------------------------
// 2. Image builders
// ------------------------------------------------------------------------------------------------

const builderRequest = (name: string): Request => ({
  Name: name,
  InstanceType: 'stream.standard.medium',
  ImageName: 'AppStream-WinServer2022-06-17-2025',
  Tags: { team: 'design' },
});

/** The builder's state as AppStream describes it; `GONE` when AppStream has none of that name. */
const builderState = async (name: string): Promise<string | undefined> => {
  try {
    const { ImageBuilders = [] } = await session.stack.appstream.send(
      new DescribeImageBuildersCommand({ Names: [name] }),
    );
    return ImageBuilders[0]?.State;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return 'GONE';
    throw error;
  }
};

describe.each(DRIVERS)('an image builder over $channel', (driver) => {
  it('create, Ready; stop, Stopped; start, Ready; delete, Deleted once, gone; replays call AWS no more', async () => {
    // Prepare
    const name = unique(`builder-${driver.channel}`);
    const request = builderRequest(name);
    const tokens = {
      create: `${name}-create`,
      stop: `${name}-stop`,
      start: `${name}-start`,
      delete: `${name}-delete`,
    };
    const byName = { Name: name };
    const findInList = () =>
      pageUntil(
        driver,
        'DescribeImageBuilders',
        'MaxResults',
        'ImageBuilders',
        (item) => item.Name === name,
      );
    const steps = [
      ['CreateImageBuilder', request, tokens.create, 'ImageBuilderReady', 'PENDING'],
      ['StopImageBuilder', byName, tokens.stop, 'ImageBuilderStopped', 'STOPPING'],
      ['StartImageBuilder', byName, tokens.start, 'ImageBuilderReady', 'PENDING'],
      ['DeleteImageBuilder', byName, tokens.delete, 'ImageBuilderDeleted', 'DELETING'],
    ] as const;

    // Act / Assess: each step answers with the builder on its way and is followed to its goal
    const answers: Answer[] = [];
    for (const [operation, body, token, event, interim] of steps) {
      const answer = await driver.run(operation, body, token);
      answers.push(answer);
      expect(answer.code, `${operation}: ${JSON.stringify(answer)}`).toBeUndefined();
      expect(answer.status).toBe(
        driver.channel === 'http' ? (operation === 'CreateImageBuilder' ? 201 : 200) : undefined,
      );
      expect(answer.response).toMatchObject({ ImageBuilder: { Name: name, State: interim } });
      const events = await followThrough(token, event);
      expect(events.map(({ event: e }) => e.data.event)).toEqual([event]);
      expect(events[0]?.event.data).toMatchObject({
        operation,
        clientToken: token,
        channel: driver.channel,
      });
      if (operation === 'CreateImageBuilder') {
        const listed = await findInList();
        expect(listed.item).toMatchObject({ Name: name, State: 'RUNNING' });
      }
    }
    expect(await builderState(name)).toBe('GONE');

    // Assess: gone from Get and from the list; ImageBuilderDeleted once
    const gone = await driver.run('DescribeImageBuilders', { Names: [name] }, `${name}-get-gone`);
    expect(gone.code).toBe('ResourceNotFoundException');
    if (driver.channel === 'http') expect(gone.status).toBe(404);
    const absent = await findInList();
    expect(absent.item).toBeUndefined();
    await session.outcomes.drainFor(SETTLE_MS);
    expect(
      session.outcomes.readinessFor(tokens.delete).map(({ event }) => event.data.event),
    ).toEqual(['ImageBuilderDeleted']);

    // Act: every write again, under its key
    const writesBefore = await writesNaming(name);
    const mark = await writeMark();
    const replayed = await driver.replayAll(
      steps.map(([operation, request, token]) => ({ operation, request, token })),
    );

    // Assess: the stored answers, not a new AWS write; each announced once, followed once
    expect(replayed).toEqual(answers.map((first) => ({ ...first, fresh: false })));
    expect(await mark()).toEqual([]);
    expect(writesBefore).toEqual(steps.map(([operation]) => operation));
    expectOneSuccessEach(Object.values(tokens));
    expect(steps.map(([, , token]) => session.outcomes.readinessFor(token).length)).toEqual([
      1, 1, 1, 1,
    ]);
  }, 60_000);
});

// ------------------------------------------------------------------------------------------------
// 3. What the service did not create
// ------------------------------------------------------------------------------------------------

/** Creates the builder directly in AppStream (no ownership tag) and waits until it runs. */
const directBuilder = async (name: string): Promise<void> => {
  await session.stack.appstream.send(
    new CreateImageBuilderCommand({
      Name: name,
      InstanceType: 'stream.standard.medium',
      ImageName: 'AppStream-WinServer2022-06-17-2025',
    }),
  );
  await eventually(async () => ((await builderState(name)) === 'RUNNING' ? true : undefined), {
    timeoutMs: 5_000,
    what: `${name} RUNNING`,
  });
};

/** Creates both configurations directly in Image Builder (no ownership tag); answers their ARNs. */
const directConfigurations = async (name: string) => {
  const infrastructure = await session.imagebuilder.send(
    new CreateInfrastructureConfigurationCommand({
      ...(INFRASTRUCTURE.create(name) as { name: string; instanceProfileName: string }),
      clientToken: unique('direct'),
    }),
  );
  const distribution = await session.imagebuilder.send(
    new CreateDistributionConfigurationCommand({
      name,
      distributions: [{ region: 'us-east-1' }],
      clientToken: unique('direct'),
    }),
  );
  return {
    infrastructureConfigurationArn: String(infrastructure.infrastructureConfigurationArn),
    distributionConfigurationArn: String(distribution.distributionConfigurationArn),
  };
};

describe.each(DRIVERS)('resources made directly in AWS, over $channel', (driver) => {
  it('cannot be updated, stopped or deleted: 403 PolicyViolationException, no AWS write', async () => {
    // Prepare
    const name = unique(`direct-${driver.channel}`);
    const arns = await directConfigurations(name);
    await directBuilder(name);
    const byName = { Name: name };
    const attempts = [
      [
        'UpdateInfrastructureConfiguration',
        {
          infrastructureConfigurationArn: arns.infrastructureConfigurationArn,
          ...INFRASTRUCTURE.update,
        },
      ],
      [
        'DeleteInfrastructureConfiguration',
        { infrastructureConfigurationArn: arns.infrastructureConfigurationArn },
      ],
      [
        'UpdateDistributionConfiguration',
        { distributionConfigurationArn: arns.distributionConfigurationArn, ...DISTRIBUTION.update },
      ],
      [
        'DeleteDistributionConfiguration',
        { distributionConfigurationArn: arns.distributionConfigurationArn },
      ],
      ['StopImageBuilder', byName],
      ['StartImageBuilder', byName],
      ['DeleteImageBuilder', byName],
    ] as const;
    const mark = await writeMark();

    // Act
    const answers = [];
    for (const [operation, request] of attempts) {
      answers.push(await driver.run(operation, request, unique(`${name}-${operation}`)));
    }

    // Assess
    expect(answers).toEqual(
      attempts.map(() => ({
        ...(driver.channel === 'http' ? { status: 403 } : {}),
        code: 'PolicyViolationException',
        response: {},
      })),
    );
    expect(await mark()).toEqual([]);
    expect(await builderState(name)).toBe('RUNNING');
  }, 60_000);

  it('can be once the policy adopts them: the dev policy lists legacy-design-builder', async () => {
    // Prepare: the adopted name, and one it does not list, both made directly
    const other = unique(`legacy-other-${driver.channel}`);
    await Promise.all([directBuilder(ADOPTED_BUILDER), directBuilder(other)]);
    const tokens = { stop: unique('adopted-stop'), delete: unique('adopted-delete') };
    const mark = await writeMark();

    // Act
    const refused = await driver.run('StopImageBuilder', { Name: other }, unique('other-stop'));
    const refusedWrites = await mark();
    const stopped = await driver.run('StopImageBuilder', { Name: ADOPTED_BUILDER }, tokens.stop);
    const stopEvents = await followThrough(tokens.stop, 'ImageBuilderStopped');
    const deleted = await driver.run(
      'DeleteImageBuilder',
      { Name: ADOPTED_BUILDER },
      tokens.delete,
    );
    const deleteEvents = await followThrough(tokens.delete, 'ImageBuilderDeleted', SETTLE_MS);

    // Assess
    expect(refused.code).toBe('PolicyViolationException');
    expect(refusedWrites).toEqual([]);
    expect(stopped).toMatchObject({
      response: { ImageBuilder: { Name: ADOPTED_BUILDER, State: 'STOPPING' } },
    });
    expect(deleted).toMatchObject({
      response: { ImageBuilder: { Name: ADOPTED_BUILDER, State: 'DELETING' } },
    });
    expect(stopEvents.map(({ event }) => event.data.event)).toEqual(['ImageBuilderStopped']);
    expect(deleteEvents.map(({ event }) => event.data.event)).toEqual(['ImageBuilderDeleted']);
    expect(await mark()).toEqual(['StopImageBuilder', 'DeleteImageBuilder']);
    expect(await builderState(other)).toBe('RUNNING');
    expectOneSuccessEach([tokens.stop, tokens.delete]);
  }, 60_000);
});
