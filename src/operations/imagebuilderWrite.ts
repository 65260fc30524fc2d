import type { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import type * as z from 'zod/mini';
import { defineOperation, type Jsonified, responseBody, sendOptions } from './operation.js';

interface ImagebuilderWrite<Name extends string, Input, Output extends { $metadata?: unknown }> {
  name: Name;
  schema: z.ZodMiniType<Input>;
  /** Sends the operation's command with the request, the clientToken added. */
  send(
    imagebuilder: ImagebuilderClient,
    input: Input & { clientToken: string },
    options: { abortSignal?: AbortSignal },
  ): Promise<Output>;
  subject(input: Input, output?: Jsonified<Omit<Output, '$metadata'>>): string | undefined;
}

/**
 * An Image Builder write. The clientToken goes to AWS too: Image Builder's own idempotency makes a
 * repeated call with the same token safe.
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
}: ImagebuilderWrite<Name, Input, Output>) =>
  defineOperation({
    name,
    service: 'imagebuilder',
    kind: 'write',
    schema,
    tokenMember: 'clientToken',
    execute: async ({ imagebuilder }, input: Input, clientToken, signal) =>
      responseBody(await send(imagebuilder, { ...input, clientToken }, sendOptions(signal))),
    subject,
  });
