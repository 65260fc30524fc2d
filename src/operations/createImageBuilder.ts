import {
  CreateImageBuilderCommand,
  type CreateImageBuilderCommandOutput,
} from '@aws-sdk/client-appstream';
import { errorName } from '../basics/errors.js';
import { ResourceConflictError } from './errors.js';
import {
  builderReadiness,
  describeImageBuilder,
  followed,
  matchesRequest,
  readinessCheck,
} from './existingImageBuilder.js';
import { defineOperation, responseBody, sendOptions } from './operation.js';
import { withOwnerTag } from './ownership.js';
import { CreateImageBuilderInput } from './schemas/index.js';

const builderNameTaken = (cause: unknown) =>
  new ResourceConflictError(
    'ResourceAlreadyExistsException',
    'An image builder with this Name already exists with a different configuration.',
    { cause },
  );

export const createImageBuilder = defineOperation({
  name: 'CreateImageBuilder',
  service: 'appstream',
  kind: 'write',
  schema: CreateImageBuilderInput,
  // AppStream has no token of its own: ours lives only in the request and is never sent.
  tokenMember: 'ClientToken',
  tokenEchoMember: 'ClientToken',
  execute: async ({ appstream, ownership }, input, _clientToken, signal) => {
    const request = { ...input, Tags: withOwnerTag(ownership, input.Tags) };
    try {
      return responseBody(
        await appstream.send(new CreateImageBuilderCommand(request), sendOptions(signal)),
      );
    } catch (error) {
      if (errorName(error) !== 'ResourceAlreadyExistsException') throw error;
      // Without a token, an earlier attempt that did create the builder looks like a clash: the
      // builder itself tells which it is.
      const existing = await describeImageBuilder(appstream, input.Name, signal);
      if (existing && matchesRequest(existing, input)) {
        return responseBody<CreateImageBuilderCommandOutput>({
          ImageBuilder: existing,
          $metadata: {},
        });
      }
      throw builderNameTaken(error);
    }
  },
  subject: (input, output) => output?.ImageBuilder?.Arn ?? input.Name,
  // A builder starts PENDING and is usable once RUNNING, minutes later: followed until then.
  readiness: {
    events: {
      ready: 'ImageBuilderReady',
      failed: 'ImageBuilderFailed',
      timedOut: 'ImageBuilderWaitTimedOut',
    },
    target: (input, output) => followed(input, output),
    check: readinessCheck(builderReadiness),
  },
});
