import {
  AppStreamClient,
  CreateImageBuilderCommand,
  DeleteImageBuilderCommand,
  DescribeImageBuildersCommand,
  type ImageBuilderState,
  ListTagsForResourceCommand,
  StartImageBuilderCommand,
  StopImageBuilderCommand,
} from '@aws-sdk/client-appstream';
import {
  CreateDistributionConfigurationCommand,
  CreateInfrastructureConfigurationCommand,
  DeleteDistributionConfigurationCommand,
  DeleteInfrastructureConfigurationCommand,
  GetDistributionConfigurationCommand,
  GetInfrastructureConfigurationCommand,
  ImagebuilderClient,
  UpdateDistributionConfigurationCommand,
  UpdateInfrastructureConfigurationCommand,
} from '@aws-sdk/client-imagebuilder';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  builderDeleted,
  builderReadiness,
  builderStopped,
} from '../../../src/operations/existingImageBuilder.js';
import {
  type ExecutionContext,
  type OperationName,
  OWNER_TAG_KEY,
  type Ownership,
  operations,
} from '../../../src/operations/index.js';
import { validRequests } from '../../fixtures/requests.js';
import { awsServiceError } from '../../support/awsErrors.js';
import { imageBuilderArn, ownedTags } from '../../support/awsMocks.js';

const STAGE = 'image-provisioner.dev';
const OWNED = ownedTags(STAGE);
const BUILDER_ARN = imageBuilderArn('finance-apps-builder');

const imagebuilderClient = new ImagebuilderClient({ region: 'us-east-1' });
const appstreamClient = new AppStreamClient({ region: 'us-east-1' });
const imagebuilder = mockClient(imagebuilderClient);
const appstream = mockClient(appstreamClient);

/**
 * The cases below mix commands of several shapes: the Image Builder stub seen through the widest
 * of them (the operations read and write plain JSON).
 */
type Command = abstract new (input: never) => unknown;
interface Behaviour {
  resolves(output: object): void;
  rejects(error: Error): void;
  callsFake(fake: (input: Record<string, unknown>) => Promise<object>): void;
}
const stub = imagebuilder as unknown as { on(command: Command): Behaviour };

afterEach(() => {
  imagebuilder.reset();
  appstream.reset();
});

const context = (adoptable: Ownership['adoptable'] = () => false): ExecutionContext => ({
  imagebuilder: imagebuilderClient,
  appstream: appstreamClient,
  ownership: { owner: STAGE, adoptable },
});

const run = (name: OperationName, ctx = context()) =>
  operations[name].execute(ctx, validRequests[name] as never, 'token-1');

const rejection = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
};

/** The Image Builder calls made, by command name. */
const imagebuilderCalls = () => imagebuilder.calls().map((call) => call.args[0].constructor.name);
const appstreamCalls = () => appstream.calls().map((call) => call.args[0].constructor.name);

describe('creates: the ownership tag', () => {
  it.each([
    ['CreateInfrastructureConfiguration', CreateInfrastructureConfigurationCommand],
    ['CreateDistributionConfiguration', CreateDistributionConfigurationCommand],
  ] as const)('%s sends the caller tags and the stage tag', async (name, command) => {
    stub.on(command).resolves({});

    await run(name);

    const [call] = imagebuilder.calls();
    const sent = (call ? call.args[0].input : {}) as { tags?: object };
    expect(sent.tags).toEqual({
      ...(validRequests[name].tags as object),
      [OWNER_TAG_KEY]: STAGE,
    });
  });

  it('CreateImageBuilder sends the caller Tags and the stage tag', async () => {
    appstream.on(CreateImageBuilderCommand).resolves({});

    await run('CreateImageBuilder');

    expect(appstream.commandCalls(CreateImageBuilderCommand)[0]?.args[0].input.Tags).toEqual({
      ...(validRequests.CreateImageBuilder.Tags as object),
      [OWNER_TAG_KEY]: STAGE,
    });
  });
});

