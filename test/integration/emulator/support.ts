import {
  AppStreamClient,
  CreateImageBuilderCommand,
  type CreateImageBuilderCommandInput,
  DescribeImageBuildersCommand,
  type ImageBuilder,
} from '@aws-sdk/client-appstream';
import {
  CreateInfrastructureConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  ImagebuilderClient,
} from '@aws-sdk/client-imagebuilder';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import {
  type CallRecord,
  type EmulatorOptions,
  type Fault,
  type RunningEmulator,
  startEmulator,
} from '../../../local/emulator/index.js';

export const REGION = 'us-east-1';
/** The emulator's default account: the offline stack's one account. */
export const ACCOUNT_ID = '000000000000';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Model patterns the emulator's ARNs must satisfy (docs/aws-contracts.md §5). */
export const ARN_PATTERNS = {
  infrastructureConfiguration:
    /^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws):infrastructure-configuration\/[a-z0-9-_]+$/,
  distributionConfiguration:
    /^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws):distribution-configuration\/[a-z0-9-_]+$/,
  imageBuilderGeneric:
    /^arn:aws[^:]*:imagebuilder:[^:]+:(?:[0-9]{12}|aws(?:-[a-z-]+)?):(?:image-recipe|container-recipe|infrastructure-configuration|distribution-configuration|component|image|image-pipeline|lifecycle-policy|workflow\/(?:build|test|distribution))\/[a-z0-9-_]+(?:\/(?:(?:x|[0-9]+)\.(?:x|[0-9]+)\.(?:x|[0-9]+))(?:\/[0-9]+)?)?$/,
  appstream:
    /^arn:aws(?:-cn|-iso-b|-iso|-us-gov)?:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.\\-]{0,1023}$/,
};

/** An infrastructure-configuration ARN in the emulator's Region and account. */
export const infrastructureArn = (id: string) =>
  `arn:aws:imagebuilder:${REGION}:${ACCOUNT_ID}:infrastructure-configuration/${id}`;

export function imagebuilderClient(endpoint: string, maxAttempts = 1): ImagebuilderClient {
  return new ImagebuilderClient({ endpoint, region: REGION, credentials, maxAttempts });
}

export function appstreamClient(endpoint: string, maxAttempts = 1): AppStreamClient {
  return new AppStreamClient({ endpoint, region: REGION, credentials, maxAttempts });
}

