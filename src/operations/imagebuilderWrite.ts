import type { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import {
  defineOperation,
  type ExecutionContext,
  type Jsonified,
  type OperationDeclaration,
  onceInRequest,
  responseBody,
  type SendOptions,
  sendOptions,
} from './operation.js';
import { type OwnedResource, type Ownership, requireOwnership } from './ownership.js';

/** A change to a resource that exists: how to read it first, and the member that names it. */
export interface ExistingResource<Input> {
  /** JSON Pointer of the member naming the resource: where a refusal points. */
  path: string;
  read(
    imagebuilder: ImagebuilderClient,
    input: Input,
    options: SendOptions,
  ): Promise<OwnedResource>;
}

/** `send` sends the operation's command with the request, the clientToken added. */
interface ImagebuilderWrite<Name extends string, Input, Output extends { $metadata?: unknown }>
  extends OperationDeclaration<
    Name,
    Input,
    ImagebuilderClient,
    Output,
    Input & { clientToken: string }
  > {
  subject(input: Input, output?: Jsonified<Omit<Output, '$metadata'>>): string | undefined;
  /** A create: the request with the ownership tag added to the new resource's tags. */
  owned?(input: Input, ownership: Ownership): Input;
  /** A change: the resource is read first and refused unless the service may change it. */
  existing?: ExistingResource<NoInfer<Input>>;
}

/**
 * Reads the resource a change is about and refuses it, before any write, when the service did
 * not create it and the stage's policy does not let it adopt it. Once in a request: a retried
 * write does not read again.
 */
export const checkOwnership = async <Input>(
  context: ExecutionContext,
  existing: ExistingResource<Input> | undefined,
  input: Input,
  options: SendOptions,
): Promise<void> => {
  if (!existing) return;
  const { imagebuilder, ownership } = context;
  await onceInRequest(context, 'ownership', async () =>
    requireOwnership(ownership, await existing.read(imagebuilder, input, options), existing.path),
  );
};

/**
 * An Image Builder write that takes a clientToken. The token goes to AWS too: Image Builder's own
 * idempotency makes a repeated call with the same token safe.
 */
export const imagebuilderWrite = <
  const Name extends string,
  Input,
  Output extends { $metadata?: unknown },
>({
  name,
  schema,
  send,
  subject,
  owned,
  existing,
}: ImagebuilderWrite<Name, Input, Output>) =>
  defineOperation({
    name,
    service: 'imagebuilder',
    kind: 'write',
    schema,
    tokenMember: 'clientToken',
    execute: async (context, input: Input, clientToken, signal) => {
      const options = sendOptions(signal);
      await checkOwnership(context, existing, input, options);
      const request = owned ? owned(input, context.ownership) : input;
      return responseBody(await send(context.imagebuilder, { ...request, clientToken }, options));
    },
    subject,
  });
