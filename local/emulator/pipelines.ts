import {
  DISTRIBUTION_CONFIGURATION_ARN_PATTERN,
  INFRASTRUCTURE_CONFIGURATION_ARN_PATTERN,
  RESOURCE_NAME_PATTERN,
} from './imagebuilderShapes.js';

/** What a stand-in pipeline uses: `{infrastructureConfigurationArn?, distributionConfigurationArn?}`. */
export interface PipelineUses {
  infrastructureConfigurationArn?: string;
  distributionConfigurationArn?: string;
}

const USES: ReadonlyArray<[keyof PipelineUses, RegExp]> = [
  ['infrastructureConfigurationArn', INFRASTRUCTURE_CONFIGURATION_ARN_PATTERN],
  ['distributionConfigurationArn', DISTRIBUTION_CONFIGURATION_ARN_PATTERN],
];

/** A pipeline name is an Image Builder ResourceName (com.amazonaws.imagebuilder#ResourceName). */
export function isPipelineName(name: string): boolean {
  return RESOURCE_NAME_PATTERN.test(name);
}

/**
 * Validates a control-API pipeline body: one or both configuration ARNs (model patterns), which
 * need not exist; returns them or a message describing the problem.
 */
export function parsePipelineUses(body: unknown): PipelineUses | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'the pipeline must be a JSON object';
  }
  const allowed = USES.map(([member]) => member);
  const extra = Object.keys(body).find((key) => !allowed.includes(key as keyof PipelineUses));
  if (extra !== undefined) return `'${extra}' is not allowed (allowed: ${allowed.join(', ')})`;
  const uses: PipelineUses = {};
  for (const [member, pattern] of USES) {
    const value = (body as Record<string, unknown>)[member];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !pattern.test(value)) {
      return `'${member}' must match ${pattern.source}`;
    }
    uses[member] = value;
  }
  if (Object.keys(uses).length === 0) return `give ${allowed.join(' and/or ')}`;
  return uses;
}
