import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The layers of src/, as the README's "Layout" section draws them: each part may import only the
 * parts listed for it. A new import across parts either fits this map or fails here.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
const SRC = join(ROOT, 'src');

/** Each part of src/ and the parts it may import (its own files always). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  'handlers/': ['composition.ts', 'config.ts', 'channels/'],
  'composition.ts': [
    'config.ts',
    'aws/',
    'channels/',
    'provisioning/',
    'outbox/',
    'readiness/',
    'ledger/',
    'guardrails/',
    'outcomes/',
    'basics/',
  ],
  'config.ts': ['guardrails/', 'provisioning/', 'ledger/', 'basics/'],
  'channels/': ['provisioning/', 'outbox/', 'readiness/', 'operations/', 'ledger/', 'basics/'],
  'provisioning/': ['operations/', 'guardrails/', 'ledger/', 'outcomes/', 'basics/'],
  'outbox/': ['ledger/', 'outcomes/', 'basics/'],
  'readiness/': ['operations/', 'ledger/', 'outcomes/', 'basics/'],
  'ledger/': ['outcomes/', 'basics/'],
  'guardrails/': ['operations/', 'basics/'],
  'operations/': ['basics/'],
  'outcomes/': ['basics/'],
  'aws/': ['basics/'],
  'basics/': [],
};

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

/** Relative module specifiers of a file: static imports, re-exports and dynamic imports. */
const relativeImports = (file: string): string[] => {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms),
    ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g),
  ].map((match) => match[1] ?? '');
  return specifiers.filter((specifier) => specifier.startsWith('.'));
};

/** The part a path of src/ belongs to: its first folder ('x/'), or the file at the top. */
const partOf = (path: string): string => {
  const [first, ...rest] = relative(SRC, path).split('/');
  return rest.length > 0 ? `${first}/` : (first ?? '');
};

interface Edge {
  from: string;
  to: string;
}

const edges = (): Edge[] =>
  sourceFiles(SRC).flatMap((file) =>
    relativeImports(file).map((specifier) => ({
      from: file,
      to: resolve(dirname(file), specifier).replace(/\.js$/, '.ts'),
    })),
  );

const show = ({ from, to }: Edge) => `${relative(ROOT, from)} -> ${relative(ROOT, to)}`;

/** Edges of the folder graph that close a loop, if any (depth-first search). */
const cycleIn = (graph: Map<string, Set<string>>): string[] | undefined => {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
};

describe('the layers of src/', () => {
  it('names every part of src/ in the map', () => {
    // Prepare
    const parts = new Set(sourceFiles(SRC).map(partOf));

    // Assess
    expect([...parts].sort()).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  it('imports only what the map allows', () => {
    // Act
    const forbidden = edges().filter(({ from, to }) => {
      const source = partOf(from);
      const target = partOf(to);
      if (!to.startsWith(`${SRC}/`)) return true; // src/ never reaches into local/, test/, ...
      return source !== target && !MAY_IMPORT[source]?.includes(target);
    });

    // Assess
    expect(forbidden.map(show)).toEqual([]);
  });

  it('has no loop between parts, and none between files', () => {
    // Prepare
    const byPart = new Map<string, Set<string>>();
    const byFile = new Map<string, Set<string>>();
    for (const { from, to } of edges()) {
      if (partOf(from) !== partOf(to)) {
        byPart.set(partOf(from), (byPart.get(partOf(from)) ?? new Set()).add(partOf(to)));
      }
      byFile.set(from, (byFile.get(from) ?? new Set()).add(to));
    }

    // Act
    const partLoop = cycleIn(byPart);
    const fileLoop = cycleIn(byFile)?.map((file) => relative(ROOT, file));

    // Assess
    expect(partLoop).toBeUndefined();
    expect(fileLoop).toBeUndefined();
  });

  it('keeps basics/ a leaf that imports nothing of the service', () => {
    // Act
    const fromShared = edges().filter(
      ({ from, to }) => partOf(from) === 'basics/' && partOf(to) !== 'basics/',
    );

    // Assess
    expect(fromShared.map(show)).toEqual([]);
  });

  it('is the map the README draws', () => {
    // Prepare
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| [^|]+ \| `src\/([^`]+)` \|[^|]*\| ([^|]*) \|$/gm)];

    // Act
    const drawn = Object.fromEntries(
      rows.map(([, part = '', allowed = '']) => [
        part,
        [...allowed.matchAll(/`([^`]+)`/g)].map(([, name = '']) => name).sort(),
      ]),
    );

    // Assess
    expect(drawn).toEqual(
      Object.fromEntries(
        Object.entries(MAY_IMPORT).map(([part, allowed]) => [part, [...allowed].sort()]),
      ),
    );
  });
});
