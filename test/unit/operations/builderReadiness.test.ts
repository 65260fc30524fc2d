import {
  AppStreamClient,
  DescribeImageBuildersCommand,
  type ImageBuilder,
  ImageBuilderState,
} from '@aws-sdk/client-appstream';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { builderReadiness } from '../../../src/operations/existingImageBuilder.js';
import { operations } from '../../../src/operations/index.js';
import { awsServiceError } from '../../support/awsErrors.js';
import { imageBuilderArn } from '../../support/awsMocks.js';
import { mockedAwsClients } from '../../support/provisioningFakes.js';

const NAME = 'finance-apps-builder';
const ARN = imageBuilderArn(NAME);
const FOLLOWED = { name: NAME, arn: ARN };

const builder = (State: ImageBuilderState | undefined, more: Partial<ImageBuilder> = {}) => ({
  Name: NAME,
  Arn: ARN,
  InstanceType: 'stream.standard.large',
  ...(State ? { State } : {}),
  CreatedTime: new Date('2026-11-21T10:00:00.000Z'),
  ...more,
});

/** An AppStream client whose DescribeImageBuilders answers `answer` (or rejects with it). */
const appstreamAnswering = (answer: { ImageBuilders?: ImageBuilder[] } | Error) => {
  const appstream = new AppStreamClient({ region: 'us-east-1' });
  const mock = mockClient(appstream);
  if (answer instanceof Error) mock.on(DescribeImageBuildersCommand).rejects(answer);
  else mock.on(DescribeImageBuildersCommand).resolves(answer);
  return { appstream, mock };
};

