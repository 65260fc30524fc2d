import { AppStreamClient } from '@aws-sdk/client-appstream';
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import type { CallRecord, Fault } from '../../../local/emulator/index.js';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '123456789012';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Model patterns the emulator's ARNs must satisfy (contracts §8). */
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

export async function listCalls(endpoint: string): Promise<CallRecord[]> {
  const response = await control(endpoint, 'GET', 'calls');
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
