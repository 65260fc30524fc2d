import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BuiltBundle,
  buildBundle,
  floorBuildOptions,
  functionEntries,
} from '../bench/build.js';
import { benchEvents } from '../bench/events.js';
import { FIGURES, type Results, verdicts } from '../bench/figures.js';
import {
  BENCH_TABLES,
  deployedMemorySize,
  deployedNodeOptions,
  lambdaEnvironment,
  runChild,
} from '../bench/processes.js';
import { type ProfileSummary, summariseProfile } from '../bench/profile.js';
import { type BenchReport, printTable, writeBenchmarks } from '../bench/report.js';
import { median, type Paired, quantile, summarise } from '../bench/stats.js';
import { makeCertificate, startStub } from '../bench/stub.js';

/**
 * npm run bench: the service's deployed bundles against the floor, the obvious minimal handler
 * making the same AWS calls (bench/floor/), built with the same esbuild settings (but the
 * service's aliases of SDK modules: bench/build.ts `floorBuildOptions`) and run side by
 * side in interleaved pairs against a loopback stub of every AWS endpoint. Prints the table,
 * writes BENCHMARKS.md, and exits 1 when a target is missed (2 when the two sides do not make
 * the same AWS calls, which would make the comparison meaningless).
 *
 * BENCH_REPETITIONS (default 15) sets the pairs of each figure.
 */

const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 15);
const HTTP_WARMUP_ROUNDS = 50;
/** The invocation after which each warm HTTP process reads its memory (the `rss2000` figure). */
const RSS_AFTER = 2_000;
/**
 * Counted rounds of create + get + replay per warm process, after the warm-up rounds: as many as
 * take it past `RSS_AFTER` invocations.
 */
const HTTP_ROUNDS = Math.ceil(RSS_AFTER / 3) - HTTP_WARMUP_ROUNDS;
/** Counted rounds of the profiled warm process. */
const PROFILE_ROUNDS = 300;
/** Counted queue batches per warm process, after the warm-up batches. */
const BATCH_ROUNDS = 30;
const BATCH_WARMUP_ROUNDS = 5;
/** The long run whose RSS is read after 2,000, 5,000, 10,000 and 20,000 invocations. */
const RSS_CHECKPOINTS = [RSS_AFTER, 5_000, 10_000, 20_000];

type Side = 'project' | 'floor';
const SIDES: readonly Side[] = ['project', 'floor'];

interface ColdResult {
  started: number;
  imported: number;
  invoked: number;
  cpuMs: number;
  failures: unknown[];
}

interface WarmResult {
  invocations: number;
  cpuMsPerInvocation: number;
  samples: Record<string, number[]>;
  rss: Record<string, number>;
  failures: unknown[];
}

const startedAt = performance.now();
const log = (line: string) =>
  process.stderr.write(
    `[bench] ${((performance.now() - startedAt) / 1000).toFixed(0)} s ${line}\n`,
  );

const workDir = mkdtempSync(join(tmpdir(), 'image-provisioner-bench-'));
const eventsFile = join(workDir, 'events.json');
writeFileSync(eventsFile, JSON.stringify(benchEvents()));

log('building the deployed bundles and the floor with serverless.yml custom.esbuild');
const projectBundles: Record<string, BuiltBundle> = {};
for (const [name, entry] of Object.entries(functionEntries())) {
  projectBundles[name] = await buildBundle(name, entry, join(workDir, 'project'));
}
const floorOptions = floorBuildOptions();
const floorBundles = {
  http: await buildBundle('http', 'bench/floor/http.ts', join(workDir, 'floor'), floorOptions),
  queue: await buildBundle('queue', 'bench/floor/queue.ts', join(workDir, 'floor'), floorOptions),
};
const bundleOf = (side: Side, fn: 'http' | 'queue'): BuiltBundle => {
  const bundle = side === 'project' ? projectBundles[fn] : floorBundles[fn];
  if (!bundle) throw new Error(`no ${fn} function in iac/functions.yml`);
  return bundle;
};

const certificate = makeCertificate(workDir);
const stub = await startStub({ idempotencyTable: BENCH_TABLES.idempotency, tls: certificate });
const memorySize = deployedMemorySize();
const nodeOptions = deployedNodeOptions();
const envOf = (side: Side, fn: string, extraNodeOptions = ''): NodeJS.ProcessEnv => {
  const env = lambdaEnvironment(stub.url, certificate.certFile, fn, memorySize);
  const options = [side === 'project' ? nodeOptions : undefined, extraNodeOptions]
    .filter(Boolean)
    .join(' ');
  return options ? { ...env, NODE_OPTIONS: options } : env;
};