describe('configuration changes: read first, refuse what the stage did not create', () => {
  const cases = [
    [
      'UpdateInfrastructureConfiguration',
      GetInfrastructureConfigurationCommand,
      'infrastructureConfiguration',
      UpdateInfrastructureConfigurationCommand,
      '/infrastructureConfigurationArn',
    ],
    [
      'DeleteInfrastructureConfiguration',
      GetInfrastructureConfigurationCommand,
      'infrastructureConfiguration',
      DeleteInfrastructureConfigurationCommand,
      '/infrastructureConfigurationArn',
    ],
    [
      'UpdateDistributionConfiguration',
      GetDistributionConfigurationCommand,
      'distributionConfiguration',
      UpdateDistributionConfigurationCommand,
      '/distributionConfigurationArn',
    ],
    [
      'DeleteDistributionConfiguration',
      GetDistributionConfigurationCommand,
      'distributionConfiguration',
      DeleteDistributionConfigurationCommand,
      '/distributionConfigurationArn',
    ],
  ] as const;

  it.each(cases)(
    '%s of an owned configuration reads, then writes',
    async (name, get, member, write) => {
      stub.on(get).resolves({ [member]: { tags: OWNED } });
      stub.on(write).resolves({ requestId: 'r-1' });

      const response = await run(name);

      expect(response).toEqual({ requestId: 'r-1' });
      expect(imagebuilderCalls()).toEqual([get.name, write.name]);
    },
  );

  it.each(cases)(
    '%s of an untagged configuration is a 403 without a write',
    async (name, get, member, _write, path) => {
      stub.on(get).resolves({ [member]: { tags: { team: 'platform' } } });

      const error = await rejection(run(name));

      expect(error).toMatchObject({
        code: 'PolicyViolationException',
        status: 403,
        errors: [{ path }],
      });
      expect(imagebuilderCalls()).toEqual([get.name]);
    },
  );

  it.each(cases)(
    "%s of another stage's configuration is a 403 without a write",
    async (name, get, member) => {
      stub.on(get).resolves({ [member]: { tags: { [OWNER_TAG_KEY]: 'image-provisioner.prod' } } });

      const error = await rejection(run(name));

      expect(error).toMatchObject({ code: 'PolicyViolationException' });
      expect(imagebuilderCalls()).toEqual([get.name]);
    },
  );

  it.each(cases)(
    '%s of an untagged configuration the policy adopts writes',
    async (name, get, member, write) => {
      stub.on(get).callsFake(async (input) => ({ [member]: { arn: Object.values(input)[0] } }));
      stub.on(write).resolves({});
      const arn = Object.values(validRequests[name])[0];

      await run(
        name,
        context((resource) => resource.arn === arn),
      );

      expect(imagebuilderCalls()).toEqual([get.name, write.name]);
    },
  );

  it.each(cases)(
    "%s of a configuration that is gone is AWS's 404, without a write",
    async (name, get) => {
      stub.on(get).rejects(awsServiceError('ResourceNotFoundException', 404));

      const error = await rejection(run(name));

      expect(error).toMatchObject({ name: 'ResourceNotFoundException' });
      expect(imagebuilderCalls()).toEqual([get.name]);
    },
  );

  it('sends no clientToken with a delete (its AWS request has none)', async () => {
    imagebuilder
      .on(GetInfrastructureConfigurationCommand)
      .resolves({ infrastructureConfiguration: { tags: OWNED } });
    imagebuilder.on(DeleteInfrastructureConfigurationCommand).resolves({});

    await run('DeleteInfrastructureConfiguration');

    expect(
      imagebuilder.commandCalls(DeleteInfrastructureConfigurationCommand)[0]?.args[0].input,
    ).toEqual(validRequests.DeleteInfrastructureConfiguration);
  });

  it('sends the clientToken with UpdateDistributionConfiguration', async () => {
    stub
      .on(GetDistributionConfigurationCommand)
      .resolves({ distributionConfiguration: { tags: OWNED } });
    imagebuilder.on(UpdateDistributionConfigurationCommand).resolves({});

    await run('UpdateDistributionConfiguration');

    expect(
      imagebuilder.commandCalls(UpdateDistributionConfigurationCommand)[0]?.args[0].input
        .clientToken,
    ).toBe('token-1');
  });
});

