import type { FateRecord } from './builderFates.js';

/**
 * In-memory resources of both emulated services, the clientToken memory of Image Builder and the
 * image builder fates.
 */
export type JsonObject = Record<string, unknown>;

export interface InfrastructureConfigurationRecord {
  arn: string;
  name: string;
  /** Members that UpdateInfrastructureConfiguration replaces as a whole. */
  mutable: JsonObject;
  /** As given on create (the model's TagMap has at least one entry); absent when none were. */
  tags?: Record<string, string>;
  dateCreated: string;
  dateUpdated?: string;
}

export interface DistributionConfigurationRecord {
  arn: string;
  input: JsonObject;
  dateCreated: string;
}

export interface ImageBuilderRecord {
  /** The `ImageBuilder` output structure without `State` (derived from `createdAtMs`). */
  builder: JsonObject;
  createdAtMs: number;
  /** Stored as AWS does, never returned by CreateImageBuilder/DescribeImageBuilders. */
  tags?: unknown;
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