const warm = (side: Side, fn: 'http' | 'queue', settings: object, extraNodeOptions = '') =>
  runChild<WarmResult>(
    { mode: 'warm', bundle: bundleOf(side, fn).file, events: eventsFile, settings },
    envOf(side, fn, extraNodeOptions),
  );
const cold = (side: Side) =>
  runChild<ColdResult>(
    { mode: 'cold', bundle: bundleOf(side, 'http').file, events: eventsFile },
    envOf(side, 'http'),
  );
const httpSettings = { rounds: HTTP_ROUNDS, warmupRounds: HTTP_WARMUP_ROUNDS, rssAt: [RSS_AFTER] };
const MiB = 1024 * 1024;
const queueSettings = {
  rounds: BATCH_ROUNDS,
  warmupRounds: BATCH_WARMUP_ROUNDS,
  kinds: ['batch'],
  batchSize: 10,
};

const failed = (side: Side, what: string, failures: unknown[]) => {
  if (failures.length === 0) return;
  throw new Error(`${side} ${what}: unexpected answers ${JSON.stringify(failures).slice(0, 2000)}`);
};

// 1. Both sides make the same AWS calls, or the comparison means nothing.
log('checking that both sides make the same AWS calls');
/** Bytes sent to AWS per scenario and side: the same calls may still carry more or less. */
const requestBytes: Record<string, Record<Side, number>> = {};
const callsOf = async (side: Side, fn: 'http' | 'queue', settings: object) => {
  stub.takeRequests();
  const run = await warm(side, fn, { ...settings, rounds: 1, warmupRounds: 0 });
  failed(side, fn, run.result.failures);
  const requests = stub.takeRequests();
  const bytes = requests.reduce((sum, request) => sum + request.bytes, 0);
  requestBytes[fn] = { project: 0, floor: 0, ...requestBytes[fn], [side]: bytes };
  const calls = requests.map((request) => request.call);
  // The records of a batch run at once: their calls interleave in any order.
  return fn === 'queue' ? calls.sort() : calls;
};
const sameCalls: Record<string, string[]> = {};
for (const [fn, settings] of [
  ['http', httpSettings],
  ['queue', queueSettings],
] as const) {
  const project = await callsOf('project', fn, settings);
  const floor = await callsOf('floor', fn, settings);
  if (JSON.stringify(project) !== JSON.stringify(floor)) {
    log(`${fn}: the project calls ${project.join(', ')}`);
    log(`${fn}: the floor calls ${floor.join(', ')}`);
    process.exit(2);
  }
  sameCalls[fn] = project;
}

// 2. Interleaved pairs: each repetition runs every measurement on both sides, in turn, the side
// that goes first alternating.
const paired = (): Paired => ({ project: [], floor: [] });
const figures: Record<string, Paired> = Object.fromEntries(
  FIGURES.map(({ key }) => [key, paired()]),
);
const outputBytes: Record<Side, number[]> = { project: [], floor: [] };
/** CPU a cold start and a warm invocation of each kind take: what Lambda's memory setting scales. */
const cpu: Record<string, Record<Side, number[]>> = {
  cold: { project: [], floor: [] },
  http: { project: [], floor: [] },
  batch: { project: [], floor: [] },
};
const loadBefore = (await import('node:os')).loadavg();
const began = performance.now();
log('warm-up pair (not counted)');
for (const side of SIDES) await cold(side);

for (let rep = 0; rep < REPETITIONS; rep += 1) {
  const order = rep % 2 === 0 ? SIDES : [...SIDES].reverse();
  for (const side of order) {
    const run = await cold(side);
    failed(side, 'cold start', run.result.failures);
    figures.cold?.[side].push(run.result.invoked);
    figures.coldWall?.[side].push(run.wallMs);
    figures.import?.[side].push(run.result.imported);
    cpu.cold?.[side].push(run.result.cpuMs);
  }
  for (const side of order) {
    const run = await warm(side, 'http', httpSettings);
    failed(side, 'http', run.result.failures);
    const { create = [], get = [], replay = [] } = run.result.samples;
    figures.createP50?.[side].push(quantile(create, 0.5));
    figures.getP50?.[side].push(quantile(get, 0.5));
    figures.replayP50?.[side].push(quantile(replay, 0.5));
    figures.createP99?.[side].push(quantile(create, 0.99));
    figures.getP99?.[side].push(quantile(get, 0.99));
    figures.replayP99?.[side].push(quantile(replay, 0.99));
    outputBytes[side].push(run.outputBytes / run.result.invocations);
    cpu.http?.[side].push(run.result.cpuMsPerInvocation);
    // One process is not a figure: V8 grows its young generation in steps, and one may fall
    // either side of 2,000.
    figures.rss2000?.[side].push((run.result.rss[RSS_AFTER] ?? 0) / MiB);
  }
  for (const side of order) {
    const run = await warm(side, 'queue', queueSettings);
    failed(side, 'queue', run.result.failures);
    figures.batchP50?.[side].push(quantile(run.result.samples.batch ?? [], 0.5));
    cpu.batch?.[side].push(run.result.cpuMsPerInvocation);
  }
  log(`repetition ${rep + 1}/${REPETITIONS}`);
}

