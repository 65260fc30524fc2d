import type { AddressInfo } from 'node:net';
import { CallLog } from './callLog.js';
import { FaultStore } from './faults.js';
import { IamVisibility } from './iamVisibility.js';
import type { EmulatorRuntime } from './operation.js';
import { createEmulatorServer } from './server.js';
import { ResourceStore } from './state.js';

export type {
  BuilderBehaviour,
  BuilderFate,
  DeleteFate,
  ResourceError,
  StateChangeReason,
  StopFate,
} from './builderFates.js';
export type { CallAccess, CallRecord, ServiceName } from './callLog.js';
export type { Fault } from './faults.js';
export type { HiddenIam } from './iamVisibility.js';

export interface EmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Default us-east-1. */
  region?: string;
  /** Default 000000000000, the offline stack's one account. */
  accountId?: string;
  /** An AppStream image builder turns PENDING -> RUNNING after this long; default 2000. */
  appstreamReadyDelayMs?: number;
  /** STOPPING -> STOPPED after StopImageBuilder; default `appstreamReadyDelayMs`. */
  appstreamStopDelayMs?: number;
  /** PENDING -> RUNNING after StartImageBuilder; default `appstreamReadyDelayMs`. */
  appstreamStartDelayMs?: number;
  /** DELETING -> gone after DeleteImageBuilder; default `appstreamReadyDelayMs`. */
  appstreamDeleteDelayMs?: number;
}

export interface RunningEmulator {
  /** `http://<host>:<port>`, for AWS_ENDPOINT_URL_IMAGEBUILDER / AWS_ENDPOINT_URL_APPSTREAM. */
  endpoint: string;
  close(): Promise<void>;
}

/** Starts a wire-level stand-in for EC2 Image Builder (restJson1) and AppStream 2.0 (awsJson1_1). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const readyDelayMs = options.appstreamReadyDelayMs ?? 2000;
  const runtime: EmulatorRuntime = {
    context: {
      store: new ResourceStore(),
      region: options.region ?? 'us-east-1',
      accountId: options.accountId ?? '000000000000',
      appstreamReadyDelayMs: readyDelayMs,
      appstreamTransitionDelaysMs: {
        stop: options.appstreamStopDelayMs ?? readyDelayMs,
        start: options.appstreamStartDelayMs ?? readyDelayMs,
        delete: options.appstreamDeleteDelayMs ?? readyDelayMs,
      },
      iam: new IamVisibility(),
      now: () => new Date(),
    },
    calls: new CallLog(),
    faults: new FaultStore(),
  };
  const server = createEmulatorServer(runtime);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
