import type { FateRecord } from './builderFates.js';
import type { BuilderTransition } from './builderLifecycle.js';

/**
 * In-memory resources of both emulated services, the clientToken memory of Image Builder, the
 * image builder fates and the stand-in image pipelines.
 */
export type JsonObject = Record<string, unknown>;

/** A TagMap as the services store it (com.amazonaws.imagebuilder#TagMap, com.amazonaws.appstream#Tags). */
export type TagMap = Record<string, string>;

export interface InfrastructureConfigurationRecord {
  arn: string;
  name: string;
  /** Members that UpdateInfrastructureConfiguration replaces as a whole. */
  mutable: JsonObject;
  /** As given on create or by TagResource/UntagResource; absent or empty when it has none. */
  tags?: TagMap;
  dateCreated: string;
  dateUpdated?: string;
}

export interface DistributionConfigurationRecord {
  arn: string;
  name: string;
  /** What UpdateDistributionConfiguration replaces: `description` and `distributions`. */
  description?: string;
  distributions: JsonObject[];
  tags?: TagMap;
  dateCreated: string;
  dateUpdated?: string;
}

/**
 * An image pipeline stand-in (control API only: the emulator has no pipeline operations) that
 * makes the configurations it names undeletable, as a pipeline using them does in Image Builder.
 */
export interface PipelineRecord {
  name: string;
  arn: string;
  infrastructureConfigurationArn?: string;
  distributionConfigurationArn?: string;
}

export interface ImageBuilderRecord {
  /** The `ImageBuilder` output structure without `State` (derived from `createdAtMs`). */
  builder: JsonObject;
  createdAtMs: number;
  /** The latest StopImageBuilder/StartImageBuilder/DeleteImageBuilder; its state wins. */
  transition?: BuilderTransition;
  /** Read with ListTagsForResource, never returned by CreateImageBuilder/DescribeImageBuilders. */
  tags?: TagMap;
  softwaresToInstall?: unknown;
  softwaresToUninstall?: unknown;
}

interface RememberedResponse {
  fingerprint: string;
  body: JsonObject;
}

export class ResourceStore {
  public readonly infrastructureConfigurations = new Map<
    string,
    InfrastructureConfigurationRecord
  >();
  public readonly distributionConfigurations = new Map<string, DistributionConfigurationRecord>();
  /** Keyed by image builder Name (names are unique per account and Region). */
  public readonly imageBuilders = new Map<string, ImageBuilderRecord>();
  /** Fates set through the control API, keyed by image builder Name (existing or not yet). */
  public readonly builderFates = new Map<string, FateRecord>();
  /** Stand-in image pipelines set through the control API, keyed by name. */
  public readonly pipelines = new Map<string, PipelineRecord>();
  private readonly clientTokens = new Map<string, RememberedResponse>();

  public recall(operation: string, clientToken: string): RememberedResponse | undefined {
    return this.clientTokens.get(`${operation}\u0000${clientToken}`);
  }

  public remember(operation: string, clientToken: string, fingerprint: string, body: JsonObject) {
    this.clientTokens.set(`${operation}\u0000${clientToken}`, { fingerprint, body });
  }

  public reset(): void {
    this.infrastructureConfigurations.clear();
    this.distributionConfigurations.clear();
    this.imageBuilders.clear();
    this.builderFates.clear();
    this.pipelines.clear();
    this.clientTokens.clear();
  }
}

/** Order-independent JSON rendering, so `{a, b}` and `{b, a}` count as the same input. */
export function fingerprint(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(fingerprint).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, member]) => member !== undefined && member !== null)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${fingerprint(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