async function control(endpoint: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${endpoint}/_emulator/${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

export async function injectFault(endpoint: string, fault: Partial<Fault>): Promise<Fault> {
  const response = await control(endpoint, 'POST', 'faults', fault);
  if (response.status !== 201) throw new Error(`fault rejected: ${JSON.stringify(response.body)}`);
  return response.body as Fault;
}

export const postFault = (endpoint: string, body: unknown) =>
  control(endpoint, 'POST', 'faults', body);
export const clearFaults = (endpoint: string) => control(endpoint, 'DELETE', 'faults');
export const clearCalls = (endpoint: string) => control(endpoint, 'DELETE', 'calls');
export const resetState = (endpoint: string) => control(endpoint, 'DELETE', 'state');
export const health = (endpoint: string) => control(endpoint, 'GET', 'health');
export const putBuilderFate = (endpoint: string, name: string, body: unknown) =>
  control(endpoint, 'PUT', `image-builders/${encodeURIComponent(name)}`, body);
export const deleteBuilderFate = (endpoint: string, name: string) =>
  control(endpoint, 'DELETE', `image-builders/${encodeURIComponent(name)}`);
export const listBuilderFates = (endpoint: string) => control(endpoint, 'GET', 'image-builders');
export const clearBuilderFates = (endpoint: string) =>
  control(endpoint, 'DELETE', 'image-builders');
export const putPipeline = (endpoint: string, name: string, body: unknown) =>
  control(endpoint, 'PUT', `pipelines/${encodeURIComponent(name)}`, body);
export const listPipelines = (endpoint: string) => control(endpoint, 'GET', 'pipelines');
export const clearPipelines = (endpoint: string) => control(endpoint, 'DELETE', 'pipelines');
export const hideIam = (endpoint: string, body: unknown) =>
  control(endpoint, 'POST', 'iam/invisible', body);
export const listHiddenIam = (endpoint: string) => control(endpoint, 'GET', 'iam/invisible');
export const clearHiddenIam = (endpoint: string) => control(endpoint, 'DELETE', 'iam/invisible');

/** The calls log: every call, or only the reads or the writes (`?access=`). */
export async function listCalls(
  endpoint: string,
  access?: 'read' | 'write',
): Promise<CallRecord[]> {
  const response = await control(endpoint, 'GET', access ? `calls?access=${access}` : 'calls');
  return (response.body as { calls: CallRecord[] }).calls;
}

/** What SDK v3 service exceptions carry (and what network errors partly carry). */
export type SdkError = Error & { $metadata?: { httpStatusCode?: number; attempts?: number } };

/** Resolves with what the promise rejected with; fails if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 5_000, intervalMs = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

let sequence = 0;
/** A fresh resource name per test, so tests stay independent on a shared emulator. */
export function uniqueName(prefix: string): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${sequence}`;
}

/** What `useEmulator` gives a test file: read its members inside hooks and tests, not at load. */
export interface EmulatorHarness {
  /** `http://127.0.0.1:<port>`, for the control API helpers above. */
  readonly endpoint: string;
  /** Image Builder client on the emulator, without retries. */
  readonly imagebuilder: ImagebuilderClient;
  /** AppStream client on the emulator, without retries. */
  readonly appstream: AppStreamClient;
}

/**
 * Registers the hooks every emulator test file needs: start an emulator on a free port and build
 * an Image Builder and an AppStream client on it before all tests, empty the calls log before each
 * test, drop the faults, builder fates, stand-in pipelines and hidden IAM identities after each,
 * destroy the clients and close the emulator after all.
 */
export function useEmulator(options: Omit<EmulatorOptions, 'port'> = {}): EmulatorHarness {
  let running:
    | { emulator: RunningEmulator; imagebuilder: ImagebuilderClient; appstream: AppStreamClient }
    | undefined;
  const started = () => {
    if (!running) throw new Error('the emulator starts in beforeAll: use it in hooks and tests');
    return running;
  };

  beforeAll(async () => {
    const emulator = await startEmulator({ ...options, port: 0 });
    running = {
      emulator,
      imagebuilder: imagebuilderClient(emulator.endpoint),
      appstream: appstreamClient(emulator.endpoint),
    };
  });

  beforeEach(async () => {
    await clearCalls(started().emulator.endpoint);
  });

  afterEach(async () => {
    const { endpoint } = started().emulator;
    await clearFaults(endpoint);
    await clearBuilderFates(endpoint);
    await clearPipelines(endpoint);
    await clearHiddenIam(endpoint);
  });

  afterAll(async () => {
    running?.imagebuilder.destroy();
    running?.appstream.destroy();
    await running?.emulator.close();
    running = undefined;
  });

  return {
    get endpoint() {
      return started().emulator.endpoint;
    },
    get imagebuilder() {
      return started().imagebuilder;
    },
    get appstream() {
      return started().appstream;
    },
  };
}

/** An SDK exception class, as `toBeInstanceOf` takes it. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** An ARN no test creates: Get on it fails with ResourceNotFoundException unless faulted. */
export const UNKNOWN_INFRASTRUCTURE_ARN = infrastructureArn('unknown');

/** GetInfrastructureConfiguration of `UNKNOWN_INFRASTRUCTURE_ARN`. */
export const getUnknownInfrastructure = ({ imagebuilder }: Pick<EmulatorHarness, 'imagebuilder'>) =>
  imagebuilder.send(
    new GetInfrastructureConfigurationCommand({
      infrastructureConfigurationArn: UNKNOWN_INFRASTRUCTURE_ARN,
    }),
  );

/** A minimal valid CreateInfrastructureConfiguration. */
export const createInfrastructure = (
  { imagebuilder }: Pick<EmulatorHarness, 'imagebuilder'>,
  name = uniqueName('control'),
) =>
  imagebuilder.send(
    new CreateInfrastructureConfigurationCommand({ name, instanceProfileName: 'p' }),
  );

/** A valid CreateImageBuilder input with a fresh Name. */
export const builderInput = (overrides: Partial<CreateImageBuilderCommandInput> = {}) => ({
  Name: uniqueName('builder'),
  InstanceType: 'stream.standard.medium',
  ImageName: 'AppStream-WinServer2022-06-17-2024',
  ...overrides,
});

/**
 * Creating, describing and watching one image builder by name on the harness's emulator (its
 * client is read at each call, so this may be called when the test file loads).
 */
export function builderHelpers(harness: Pick<EmulatorHarness, 'appstream'>) {
  const describeBuilder = async (name: string): Promise<ImageBuilder> => {
    const { ImageBuilders } = await harness.appstream.send(
      new DescribeImageBuildersCommand({ Names: [name] }),
    );
    const [builder] = ImageBuilders ?? [];
    if (!builder) throw new Error(`no image builder ${name} described`);
    return builder;
  };
  return {
    describeBuilder,
    createBuilder: async (name: string): Promise<void> => {
      await harness.appstream.send(new CreateImageBuilderCommand(builderInput({ Name: name })));
    },
    /** Describes the builder until it reports `state`, keeping every state seen on the way. */
    watchUntil: async (name: string, state: string, timeoutMs = 5_000) => {
      const seen: string[] = [];
      const builder = await pollUntil(
        async () => {
          const current = await describeBuilder(name);
          seen.push(current.State ?? 'NONE');
          return current.State === state ? current : undefined;
        },
        { timeoutMs, intervalMs: 20 },
      );
      return { builder, seen };
    },
  };
}
