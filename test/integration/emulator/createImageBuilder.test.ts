import {
  AppStreamServiceException,
  CreateImageBuilderCommand,
  type CreateImageBuilderCommandInput,
  InvalidParameterCombinationException,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-appstream';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_ID,
  ARN_PATTERNS,
  builderInput,
  REGION,
  rejectionOf,
  useEmulator,
} from './support.js';

const READY_DELAY_MS = 500;
const emulator = useEmulator({ appstreamReadyDelayMs: READY_DELAY_MS });

describe('CreateImageBuilder', () => {
  it('returns a PENDING builder with its ARN, image ARN, platform, epoch CreatedTime and the given members', async () => {
    // Prepare
    const input = builderInput({
      Name: 'Golden-Builder.1',
      Description: 'golden image builder',
      DisplayName: 'Golden builder',
      VpcConfig: { SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
      IamRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/builder`,
      EnableDefaultInternetAccess: false,
      AppstreamAgentVersion: 'LATEST',
      AccessEndpoints: [{ EndpointType: 'STREAMING', VpceId: 'vpce-1' }],
      RootVolumeConfig: { VolumeSizeInGb: 250 },
      DisableIMDSV1: true,
      Tags: { team: 'images' },
    });
    const before = Date.now();

    // Act
    const { ImageBuilder: builder, $metadata } = await emulator.appstream.send(
      new CreateImageBuilderCommand(input),
    );

    // Assess
    expect($metadata.httpStatusCode).toBe(200);
    expect(builder).toMatchObject({
      Name: 'Golden-Builder.1',
      Arn: `arn:aws:appstream:${REGION}:${ACCOUNT_ID}:image-builder/Golden-Builder.1`,
      ImageArn: `arn:aws:appstream:${REGION}::image/AppStream-WinServer2022-06-17-2024`,
      Description: input.Description,
      DisplayName: input.DisplayName,
      VpcConfig: input.VpcConfig,
      InstanceType: input.InstanceType,
      Platform: 'WINDOWS_SERVER_2022',
      IamRoleArn: input.IamRoleArn,
      State: 'PENDING',
      EnableDefaultInternetAccess: false,
      AppstreamAgentVersion: 'LATEST',
      AccessEndpoints: input.AccessEndpoints,
      RootVolumeConfig: input.RootVolumeConfig,
      DisableIMDSV1: true,
    });
    expect(builder?.Arn).toMatch(ARN_PATTERNS.appstream);
    expect(builder?.ImageArn).toMatch(ARN_PATTERNS.appstream);
    expect(builder?.CreatedTime).toBeInstanceOf(Date);
    expect(builder?.CreatedTime?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(builder?.NetworkAccessConfiguration?.EniId).toMatch(/^eni-[0-9a-f]{17}$/);
    expect(builder?.NetworkAccessConfiguration?.EniPrivateIpAddress).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(builder).not.toHaveProperty('Tags');
  });

  it('uses the given ImageArn and omits members that were not given', async () => {
    // Prepare
    const imageArn = `arn:aws:appstream:${REGION}:${ACCOUNT_ID}:image/my-image`;

    // Act
    const { ImageBuilder: builder } = await emulator.appstream.send(
      new CreateImageBuilderCommand(builderInput({ ImageName: undefined, ImageArn: imageArn })),
    );

    // Assess
    expect(builder?.ImageArn).toBe(imageArn);
    expect(builder?.Description).toBeUndefined();
    expect(builder?.VpcConfig).toBeUndefined();
    expect(builder?.DisableIMDSV1).toBeUndefined();
  });

  it('fails with ResourceAlreadyExistsException when the Name is taken', async () => {
    // Prepare
    const input = builderInput();
    await emulator.appstream.send(new CreateImageBuilderCommand(input));

    // Act
    const error = await rejectionOf(emulator.appstream.send(new CreateImageBuilderCommand(input)));

    // Assess
    expect(error).toBeInstanceOf(ResourceAlreadyExistsException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('fails with InvalidParameterCombinationException when both ImageName and ImageArn are given', async () => {
    // Act
    const error = await rejectionOf(
      emulator.appstream.send(
        new CreateImageBuilderCommand(
          builderInput({ ImageArn: `arn:aws:appstream:${REGION}::image/other` }),
        ),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidParameterCombinationException);
  });

  it.each<[string, Partial<CreateImageBuilderCommandInput>]>([
    ['a Name outside the Name pattern', { Name: '-leading-dash' }],
    ['a missing InstanceType', { InstanceType: undefined }],
    ['a Description over 256 characters', { Description: 'd'.repeat(257) }],
    ['six security groups', { VpcConfig: { SecurityGroupIds: ['a', 'b', 'c', 'd', 'e', 'f'] } }],
    ['an IamRoleArn that is not an ARN', { IamRoleArn: 'builder-role' }],
    ['a tag key starting with aws:', { Tags: { 'aws:x': 'y' } }],
  ])('rejects %s with ValidationException (400)', async (_case, overrides) => {
    // Act
    const error = await rejectionOf(
      emulator.appstream.send(new CreateImageBuilderCommand(builderInput(overrides))),
    );

    // Assess
    expect(error).toBeInstanceOf(AppStreamServiceException);
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toContain('failed to satisfy constraint');
  });

  it('accepts Unicode tag keys and values (patterns evaluated with the u flag)', async () => {
    // Act
    const output = await emulator.appstream.send(
      new CreateImageBuilderCommand(builderInput({ Tags: { équipe: 'Bildbau 2' } })),
    );

    // Assess
    expect(output.ImageBuilder?.State).toBe('PENDING');
  });
});
