import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { bundleComposition, projectRoot } from './build.js';
import { FIGURES, type Results, type Verdict } from './figures.js';
import { projectNode } from './processes.js';
import type { ProfileSummary } from './profile.js';

/** The table on the terminal, and BENCHMARKS.md with the run's conditions and what changed. */

export interface BenchReport {
  results: Results;
  verdicts: Verdict[];
  rss: Record<'project' | 'floor', Record<string, number>>;
  rssGrowth: Record<'project' | 'floor', number>;
  repetitions: number;
  samples: { httpRounds: number; batchRounds: number; profileRounds: number };
  load: { before: number[]; after: number[] };
  elapsedS: number;
  calls: Record<string, string[]>;
  /** Bytes sent to AWS in the calls check: HTTP (a create, a get, a replay), queue (a batch). */
  requestBytes: Record<string, Record<'project' | 'floor', number>>;
  logBytesPerInvocation: Record<'project' | 'floor', number>;
  /** Median CPU ms of a cold start (`cold`), a warm HTTP invocation (`http`), a batch (`batch`). */
  cpuMs: Record<string, Record<'project' | 'floor', number>>;
  bundles: Record<string, number>;
  composition: Metafile | undefined;
  profiles: Record<'warm' | 'cold', Record<'project' | 'floor', ProfileSummary>>;
  nodeOptions: string | undefined;
  memorySize: number;
}

const BENCHMARKS = join(projectRoot, 'BENCHMARKS.md');
/** Lambda memory sizes the CPU figures are projected to. */
const MEMORY_SIZES = [256, 512, 1024, 1769];
const ONE_VCPU_MB = 1769;

const cpuRow = (report: BenchReport, kind: string): string[] => {
  const { project = Number.NaN, floor = Number.NaN } = report.cpuMs[kind] ?? {};
  return [
    project.toFixed(kind === 'http' ? 2 : 0),
    floor.toFixed(kind === 'http' ? 2 : 0),
    ...MEMORY_SIZES.map((mb) =>
      (project * Math.max(1, ONE_VCPU_MB / mb)).toFixed(kind === 'http' ? 1 : 0),
    ),
  ];
};
/** The previous run's figures, kept in BENCHMARKS.md for the next run to compare with. */
const DATA_MARK = '<!-- bench-data ';

const format = (value: number, unit: string): string => {
  if (unit === 'bytes') return Math.round(value).toLocaleString('en-US');
  if (unit === 'MiB') return value.toFixed(1);
  return value < 10 ? value.toFixed(2) : value.toFixed(0);
};

const rows = (report: BenchReport): string[][] =>
  FIGURES.map((figure) => {
    const result = report.results[figure.key];
    if (!result) return [figure.label, '-', '-', '-', '-', '-'];
    const spread = (range: [number, number]) =>
      figure.unit === 'bytes'
        ? ''
        : ` (${format(range[0], figure.unit)}-${format(range[1], figure.unit)})`;
    const verdict = report.verdicts.find((v) => v.key === figure.key);
    return [
      `${figure.label}${figure.unit === 'bytes' ? '' : `, ${figure.unit}`}`,
      `${format(result.project, figure.unit)}${spread(result.projectSpread)}`,
      `${format(result.floor, figure.unit)}${spread(result.floorSpread)}`,
      `${result.ratio.toFixed(2)}${figure.unit === 'bytes' ? '' : ` (${result.ratioSpread[0].toFixed(2)}-${result.ratioSpread[1].toFixed(2)})`}`,
      figure.target === undefined ? '' : `≤ ${figure.target.toFixed(2)}`,
      verdict ? (verdict.met ? 'met' : '**missed**') : '',
    ];
  });

const HEADER = ['figure', 'project (min-max)', 'floor (min-max)', 'ratio (min-max)', 'target', ''];

