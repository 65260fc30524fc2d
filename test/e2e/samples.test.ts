import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DescribeImageBuildersCommand } from '@aws-sdk/client-appstream';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Api } from './support/api.js';
import { OutcomeInbox } from './support/outcomes.js';
import { type RunningStack, startStack } from './support/stack.js';
import { runTool, type ToolRun } from './support/tool.js';
import { eventually } from './support/wait.js';

/*
 * Every sample event of events/ on a fresh stack, in the order the README's "Sample events" gives,
 * each run the way `npm run invoke -- <function> <file>` runs it (local/invoke.ts: `sls invoke
 * local --stage local` against the running stack's stand-ins). Each must succeed: the HTTP
 * function answers 2xx, the queue function reports no failed record, and every request it made
 * is SUCCEEDED in the request ledger with SUCCEEDED outcomes published (a read over HTTP only
 * answers).
 */

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const EVENTS_DIR = join(REPO_ROOT, 'events');
const STACK_START_TIMEOUT_MS = 90_000;
/** One `sls invoke local`: osls starts, esbuild bundles the function, the handler runs. */
const INVOKE_TIMEOUT_MS = 120_000;

type FunctionName = 'http' | 'queue';

/** An image builder state the stack's AppStream must show before a sample runs. */
interface BuilderAtRest {
  name: string;
  state: 'RUNNING' | 'STOPPED';
}

/**
 * The README's order: the updates, reads and deletes act on the configurations the creates make,
 * each delete after every sample that reads or changes its configuration; the image builder's
 * stop, start and delete come last, each once the builder has finished the change before it
 * (`before`: the README's wait, here a bounded poll). With each, the calls that reach "AWS": a
 * queue sample that carries its HTTP twin's request under the same token is a replay and calls
 * nothing; the batch creates its own three; a change reads its resource first (whose it is,
 * src/operations/ownership.ts).
 */
