/** Order statistics of a benchmark's samples. */

export const quantile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: a value that was measured, never an interpolation.
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
};

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** One figure over the repetitions: each side's value per repetition, paired by repetition. */
export interface Paired {
  project: number[];
  floor: number[];
}

export interface FigureSummary {
  project: number;
  floor: number;
  /** The median of the pairwise ratios project / floor. */
  ratio: number;
  projectSpread: [number, number];
  floorSpread: [number, number];
  ratioSpread: [number, number];
}

const spread = (values: readonly number[]): [number, number] => [
  Math.min(...values),
  Math.max(...values),
];

export const summarise = ({ project, floor }: Paired): FigureSummary => {
  const ratios = project.map((value, index) => value / (floor[index] as number));
  return {
    project: median(project),
    floor: median(floor),
    ratio: median(ratios),
    projectSpread: spread(project),
    floorSpread: spread(floor),
    ratioSpread: spread(ratios),
  };
};
