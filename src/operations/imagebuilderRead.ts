import type { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import {
  defineOperation,
  type OperationDeclaration,
  responseBody,
  sendOptions,
} from './operation.js';

interface ImagebuilderRead<Name extends string, Input, Output extends { $metadata?: unknown }>
  extends OperationDeclaration<Name, Input, ImagebuilderClient, Output> {
  /** The resource read, when it is one; a list names none. */
  subject?(input: Input): string | undefined;
}

/**
 * An Image Builder read: no token, no ownership check (it changes nothing), an outcome only
 * where the channel reads once per token.
 */
export const imagebuilderRead = <
  const Name extends string,
  Input,
  Output extends { $metadata?: unknown },
>({
  name,
  schema,
  send,
  subject = () => undefined,
}: ImagebuilderRead<Name, Input, Output>) =>
  defineOperation({
    name,
    service: 'imagebuilder',
    kind: 'read',
    schema,
    execute: async ({ imagebuilder }, input: Input, _clientToken, signal) =>
      responseBody(await send(imagebuilder, input, sendOptions(signal))),
    subject,
  });