describe('builderReadiness', () => {
  it('answers ready for a RUNNING builder, with the builder as described', async () => {
    // Prepare
    const { appstream } = appstreamAnswering({ ImageBuilders: [builder('RUNNING')] });

    // Act
    const readiness = await builderReadiness(appstream, FOLLOWED);

    // Assess
    expect(readiness).toStrictEqual({
      verdict: 'ready',
      state: 'RUNNING',
      resource: { Name: NAME, Arn: ARN, State: 'RUNNING' },
    });
  });

  it('asks for the builder by name, with the signal it was given', async () => {
    // Prepare
    const { appstream, mock } = appstreamAnswering({ ImageBuilders: [builder('PENDING')] });
    const signal = new AbortController().signal;

    // Act
    await builderReadiness(appstream, FOLLOWED, signal);

    // Assess
    const calls = mock.commandCalls(DescribeImageBuildersCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toStrictEqual({ Names: [NAME] });
    expect(calls[0]?.args).toEqual([expect.anything(), { abortSignal: signal }]);
  });

  it.each<ImageBuilderState>(['FAILED', 'STOPPING', 'STOPPED', 'DELETING'])(
    'answers failed for a builder %s: it does not become RUNNING by itself',
    async (state) => {
      // Prepare
      const { appstream } = appstreamAnswering({ ImageBuilders: [builder(state)] });

      // Act
      const readiness = await builderReadiness(appstream, FOLLOWED);

      // Assess
      expect(readiness).toStrictEqual({
        verdict: 'failed',
        state,
        resource: { Name: NAME, Arn: ARN, State: state },
      });
    },
  );

  it.each<ImageBuilderState>(
    Object.values(ImageBuilderState).filter(
      (state) => !['RUNNING', 'FAILED', 'STOPPING', 'STOPPED', 'DELETING'].includes(state),
    ),
  )('answers pending for a builder %s: on its way', async (state) => {
    // Prepare
    const { appstream } = appstreamAnswering({ ImageBuilders: [builder(state)] });

    // Act
    const readiness = await builderReadiness(appstream, FOLLOWED);

    // Assess
    expect(readiness).toMatchObject({ verdict: 'pending', state });
  });

  it('answers pending for a builder whose state AWS did not tell', async () => {
    // Prepare
    const { appstream } = appstreamAnswering({ ImageBuilders: [builder(undefined)] });

    // Act
    const readiness = await builderReadiness(appstream, FOLLOWED);

    // Assess
    expect(readiness).toMatchObject({ verdict: 'pending', state: 'UNKNOWN' });
  });

  it('describes a FAILED builder with why it failed: the reason and its errors, timestamps as text', async () => {
    // Prepare
    const { appstream } = appstreamAnswering({
      ImageBuilders: [
        builder('FAILED', {
          StateChangeReason: { Code: 'INTERNAL_ERROR', Message: 'The builder could not start' },
          ImageBuilderErrors: [
            {
              ErrorCode: 'IAM_SERVICE_ROLE_MISSING_ENI_DESCRIBE_ACTION',
              ErrorMessage: 'The role cannot describe network interfaces',
              ErrorTimestamp: new Date('2026-11-21T10:04:00.000Z'),
            },
          ],
        }),
      ],
    });

    // Act
    const readiness = await builderReadiness(appstream, FOLLOWED);

    // Assess
    expect(readiness).toStrictEqual({
      verdict: 'failed',
      state: 'FAILED',
      resource: {
        Name: NAME,
        Arn: ARN,
        State: 'FAILED',
        StateChangeReason: { Code: 'INTERNAL_ERROR', Message: 'The builder could not start' },
        ImageBuilderErrors: [
          {
            ErrorCode: 'IAM_SERVICE_ROLE_MISSING_ENI_DESCRIBE_ACTION',
            ErrorMessage: 'The role cannot describe network interfaces',
            ErrorTimestamp: '2026-11-21T10:04:00.000Z',
          },
        ],
      },
    });
  });

  it('leaves out an empty error list', async () => {
    // Prepare
    const { appstream } = appstreamAnswering({
      ImageBuilders: [builder('FAILED', { ImageBuilderErrors: [] })],
    });

    // Act
    const readiness = await builderReadiness(appstream, FOLLOWED);

    // Assess
    expect(readiness.resource).not.toHaveProperty('ImageBuilderErrors');
  });

  it.each<[string, { ImageBuilders?: ImageBuilder[] } | Error]>([
    ['AWS does not know it', awsServiceError('ResourceNotFoundException', 400)],
    ['AWS answers no builder', { ImageBuilders: [] }],
    ['AWS answers without a list', {}],
    [
      'AWS answers only another builder',
      { ImageBuilders: [{ ...builder('RUNNING'), Name: 'b2' }] },
    ],
  ])('answers failed, NOT_FOUND, for a builder that is gone: %s', async (_, answer) => {
    // Prepare
    const { appstream } = appstreamAnswering(answer);

    // Act
    const readiness = await builderReadiness(appstream, FOLLOWED);

    // Assess
    expect(readiness).toStrictEqual({
      verdict: 'failed',
      state: 'NOT_FOUND',
      resource: { Name: NAME, Arn: ARN, State: 'NOT_FOUND' },
    });
  });

  it('describes a builder that is gone by name alone when its ARN is not known', async () => {
    // Prepare
    const { appstream } = appstreamAnswering({ ImageBuilders: [] });

    // Act
    const readiness = await builderReadiness(appstream, { name: NAME });

    // Assess
    expect(readiness.resource).toStrictEqual({ Name: NAME, State: 'NOT_FOUND' });
  });

  it.each([
    ['a throttle', awsServiceError('ThrottlingException', 400)],
    ['a quota error', awsServiceError('LimitExceededException', 400)],
    ['a server error', awsServiceError('InternalServiceError', 500)],
    ['a refusal', awsServiceError('AccessDeniedException', 403)],
  ])('rejects with what AWS answered for %s: no verdict without a reading', async (_, error) => {
    // Prepare
    const { appstream } = appstreamAnswering(error);

    // Act
    const thrown = await builderReadiness(appstream, FOLLOWED).then(
      () => undefined,
      (reason: unknown) => reason,
    );

    // Assess
    expect(thrown).toBe(error);
  });
});

describe('CreateImageBuilder readiness', () => {
  const { readiness } = operations.CreateImageBuilder;
  const input = operations.CreateImageBuilder.schema.parse({
    Name: NAME,
    ImageArn: 'arn:aws:appstream:us-east-1::image/Base',
    InstanceType: 'stream.standard.large',
  });

  it('names its events', () => {
    // Assess
    expect(readiness?.events).toStrictEqual({
      ready: 'ImageBuilderReady',
      failed: 'ImageBuilderFailed',
      timedOut: 'ImageBuilderWaitTimedOut',
    });
  });

  it('follows the builder AWS answered with, by name and ARN', () => {
    // Act
    const target = readiness?.target(input, {
      ImageBuilder: { Name: NAME, Arn: ARN, State: 'PENDING' },
    });

    // Assess
    expect(target).toStrictEqual({ name: NAME, arn: ARN });
  });

  it('follows the builder by the requested name when AWS answered without one', () => {
    // Act
    const target = readiness?.target(input, {});

    // Assess
    expect(target).toStrictEqual({ name: NAME });
  });

  it('checks on the builder through the AppStream client', async () => {
    // Prepare
    const { clients, aws } = mockedAwsClients();
    aws.appstream
      .on(DescribeImageBuildersCommand)
      .resolves({ ImageBuilders: [builder('RUNNING')] });

    // Act
    const seen = await readiness?.check(clients, FOLLOWED);

    // Assess
    expect(seen).toMatchObject({ verdict: 'ready', state: 'RUNNING' });
    expect(aws.appstream.commandCalls(DescribeImageBuildersCommand)).toHaveLength(1);
  });
});
