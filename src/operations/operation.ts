import type { AppStreamClient } from '@aws-sdk/client-appstream';
import type { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import type * as z from 'zod/mini';
import type { AwsService } from '../basics/awsService.js';
import type { Ownership } from './ownership.js';

export interface AwsClients {
  readonly imagebuilder: ImagebuilderClient;
  readonly appstream: AppStreamClient;
}

/**
 * Runs `step` once in a request: when the request's AWS call is tried again (a throttle, a
 * transient failure), a step that already succeeded is not repeated. A step that fails runs again.
 */
export type OncePerRequest = (key: string, step: () => Promise<void>) => Promise<void>;

/** What an operation's AWS call runs with: the clients, and whose resources it may change. */
export interface ExecutionContext extends AwsClients {
  readonly ownership: Ownership;
  /** The request's scope for steps run once (the read before a change); none: every time. */
  readonly oncePerRequest?: OncePerRequest;
}

/** A fresh scope for one request's steps run once. */
export const createOncePerRequest = (): OncePerRequest => {
  const settled = new Set<string>();
  return async (key, step) => {
    if (settled.has(key)) return;
    await step();
    settled.add(key);
  };
};

/** `step` once in the context's request, or every time in a context without one. */
export const onceInRequest = (
  { oncePerRequest }: ExecutionContext,
  key: string,
  step: () => Promise<void>,
): Promise<void> => (oncePerRequest ? oncePerRequest(key, step) : step());

/** A resource to follow once created: the name AWS describes it by, its ARN when known. */
export interface FollowedResource {
  name: string;
  arn?: string;
}

/** Where a followed resource stands: usable, never going to be on its own, or on its way. */
export interface ReadinessCheck {
  verdict: 'ready' | 'failed' | 'pending';
  /** The resource's state as AWS names it. */
  state: string;
  /** The resource as AWS described it: what the event carries. */
  resource: unknown;
}

/**
 * The follow-through of an operation whose resource is not usable when AWS answers: what to
 * follow, how to check on it, and the events that tell how it ended.
 */
export interface Readiness<Input = unknown, Output = unknown> {
  readonly events: { ready: string; failed: string; timedOut: string };
  /** The resource to follow, from the request and AWS's answer. */
  target(input: Input, output: Output): FollowedResource | undefined;
  /** Reads the resource once; throws when AWS could not be asked or did not answer. */
  check(
    clients: AwsClients,
    resource: FollowedResource,
    signal?: AbortSignal,
  ): Promise<ReadinessCheck>;
}

/**
 * One AWS operation the service offers: its request schema, the AWS call and what names its
 * result. `Name` is the AWS operation name, the key it is filed under in the registry.
 */
export interface Operation<Name extends string = string, Input = unknown, Output = unknown> {
  readonly name: Name;
  readonly service: AwsService;
  /** Writes are idempotent on the clientToken and announce an outcome on every channel. */
  readonly kind: 'write' | 'read';
  /** Strict schema of the AWS request, without the token member. */
  readonly schema: z.ZodMiniType<Input>;
  /** Request member that carries the idempotency token, stripped before validation. */
  readonly tokenMember?: 'clientToken' | 'ClientToken';
  /**
   * For a service whose response does not name the token (AppStream), the member under which the
   * caller's answer carries it, so a generated token is learnt from the body too.
   */
  readonly tokenEchoMember?: 'ClientToken';
  /**
   * Calls AWS once (retries are the pipeline's); resolves to the response body. A change to an
   * existing resource reads it first and throws a PolicyViolationException, before any write,
   * when the service may not change it (src/operations/ownership.ts).
   */
  execute(
    context: ExecutionContext,
    input: Input,
    clientToken: string,
    signal?: AbortSignal,
  ): Promise<Output>;
  /** The resource ARN, or its name when no ARN is known: the outcome's `subject`. */
  subject(input: Input, output?: Output): string | undefined;
  /** For a resource not usable when AWS answers: how the service follows it through. */
  readonly readiness?: Readiness<Input, Output>;
}

/** Keeps each operation module typed against its own name, schema and SDK output. */
export const defineOperation = <const Name extends string, Input, Output>(
  operation: Operation<Name, Input, Output>,
): Operation<Name, Input, Output> => operation;

/** What an AWS call is sent with: the signal that ends it. */
export type SendOptions = { abortSignal?: AbortSignal };

/** Ends an AWS call when the invocation's budget runs out. */
export const sendOptions = (signal: AbortSignal | undefined): SendOptions =>
  signal ? { abortSignal: signal } : {};

/**
 * What the declaration of an operation starts with: its name, the schema of its request, and how
 * it sends its command with the `Client` (given what the operation makes of the request: `Sent`).
 */
export interface OperationDeclaration<Name extends string, Input, Client, Output, Sent = Input> {
  name: Name;
  schema: z.ZodMiniType<Input>;
  send(client: Client, request: Sent, options: SendOptions): Promise<Output>;
}

/** A value as it reads after a JSON round trip: the SDK's `Date`s become ISO strings. */
export type Jsonified<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer Item>
    ? Jsonified<Item>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

/**
 * The AWS body without the SDK's `$metadata`, as plain JSON: the same value goes to the caller,
 * into the idempotency record and into the outcome.
 */
export const responseBody = <T extends { $metadata?: unknown }>(
  output: T,
): Jsonified<Omit<T, '$metadata'>> => {
  const { $metadata: _metadata, ...body } = output;
  return JSON.parse(JSON.stringify(body));
};