const SAMPLES: ReadonlyArray<{
  fn: FunctionName;
  file: string;
  awsCalls: string[];
  before?: BuilderAtRest;
}> = [
  {
    fn: 'http',
    file: 'events/http/create-infrastructure-configuration.json',
    awsCalls: ['CreateInfrastructureConfiguration'],
  },
  {
    fn: 'http',
    file: 'events/http/update-infrastructure-configuration.json',
    awsCalls: ['GetInfrastructureConfiguration', 'UpdateInfrastructureConfiguration'],
  },
  {
    fn: 'http',
    file: 'events/http/get-infrastructure-configuration.json',
    awsCalls: ['GetInfrastructureConfiguration'],
  },
  {
    fn: 'http',
    file: 'events/http/create-distribution-configuration.json',
    awsCalls: ['CreateDistributionConfiguration'],
  },
  { fn: 'http', file: 'events/http/create-image-builder.json', awsCalls: ['CreateImageBuilder'] },
  { fn: 'queue', file: 'events/sqs/create-infrastructure-configuration.json', awsCalls: [] },
  { fn: 'queue', file: 'events/sqs/update-infrastructure-configuration.json', awsCalls: [] },
  {
    fn: 'queue',
    file: 'events/sqs/get-infrastructure-configuration.json',
    awsCalls: ['GetInfrastructureConfiguration'],
  },
  { fn: 'queue', file: 'events/sqs/create-distribution-configuration.json', awsCalls: [] },
  { fn: 'queue', file: 'events/sqs/create-image-builder.json', awsCalls: [] },
  {
    fn: 'queue',
    file: 'events/sqs/batch.json',
    awsCalls: [
      'CreateDistributionConfiguration',
      'CreateImageBuilder',
      'CreateInfrastructureConfiguration',
    ],
  },
  {
    fn: 'http',
    file: 'events/http/list-infrastructure-configurations.json',
    awsCalls: ['ListInfrastructureConfigurations'],
  },
  {
    fn: 'http',
    file: 'events/http/list-distribution-configurations.json',
    awsCalls: ['ListDistributionConfigurations'],
  },
  {
    fn: 'http',
    file: 'events/http/get-distribution-configuration.json',
    awsCalls: ['GetDistributionConfiguration'],
  },
  {
    fn: 'http',
    file: 'events/http/update-distribution-configuration.json',
    awsCalls: ['GetDistributionConfiguration', 'UpdateDistributionConfiguration'],
  },
  {
    fn: 'http',
    file: 'events/http/describe-image-builders.json',
    awsCalls: ['DescribeImageBuilders'],
  },
  {
    fn: 'queue',
    file: 'events/sqs/list-infrastructure-configurations.json',
    awsCalls: ['ListInfrastructureConfigurations'],
  },
  {
    fn: 'queue',
    file: 'events/sqs/list-distribution-configurations.json',
    awsCalls: ['ListDistributionConfigurations'],
  },
  {
    fn: 'queue',
    file: 'events/sqs/get-distribution-configuration.json',
    awsCalls: ['GetDistributionConfiguration'],
  },
  { fn: 'queue', file: 'events/sqs/update-distribution-configuration.json', awsCalls: [] },
  {
    fn: 'queue',
    file: 'events/sqs/describe-image-builders.json',
    awsCalls: ['DescribeImageBuilders'],
  },
  {
    fn: 'http',
    file: 'events/http/delete-infrastructure-configuration.json',
    awsCalls: ['DeleteInfrastructureConfiguration', 'GetInfrastructureConfiguration'],
  },
  {
    fn: 'http',
    file: 'events/http/delete-distribution-configuration.json',
    awsCalls: ['DeleteDistributionConfiguration', 'GetDistributionConfiguration'],
  },
  // Replays of the deletes: the stored answer, though the configuration is gone.
  { fn: 'queue', file: 'events/sqs/delete-infrastructure-configuration.json', awsCalls: [] },
  { fn: 'queue', file: 'events/sqs/delete-distribution-configuration.json', awsCalls: [] },
  {
    fn: 'http',
    file: 'events/http/stop-image-builder.json',
    awsCalls: ['DescribeImageBuilders', 'ListTagsForResource', 'StopImageBuilder'],
    before: { name: 'my-image-builder', state: 'RUNNING' },
  },
  { fn: 'queue', file: 'events/sqs/stop-image-builder.json', awsCalls: [] },
  {
    fn: 'http',
    file: 'events/http/start-image-builder.json',
    awsCalls: ['DescribeImageBuilders', 'ListTagsForResource', 'StartImageBuilder'],
    before: { name: 'my-image-builder', state: 'STOPPED' },
  },
  { fn: 'queue', file: 'events/sqs/start-image-builder.json', awsCalls: [] },
  {
    fn: 'http',
    file: 'events/http/delete-image-builder.json',
    awsCalls: ['DeleteImageBuilder', 'DescribeImageBuilders', 'ListTagsForResource'],
    before: { name: 'my-image-builder', state: 'RUNNING' },
  },
  { fn: 'queue', file: 'events/sqs/delete-image-builder.json', awsCalls: [] },
];

/**
 * What the readiness watch asks in the background while it follows an image builder (created,
 * stopped, started or deleted): such calls are counted, not matched, as a sample may make them too.
 */
const BACKGROUND_CALLS = new Set(['DescribeImageBuilders']);