describe('image builder stop, start, delete: describe, read tags, refuse what the stage did not create', () => {
  const cases = [
    ['StopImageBuilder', StopImageBuilderCommand, 'STOPPING'],
    ['StartImageBuilder', StartImageBuilderCommand, 'PENDING'],
    ['DeleteImageBuilder', DeleteImageBuilderCommand, 'DELETING'],
  ] as const;

  const described = () =>
    appstream.on(DescribeImageBuildersCommand).resolves({
      ImageBuilders: [{ Name: 'finance-apps-builder', Arn: BUILDER_ARN, State: 'RUNNING' }],
    });

  it.each(cases)('%s of an owned builder writes and is followed', async (name, command, state) => {
    described();
    appstream.on(ListTagsForResourceCommand).resolves({ Tags: OWNED });
    appstream.on(command).resolves({
      ImageBuilder: { Name: 'finance-apps-builder', Arn: BUILDER_ARN, State: state },
    });

    const response = await run(name);

    expect(appstreamCalls()).toEqual([
      DescribeImageBuildersCommand.name,
      ListTagsForResourceCommand.name,
      command.name,
    ]);
    expect(appstream.commandCalls(ListTagsForResourceCommand)[0]?.args[0].input).toEqual({
      ResourceArn: BUILDER_ARN,
    });
    expect(
      operations[name].readiness?.target(validRequests[name] as never, response as never),
    ).toEqual({
      name: 'finance-apps-builder',
      arn: BUILDER_ARN,
    });
  });

  it.each(cases)('%s of an untagged builder is a 403 at /Name without a write', async (name) => {
    described();
    appstream.on(ListTagsForResourceCommand).resolves({ Tags: {} });

    const error = await rejection(run(name));

    expect(error).toMatchObject({ code: 'PolicyViolationException', errors: [{ path: '/Name' }] });
    expect(appstreamCalls()).toEqual([
      DescribeImageBuildersCommand.name,
      ListTagsForResourceCommand.name,
    ]);
  });

  it.each(cases)('%s of a builder the policy adopts by name writes', async (name, command) => {
    described();
    appstream.on(ListTagsForResourceCommand).resolves({});
    appstream.on(command).resolves({});

    await run(
      name,
      context(({ name: builder }) => builder === 'finance-apps-builder'),
    );

    expect(appstreamCalls()).toContain(command.name);
  });

  it.each(cases)('%s of a builder AWS does not know is a 404 without a write', async (name) => {
    appstream.on(DescribeImageBuildersCommand).resolves({ ImageBuilders: [] });

    const error = await rejection(run(name));

    expect(error).toMatchObject({ code: 'ResourceNotFoundException', status: 404 });
    expect(appstreamCalls()).toEqual([DescribeImageBuildersCommand.name]);
  });

  it('announces the follow-through events of each goal', () => {
    expect(operations.StopImageBuilder.readiness?.events.ready).toBe('ImageBuilderStopped');
    expect(operations.StartImageBuilder.readiness?.events.ready).toBe('ImageBuilderReady');
    expect(operations.DeleteImageBuilder.readiness?.events.ready).toBe('ImageBuilderDeleted');
    for (const name of ['StopImageBuilder', 'StartImageBuilder', 'DeleteImageBuilder'] as const) {
      expect(operations[name].readiness?.events).toMatchObject({
        failed: 'ImageBuilderFailed',
        timedOut: 'ImageBuilderWaitTimedOut',
      });
    }
  });
});

describe('the watch of each goal', () => {
  const seen = (State?: ImageBuilderState) =>
    State === undefined
      ? appstream
          .on(DescribeImageBuildersCommand)
          .rejects(awsServiceError('ResourceNotFoundException', 400))
      : appstream.on(DescribeImageBuildersCommand).resolves({
          ImageBuilders: [{ Name: 'b', Arn: BUILDER_ARN, State }],
        });

  it.each<[ImageBuilderState | undefined, string]>([
    ['STOPPED', 'ready'],
    ['STOPPING', 'pending'],
    ['RUNNING', 'failed'],
    ['FAILED', 'failed'],
    ['DELETING', 'failed'],
    [undefined, 'failed'],
  ])('after a stop, a builder %s is %s', async (state, verdict) => {
    seen(state);

    expect((await builderStopped(appstreamClient, { name: 'b' })).verdict).toBe(verdict);
  });

  it.each<[ImageBuilderState | undefined, string]>([
    [undefined, 'ready'],
    ['DELETING', 'pending'],
    ['STOPPED', 'failed'],
    ['RUNNING', 'failed'],
  ])('after a delete, a builder %s is %s', async (state, verdict) => {
    seen(state);

    const check = await builderDeleted(appstreamClient, { name: 'b', arn: BUILDER_ARN });

    expect(check.verdict).toBe(verdict);
    if (state === undefined) expect(check.state).toBe('NOT_FOUND');
  });

  it.each<[ImageBuilderState | undefined, string]>([
    ['RUNNING', 'ready'],
    ['PENDING', 'pending'],
    ['STOPPED', 'failed'],
    [undefined, 'failed'],
  ])('after a start, a builder %s is %s', async (state, verdict) => {
    seen(state);

    expect((await builderReadiness(appstreamClient, { name: 'b' })).verdict).toBe(verdict);
  });
});
