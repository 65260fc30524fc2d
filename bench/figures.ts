import type { FigureSummary } from './stats.js';

/**
 * The figures `npm run bench` reports and the most each may be, as a ratio to the floor's in the
 * same run (README "Performance"). A figure without a target is shown for what it explains.
 */
export interface FigureDefinition {
  key: string;
  label: string;
  unit: 'bytes' | 'ms' | 'MiB' | '%';
  /** Project / floor must not exceed this. */
  target?: number;
}

export const FIGURES: readonly FigureDefinition[] = [
  { key: 'httpBytes', label: 'http bundle, minified bytes', unit: 'bytes', target: 1.15 },
  { key: 'queueBytes', label: 'queue bundle, minified bytes', unit: 'bytes', target: 1.15 },
  {
    key: 'cold',
    label: 'cold: process start + import + first HTTP invoke (median)',
    unit: 'ms',
    target: 1.0,
  },
  { key: 'coldWall', label: 'cold, whole process (spawn to exit)', unit: 'ms' },
  { key: 'import', label: 'import only', unit: 'ms' },
  { key: 'createP50', label: 'warm p50 Create', unit: 'ms', target: 1.1 },
  { key: 'getP50', label: 'warm p50 Get', unit: 'ms', target: 1.2 },
  { key: 'replayP50', label: 'warm p50 replay', unit: 'ms', target: 1.2 },
  { key: 'createP99', label: 'warm p99 Create', unit: 'ms', target: 1.25 },
  { key: 'getP99', label: 'warm p99 Get', unit: 'ms', target: 1.25 },
  { key: 'replayP99', label: 'warm p99 replay', unit: 'ms', target: 1.25 },
  { key: 'batchP50', label: 'queue batch of 10 (p50)', unit: 'ms', target: 1.05 },
  { key: 'rss2000', label: 'RSS after 2,000 invocations', unit: 'MiB', target: 1.1 },
];

/** RSS may move at most this much (either way) from 5,000 to 20,000 invocations. */
export const RSS_FLAT_TOLERANCE = 0.05;

export type Results = Record<string, FigureSummary>;

export interface Verdict {
  key: string;
  label: string;
  met: boolean;
  detail: string;
}

export const verdicts = (results: Results, rssGrowth: number): Verdict[] => {
  const byRatio = FIGURES.filter((figure) => figure.target !== undefined).map((figure) => {
    const ratio = results[figure.key]?.ratio ?? Number.NaN;
    const target = figure.target as number;
    return {
      key: figure.key,
      label: figure.label,
      met: ratio <= target,
      detail: `${ratio.toFixed(2)} (target ≤ ${target.toFixed(2)})`,
    };
  });
  return [
    ...byRatio,
    {
      key: 'rssFlat',
      label: 'RSS from 5,000 to 20,000 invocations',
      met: Math.abs(rssGrowth) <= RSS_FLAT_TOLERANCE,
      detail: `${(rssGrowth * 100).toFixed(1)} % (target within ±${RSS_FLAT_TOLERANCE * 100} %)`,
    },
  ];
};