/** The operation behind each route of the HTTP samples. */
const ROUTE_OPERATIONS: Readonly<Record<string, string>> = {
  'POST /infrastructure-configurations': 'CreateInfrastructureConfiguration',
  'PUT /infrastructure-configurations/{arn}': 'UpdateInfrastructureConfiguration',
  'GET /infrastructure-configurations/{arn}': 'GetInfrastructureConfiguration',
  'GET /infrastructure-configurations': 'ListInfrastructureConfigurations',
  'DELETE /infrastructure-configurations/{arn}': 'DeleteInfrastructureConfiguration',
  'POST /distribution-configurations': 'CreateDistributionConfiguration',
  'GET /distribution-configurations': 'ListDistributionConfigurations',
  'GET /distribution-configurations/{arn}': 'GetDistributionConfiguration',
  'PUT /distribution-configurations/{arn}': 'UpdateDistributionConfiguration',
  'DELETE /distribution-configurations/{arn}': 'DeleteDistributionConfiguration',
  'POST /image-builders': 'CreateImageBuilder',
  'GET /image-builders/{name}': 'DescribeImageBuilders',
  'POST /image-builders/{name}/stop': 'StopImageBuilder',
  'POST /image-builders/{name}/start': 'StartImageBuilder',
  'DELETE /image-builders/{name}': 'DeleteImageBuilder',
};

/** The reads: over HTTP they take no clientToken and answer the caller only. */
const READS = new Set([
  'GetInfrastructureConfiguration',
  'ListInfrastructureConfigurations',
  'GetDistributionConfiguration',
  'ListDistributionConfigurations',
  'DescribeImageBuilders',
]);

/** How long a builder may take to come to rest (the stack's emulator: 500 ms per change). */
const BUILDER_REST_TIMEOUT_MS = 15_000;

let stack: RunningStack;
let api: Api;
let outcomes: OutcomeInbox;
/** Where the copy of the stack's `stack.json` that the invocations read lives (`STACK_DIR`). */
let stackDir: string;
const buildId = `-samples-${process.pid}`;

beforeAll(async () => {
  stack = await startStack();
  api = new Api(stack.info.httpApi);
  outcomes = await OutcomeInbox.subscribe(stack);
  stackDir = await mkdtemp(join(tmpdir(), 'image-provisioner-samples-'));
  await writeFile(join(stackDir, 'stack.json'), JSON.stringify(stack.info));
}, STACK_START_TIMEOUT_MS);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail' && stack) {
    console.error(`stack output (last 6000 characters):\n${stack.output().slice(-6000)}`);
  }
});

afterAll(async () => {
  if (stackDir) await rm(stackDir, { recursive: true, force: true });
  // The invocations' own esbuild work folder (serverless.yml: outputWorkFolder).
  await rm(join(REPO_ROOT, '.esbuild', `local${buildId}`), { recursive: true, force: true });
  if (!stack) return;
  if (!stack.exited()) await outcomes?.close();
  await stack.stop();
}, 30_000);

/** `npm run invoke -- <fn> <file>`: local/invoke.ts, with the stack found through STACK_DIR. */
const invoke = (fn: FunctionName, file: string): Promise<ToolRun> =>
  runTool('local/invoke.ts', [fn, file], {
    STACK_DIR: stackDir,
    STACK_BUILD_ID: buildId,
    GUARDRAILS_STAGE: 'local',
  });

/**
 * What the handler returned: `sls invoke local` prints it last, as JSON indented by 4 spaces
 * (the function's log lines before it are JSON on one line each).
 */
const handlerResult = (stdout: string): Record<string, unknown> => {
  const lines = stdout.split('\n');
  const start = lines.lastIndexOf('{');
  if (start === -1) throw new Error(`no handler result in:\n${stdout.slice(-4000)}`);
  const end = lines.indexOf('}', start);
  return JSON.parse(lines.slice(start, end + 1).join('\n')) as Record<string, unknown>;
};

/** Polls the stack's AppStream until the builder shows `state`, as the README says to wait. */
const waitForBuilder = ({ name, state }: BuilderAtRest): Promise<true> =>
  eventually(
    async () => {
      const { ImageBuilders = [] } = await stack.appstream.send(
        new DescribeImageBuildersCommand({ Names: [name] }),
      );
      return ImageBuilders[0]?.State === state ? true : undefined;
    },
    { timeoutMs: BUILDER_REST_TIMEOUT_MS, intervalMs: 200, what: `${name} ${state}` },
  );

const count = (names: readonly string[], name: string): number =>
  names.filter((each) => each === name).length;

