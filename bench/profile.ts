import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a process spent its CPU: a V8 CPU profile (`--cpu-prof`) of a bundle, its samples mapped
 * through the bundle's source map back to the package or source folder they ran in.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A source path as its package (`@smithy/core`) or its folder of the service (`src/channels`). */
export const ownerOf = (source: string): string => {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (inModules?.[1]) return inModules[1];
  const inProject = /(src|bench)\/([^/]+)/.exec(source);
  return inProject ? `${inProject[1]}/${inProject[2]}` : source;
};

export interface ProfileSummary {
  totalMs: number;
  /** Self time by owner, largest first. */
  owners: [string, number][];
  /** Self time by function (`owner name`), largest first. */
  functions: [string, number][];
}

const mapFor = (bundle: string): SourceMap | undefined => {
  try {
    return new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
  } catch {
    return undefined;
  }
};

/** Summarises the one profile written to `dir`; `bundle` is the file whose map names the code. */
export const summariseProfile = (dir: string, bundle: string): ProfileSummary => {
  const [file] = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no CPU profile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const map = mapFor(bundle);
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalMs = 0;
  for (const [id, ms] of selfMs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    totalMs += ms;
    let owner = frame.url ? frame.url : `(${frame.functionName || 'native'})`;
    let name = frame.functionName || '(anonymous)';
    if (frame.url.startsWith('file:') && fileURLToPath(frame.url) === bundle && map) {
      const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as {
        originalSource?: string;
        name?: string;
        originalLine?: number;
      };
      owner = entry.originalSource ? ownerOf(entry.originalSource) : 'bundle';
      name = `${entry.name ?? name}:${(entry.originalLine ?? 0) + 1}`;
    } else if (frame.url.startsWith('node:')) {
      owner = frame.url;
    }
    owners.set(owner, (owners.get(owner) ?? 0) + ms);
    const key = `${owner} ${name}`;
    functions.set(key, (functions.get(key) ?? 0) + ms);
  }
  const sorted = (totals: Map<string, number>) => [...totals].sort((a, b) => b[1] - a[1]);
  return { totalMs, owners: sorted(owners), functions: sorted(functions) };
};