const markdownTable = (header: string[], body: string[][]): string =>
  [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...body.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

export const printTable = (report: BenchReport): void => {
  const body = rows(report);
  const widths = HEADER.map((_, i) =>
    Math.max(...[HEADER, ...body].map((row) => row[i]?.length ?? 0)),
  );
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(`${[line(HEADER), ...body.map(line)].join('\n')}\n`);
  const flat = report.verdicts.find((v) => v.key === 'rssFlat');
  if (flat) process.stdout.write(`${flat.label}: ${flat.detail} ${flat.met ? 'met' : 'MISSED'}\n`);
};

const git = (...args: string[]): string => {
  try {
    return execFileSync('git', args, { cwd: projectRoot, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

const versionOf = (name: string): string => {
  try {
    const file = join(projectRoot, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
};

const PACKAGES = [
  'esbuild',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-imagebuilder',
  '@aws-sdk/client-appstream',
  '@aws-sdk/client-sns',
  '@aws-sdk/client-sqs',
  '@smithy/core',
  '@aws-lambda-powertools/logger',
  '@aws-lambda-powertools/idempotency',
  '@aws-lambda-powertools/batch',
  '@aws-lambda-powertools/metrics',
  '@middy/core',
  'zod',
];

interface Previous {
  commit: string;
  date: string;
  figures: Record<string, { project: number; floor: number; ratio: number }>;
}

const previousRun = (): Previous | undefined => {
  if (!existsSync(BENCHMARKS)) return undefined;
  const text = readFileSync(BENCHMARKS, 'utf8');
  const start = text.lastIndexOf(DATA_MARK);
  if (start === -1) return undefined;
  const end = text.indexOf(' -->', start);
  try {
    return JSON.parse(text.slice(start + DATA_MARK.length, end)) as Previous;
  } catch {
    return undefined;
  }
};

const changesSince = (previous: Previous | undefined, report: BenchReport): string => {
  if (!previous) return 'No earlier run in this file.';
  const commits = git(
    'log',
    '--format=- %h %s',
    `${previous.commit}..HEAD`,
    '--',
    'src',
    'serverless.yml',
    'package-lock.json',
    'bench',
  );
  const moved = FIGURES.flatMap((figure) => {
    const before = previous.figures[figure.key];
    const now = report.results[figure.key];
    if (!before || !now) return [];
    return [
      `| ${figure.label} | ${format(before.project, figure.unit)} → ${format(now.project, figure.unit)} | ${format(before.floor, figure.unit)} → ${format(now.floor, figure.unit)} | ${before.ratio.toFixed(2)} → ${now.ratio.toFixed(2)} |`,
    ];
  });
  return [
    `Since the run of ${previous.date} at \`${previous.commit.slice(0, 7)}\`:`,
    '',
    commits
      ? `Commits touching the service, its build or the benchmark:\n\n${commits}`
      : 'No commit touched the service, its build or the benchmark.',
    '',
    '| figure | project | floor | ratio |',
    '|---|---|---|---|',
    ...moved,
  ].join('\n');
};

const ms = (value: number) => `${value.toFixed(0)} ms`;

const profileTable = (profiles: Record<'project' | 'floor', ProfileSummary>, top = 12): string => {
  const owners = new Set<string>();
  for (const side of ['project', 'floor'] as const) {
    for (const [owner] of profiles[side].owners.slice(0, top)) owners.add(owner);
  }
  const share = (side: 'project' | 'floor', owner: string) =>
    ms(profiles[side].owners.find(([name]) => name === owner)?.[1] ?? 0);
  return markdownTable(
    ['where (self time)', 'project', 'floor'],
    [
      ['total sampled', ms(profiles.project.totalMs), ms(profiles.floor.totalMs)],
      ...[...owners].map((owner) => [owner, share('project', owner), share('floor', owner)]),
    ],
  );
};

/**
 * What stands between the project and the floor in one profile: the owners on which the project
 * spends more self time than the floor does, largest difference first.
 */
const beyondFloorTable = (
  profiles: Record<'project' | 'floor', ProfileSummary>,
  top = 12,
): string => {
  const floor = new Map(profiles.floor.owners);
  const rows = profiles.project.owners
    .map(([owner, spent]) => ({ owner, spent, extra: spent - (floor.get(owner) ?? 0) }))
    .filter(({ extra }) => extra >= 1)
    .sort((a, b) => b.extra - a.extra)
    .slice(0, top);
  return markdownTable(
    ['where (self time)', 'project', 'floor', 'project − floor'],
    rows.map(({ owner, spent, extra }) => [owner, ms(spent), ms(spent - extra), ms(extra)]),
  );
};

/** Code the floor does not run: the service's own, Powertools, middy and zod. */
const BEYOND_FLOOR_CODE = /^(src\/|@aws-lambda-powertools\/|@middy\/|zod )/;

/** The functions of that code the project spends most self time in. */
const ownFunctionsTable = (profile: ProfileSummary, top = 15): string =>
  markdownTable(
    ['function (package or folder, name:line)', 'self time'],
    profile.functions
      .filter(([name]) => BEYOND_FLOOR_CODE.test(name))
      .slice(0, top)
      .map(([name, spent]) => [name, ms(spent)]),
  );

export const writeBenchmarks = (report: BenchReport): void => {
  const previous = previousRun();
  const commit = git('rev-parse', 'HEAD');
  const dirty = git(
    'status',
    '--porcelain',
    '--',
    'src',
    'serverless.yml',
    'bench',
    'package-lock.json',
  );
  const date = new Date().toISOString();
  const nodeVersion = execFileSync(projectNode, ['--version'], { encoding: 'utf8' }).trim();
  const cpu = cpus();
  const composition = report.composition ? bundleComposition(report.composition).slice(0, 12) : [];
  const flat = report.verdicts.find((v) => v.key === 'rssFlat');
  const rssRows = Object.keys(report.rss.project).map((at) => [
    Number(at).toLocaleString('en-US'),
    ((report.rss.project[at] ?? 0) / 1048576).toFixed(1),
    ((report.rss.floor[at] ?? 0) / 1048576).toFixed(1),
  ]);
  const data: Previous = {
    commit,
    date,
    figures: Object.fromEntries(
      Object.entries(report.results).map(([key, r]) => [
        key,
        { project: r.project, floor: r.floor, ratio: r.ratio },
      ]),
    ),
  };
  const missed = report.verdicts.filter((v) => !v.met);
  const text = `# Benchmarks

Written by \`npm run bench\` (scripts/bench.ts; README "Performance"): the deployed bundles against
the floor, the obvious minimal handler making the same AWS calls with default SDK settings
(\`bench/floor/\`), both built with serverless.yml \`custom.esbuild\`, each figure over
${report.repetitions} interleaved pairs of fresh processes; AWS on a loopback stub that answers at
once (\`bench/stub.ts\`), so only the functions' own cost is measured. Medians, with the range over
the pairs; a ratio is the median of the pairwise ratios project / floor.

## Last run

${date}, commit \`${commit.slice(0, 7)}\`${dirty ? ' with uncommitted changes' : ''}; ${report.elapsedS.toFixed(0)} s of measuring.
${missed.length === 0 ? '**Every target met.**' : `**Missed:** ${missed.map((v) => `${v.label} ${v.detail}`).join('; ')}.`}

${markdownTable(HEADER, rows(report))}

RSS from 5,000 to 20,000 invocations: project ${flat?.detail ?? '-'}${flat ? (flat.met ? ', met' : ', **missed**') : ''}; floor ${(report.rssGrowth.floor * 100).toFixed(1)} %.

| RSS after invocations | project, MiB | floor, MiB |
|---|---|---|
${rssRows.map((row) => `| ${row.join(' | ')} |`).join('\n')}

## Conditions

- Machine: ${cpu.length} × ${cpu[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${platform()} ${release()}; load average (1, 5, 15 min) ${report.load.before.map((l) => l.toFixed(2)).join(', ')} before, ${report.load.after.map((l) => l.toFixed(2)).join(', ')} after (now ${loadavg()
    .map((l) => l.toFixed(2))
    .join(', ')}).
- Node ${nodeVersion} (the \`node\` dev dependency); the project's processes with its deployed \`NODE_OPTIONS\` (${report.nodeOptions ? `\`${report.nodeOptions}\`` : 'none'}), the floor's with none; Lambda's environment (region, credentials, function name, ${report.memorySize} MB) and the V8 heap limits Lambda's Node.js runtime derives from the memory (\`bench/processes.ts\`).
- Packages: ${PACKAGES.map((name) => `${name} ${versionOf(name)}`).join(', ')}.
- Per pair: one cold start each (import the bundle, one HTTP create); one warm process each of ${report.samples.httpRounds} counted rounds of create, get and replay after warm-up, its RSS read after its 2,000th invocation; one warm queue process each of ${report.samples.batchRounds} counted batches of 10 creates. RSS from 5,000 to 20,000 invocations from one process per side of 20,000 invocations, the two run at once.
- Function output (logs) per HTTP invocation: project ${report.logBytesPerInvocation.project.toFixed(0)} bytes, floor ${report.logBytesPerInvocation.floor.toFixed(0)}.

Both sides make the same AWS calls (checked every run; a difference stops it):

- HTTP, a create, a get, a replay: ${report.calls.http?.join(', ')}
- queue, one batch of 10 creates: ${report.calls.queue?.length ?? 0} calls (${[...new Set(report.calls.queue)].map((op) => `${op} ×${report.calls.queue?.filter((c) => c === op).length}`).join(', ')})

## Memory and CPU

Lambda gives a function CPU in proportion to its memory (1,769 MB is one vCPU), so the CPU the
functions spend, measured here on a whole core, stretches by 1,769 / memory where memory is
smaller. serverless.yml's memory (\`provider.memorySize\`, ${report.memorySize} MB now) is chosen from these:

${markdownTable(
  ['', 'project', 'floor', ...MEMORY_SIZES.map((mb) => `project at ${mb} MB`)],
  [
    ['CPU of a cold start (process, import, first create), ms', ...cpuRow(report, 'cold')],
    ['CPU of a warm HTTP invocation (create, get, replay alike), ms', ...cpuRow(report, 'http')],
    ['CPU of a queue batch of 10, ms', ...cpuRow(report, 'batch')],
    [
      'RSS after 20,000 invocations, MiB',
      ((report.rss.project['20000'] ?? 0) / 1048576).toFixed(0),
      ((report.rss.floor['20000'] ?? 0) / 1048576).toFixed(0),
      ...MEMORY_SIZES.map(
        (mb) => `${((100 * (report.rss.project['20000'] ?? 0)) / 1048576 / mb).toFixed(0)} % of it`,
      ),
    ],
  ],
)}

Bytes sent to AWS (headers and bodies) for those: HTTP project ${report.requestBytes.http?.project.toLocaleString('en-US')}, floor ${report.requestBytes.http?.floor.toLocaleString('en-US')}; queue project ${report.requestBytes.queue?.project.toLocaleString('en-US')}, floor ${report.requestBytes.queue?.floor.toLocaleString('en-US')}.

## Bundles

${Object.entries(report.bundles)
  .map(([name, bytes]) => `- ${name}: ${bytes.toLocaleString('en-US')} bytes`)
  .join('\n')}

The http bundle by package (bytes in the output):

${markdownTable(
  ['package or folder', 'bytes'],
  composition.map(([name, bytes]) => [name, bytes.toLocaleString('en-US')]),
)}

## Where the time goes

CPU profiles of one warm HTTP process per side (${report.samples.profileRounds} rounds after warm-up; self time by package, mapped through each bundle's source map):

${profileTable(report.profiles.warm)}

Where the project spends more than the floor in those processes, largest difference first:

${beyondFloorTable(report.profiles.warm)}

Its own code and the libraries the floor does not load (Powertools, middy, zod), by function:

${ownFunctionsTable(report.profiles.warm.project)}

And of one cold start per side (process start, import, first create):

${profileTable(report.profiles.cold)}

## What changed since the last run

${changesSince(previous, report)}

${DATA_MARK}${JSON.stringify(data)} -->
`;
  writeFileSync(BENCHMARKS, text);
};