const readEvent = <T>(file: string): T =>
  JSON.parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as T;

/**
 * The request behind `clientToken` is SUCCEEDED in the ledger, and its one outcome, published,
 * says SUCCEEDED with the id the ledger committed first (a created image builder's follow-through
 * event comes after it).
 */
const expectSucceeded = async (operation: string, clientToken: string): Promise<void> => {
  const found = await api.lookup(operation, clientToken);
  expect(found.status, found.text).toBe(200);
  expect(found.body).toMatchObject({ operation, clientToken, status: 'SUCCEEDED' });
  const [outcomeId] = found.body.outcomeIds as string[];
  const published = await outcomes.waitFor(clientToken, { timeoutMs: 20_000 });
  expect(
    published.map(({ event }) => [event.id, event.data.operation, event.data.status]),
    `outcomes of ${operation} ${clientToken}`,
  ).toEqual([[outcomeId, operation, 'SUCCEEDED']]);
};

describe('the sample events (events/)', () => {
  it('are every file of events/, listed in this order in the README', () => {
    // Prepare
    const files = ['http', 'sqs'].flatMap((dir) =>
      readdirSync(join(EVENTS_DIR, dir)).map((name) => `events/${dir}/${name}`),
    );
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Sample events\n'));
    const listed = [
      ...section
        .slice(0, section.indexOf('\n## ', 1))
        .matchAll(/^npm run invoke -- (http|queue) (events\/\S+\.json)$/gm),
    ].map(([, fn, file]) => ({ fn, file }));

    // Assess
    expect(SAMPLES.map(({ file }) => file).sort()).toEqual(files.sort());
    expect(listed).toEqual(SAMPLES.map(({ fn, file }) => ({ fn, file })));
  });

  it.each(SAMPLES)(
    'npm run invoke -- $fn $file succeeds on a fresh stack',
    async ({ fn, file, awsCalls, before }) => {
      // Prepare
      if (before) await waitForBuilder(before);

      // Act
      const callsBefore = (await stack.emulator.calls()).length;
      const run = await invoke(fn, file);
      const calls = (await stack.emulator.calls()).slice(callsBefore);

      // Assess
      expect(run.code, `${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`).toBe(0);
      const provisioning = calls.filter(({ operation }) => !BACKGROUND_CALLS.has(operation));
      expect(provisioning.map(({ operation }) => operation).sort()).toEqual(
        awsCalls.filter((operation) => !BACKGROUND_CALLS.has(operation)),
      );
      expect(provisioning.filter(({ error }) => error !== undefined)).toEqual([]);
      // The sample's own background-kind calls are among them, answered without an error.
      const answered = calls.filter(({ error }) => error === undefined).map((c) => c.operation);
      for (const operation of BACKGROUND_CALLS) {
        expect(count(answered, operation), operation).toBeGreaterThanOrEqual(
          count(awsCalls, operation),
        );
      }
      const result = handlerResult(run.stdout);
      if (fn === 'http') {
        const event = readEvent<APIGatewayProxyEventV2>(file);
        const operation = ROUTE_OPERATIONS[event.routeKey];
        expect(operation, event.routeKey).toBeDefined();
        expect(result.statusCode, JSON.stringify(result)).toBeGreaterThanOrEqual(200);
        expect(result.statusCode, JSON.stringify(result)).toBeLessThan(300);
        const token = (result.headers as Record<string, string> | undefined)?.['idempotency-key'];
        // A read has no clientToken over HTTP: it answers the caller only.
        if (!READS.has(operation as string)) {
          expect(token).toEqual(expect.any(String));
          await expectSucceeded(operation as string, token as string);
        }
      } else {
        expect(result).toEqual({ batchItemFailures: [] });
        for (const record of readEvent<SQSEvent>(file).Records) {
          const message = JSON.parse(record.body) as { operation: string; clientToken: string };
          await expectSucceeded(message.operation, message.clientToken);
        }
      }
    },
    INVOKE_TIMEOUT_MS,
  );
});