// 3. Memory over a long life: both sides at once (memory does not mind sharing the cores).
log(`RSS over ${RSS_CHECKPOINTS.at(-1)} invocations, both sides at once`);
const longRounds = Math.ceil((RSS_CHECKPOINTS.at(-1) as number) / 3);
const long = await Promise.all(
  SIDES.map((side) =>
    warm(side, 'http', { rounds: longRounds, warmupRounds: 0, rssAt: RSS_CHECKPOINTS }),
  ),
);
const rssOf = (side: Side) => (long[SIDES.indexOf(side)] as { result: WarmResult }).result.rss;
for (const side of SIDES)
  failed(side, 'long run', long[SIDES.indexOf(side)]?.result.failures ?? []);
const growth = (side: Side) => {
  const rss = rssOf(side);
  return ((rss['20000'] ?? 0) - (rss['5000'] ?? 0)) / (rss['5000'] ?? 1);
};

for (const [fn, key] of [
  ['http', 'httpBytes'],
  ['queue', 'queueBytes'],
] as const) {
  figures[key]?.project.push(bundleOf('project', fn).bytes);
  figures[key]?.floor.push(bundleOf('floor', fn).bytes);
}
const elapsedS = (performance.now() - began) / 1000;

// 4. Where each side's time goes: a CPU profile of a warm HTTP process and of a cold start.
log('profiling');
const profile = async (side: Side, mode: 'warm' | 'cold'): Promise<ProfileSummary> => {
  const dir = mkdtempSync(join(workDir, `profile-${side}-${mode}-`));
  const flags = `--cpu-prof --cpu-prof-dir=${dir} --cpu-prof-interval=${mode === 'cold' ? 100 : 500}`;
  if (mode === 'cold') {
    await runChild(
      { mode: 'cold', bundle: bundleOf(side, 'http').file, events: eventsFile },
      envOf(side, 'http', flags),
    );
  } else {
    // Enough rounds for a profile; the figures' processes run longer only to reach `RSS_AFTER`.
    await warm(side, 'http', { rounds: PROFILE_ROUNDS, warmupRounds: HTTP_WARMUP_ROUNDS }, flags);
  }
  return summariseProfile(dir, bundleOf(side, 'http').file);
};
const profiles = {
  warm: { project: await profile('project', 'warm'), floor: await profile('floor', 'warm') },
  cold: { project: await profile('project', 'cold'), floor: await profile('floor', 'cold') },
};
await stub.close();
const loadAfter = (await import('node:os')).loadavg();

const results: Results = Object.fromEntries(
  Object.entries(figures).map(([key, values]) => [key, summarise(values)]),
);
const report: BenchReport = {
  results,
  verdicts: verdicts(results, growth('project')),
  rss: { project: rssOf('project'), floor: rssOf('floor') },
  rssGrowth: { project: growth('project'), floor: growth('floor') },
  repetitions: REPETITIONS,
  samples: { httpRounds: HTTP_ROUNDS, batchRounds: BATCH_ROUNDS, profileRounds: PROFILE_ROUNDS },
  load: { before: loadBefore, after: loadAfter },
  elapsedS,
  calls: sameCalls,
  requestBytes,
  logBytesPerInvocation: { project: median(outputBytes.project), floor: median(outputBytes.floor) },
  cpuMs: Object.fromEntries(
    Object.entries(cpu).map(([kind, sides]) => [
      kind,
      { project: median(sides.project), floor: median(sides.floor) },
    ]),
  ),
  bundles: Object.fromEntries(
    Object.entries(projectBundles).map(([name, bundle]) => [name, bundle.bytes]),
  ),
  composition: projectBundles.http?.metafile,
  profiles,
  nodeOptions,
  memorySize,
};
printTable(report);
writeBenchmarks(report);
rmSync(workDir, { recursive: true, force: true });
const missed = report.verdicts.filter((verdict) => !verdict.met);
for (const verdict of missed) log(`target missed: ${verdict.label}: ${verdict.detail}`);
process.exit(missed.length === 0 ? 0 : 1);
