// One Lambda execution environment, as the benchmark starts it: a fresh Node process that imports
// a handler bundle and invokes it the way the Lambda runtime does. Plain JavaScript, so nothing
// but the bundle is loaded. What it measured goes to file descriptor 3 as one JSON line; the
// function's own output (its logs) goes to standard output, as in Lambda.
//
// node bench/invoke.mjs <cold|warm> <bundle.mjs> <events.json> [settings JSON]

import { randomUUID } from 'node:crypto';
import { readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [mode, bundle, eventsFile, settingsText = '{}'] = process.argv.slice(2);
const settings = JSON.parse(settingsText);
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const TOKEN = '@TOKEN@';
const createText = JSON.stringify(events.create);
const recordText = JSON.stringify(events.record);

/** A Lambda context with the function's timeout (ms) from now. */
let invocations = 0;
const contextOf = (timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  invocations += 1;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: `00000000-0000-4000-8000-${String(invocations).padStart(12, '0')}`,
    logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done() {},
    fail() {},
    succeed() {},
  };
};

const createEvent = (token) => JSON.parse(createText.replace(TOKEN, token));
const batchEvent = (size) => ({
  Records: Array.from({ length: size }, (_, i) =>
    JSON.parse(
      recordText.replace(TOKEN, randomUUID()).replace(/"messageId":"[^"]*"/, `"messageId":"m${i}"`),
    ),
  ),
});

const report = (result) => writeSync(3, `${JSON.stringify(result)}\n`);

const started = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const imported = performance.now();

const httpTimeout = settings.httpTimeoutMs ?? 10_000;
const queueTimeout = settings.queueTimeoutMs ?? 30_000;
const failures = [];
const expect = (what, result, ok) => {
  if (!ok && failures.length < 5) failures.push({ what, result });
};

if (mode === 'cold') {
  const result = await handler(createEvent(randomUUID()), contextOf(httpTimeout));
  const invoked = performance.now();
  expect('create', result, result?.statusCode === 201);
  const { user, system } = process.cpuUsage();
  report({ started, imported, invoked, cpuMs: (user + system) / 1000, failures });
  process.exit(0);
}

// warm: rounds of each kind of invocation the bundle serves (create, get and replay over HTTP;
// batches of SQS records), each round in the same order.
const {
  rounds = 300,
  warmupRounds = 50,
  batchSize = 10,
  kinds = ['create', 'get', 'replay'],
} = settings;
const rssAt = new Set(settings.rssAt ?? []);
const rss = {};
const samples = Object.fromEntries(kinds.map((kind) => [kind, []]));
const replayToken = randomUUID();
const created = (result) => result?.statusCode === 201;
const invocationsOf = {
  create: () => [createEvent(randomUUID()), httpTimeout, created],
  get: () => [events.get, httpTimeout, (result) => result?.statusCode === 200],
  replay: () => [createEvent(replayToken), httpTimeout, created],
  seed: () => [createEvent(replayToken), httpTimeout, created],
  batch: () => [
    batchEvent(batchSize),
    queueTimeout,
    (result) => Array.isArray(result?.batchItemFailures) && result.batchItemFailures.length === 0,
  ],
};
const invoke = async (kind, counted) => {
  const [event, timeoutMs, ok] = invocationsOf[kind]();
  const t0 = performance.now();
  const result = await handler(event, contextOf(timeoutMs));
  const t1 = performance.now();
  if (rssAt.has(invocations)) rss[invocations] = process.memoryUsage.rss();
  expect(kind, result, ok(result));
  if (counted) samples[kind].push(t1 - t0);
};

// The token every replay repeats, created once.
if (kinds.includes('replay')) await invoke('seed', false);
let counted;
for (let round = 0; round < warmupRounds + rounds; round += 1) {
  if (round === warmupRounds) counted = { cpu: process.cpuUsage(), invocations };
  for (const kind of kinds) await invoke(kind, round >= warmupRounds);
}
// CPU per counted invocation: what the function itself spends, whatever the clock says.
const cpu = process.cpuUsage(counted?.cpu);
const cpuMsPerInvocation =
  (cpu.user + cpu.system) / 1000 / (invocations - (counted?.invocations ?? 0));
report({ started, imported, invocations, samples, rss, cpuMsPerInvocation, failures });
process.exit(0);
