import { CreateImageBuilderCommand } from '@aws-sdk/client-appstream';
import { defineOperation, responseBody } from './operation.js';
import { CreateImageBuilderInput } from './schemas/index.js';

export const createImageBuilder = defineOperation({
  name: 'CreateImageBuilder',
  service: 'appstream',
  kind: 'write',
  schema: CreateImageBuilderInput,
  // AppStream has no token of its own: ours lives only in the request and is never sent.
  tokenMember: 'ClientToken',
  execute: async ({ appstream }, input) =>
    responseBody(await appstream.send(new CreateImageBuilderCommand(input))),
  subject: (input, output) => output?.ImageBuilder?.Arn ?? input.Name,
});
