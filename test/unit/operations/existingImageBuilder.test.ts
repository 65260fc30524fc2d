import { describe, expect, it } from 'vitest';
import { matchesRequest } from '../../../src/operations/existingImageBuilder.js';

const input = {
  Name: 'b1',
  InstanceType: 'stream.standard.medium',
  ImageArn: 'arn:aws:appstream:us-east-1::image/Base',
  VpcConfig: { SubnetIds: ['subnet-1'] },
};
const builder = {
  Name: 'b1',
  InstanceType: 'stream.standard.medium',
  ImageArn: 'arn:aws:appstream:us-east-1::image/Base',
  VpcConfig: { SubnetIds: ['subnet-1'], SecurityGroupIds: ['sg-1'] },
  State: 'PENDING' as const,
  Platform: 'WINDOWS_SERVER_2022' as const,
};

describe('matchesRequest', () => {
  it('matches when every member the request states is what AWS has', () => {
    expect(matchesRequest(builder, input)).toBe(true);
  });

  it('matches an ImageName against the image in the builder ARN', () => {
    const { ImageArn: _arn, ...rest } = input;
    expect(matchesRequest(builder, { ...rest, ImageName: 'Base' })).toBe(true);
    expect(matchesRequest(builder, { ...rest, ImageName: 'Other' })).toBe(false);
  });

  it.each([
    ['another instance type', { InstanceType: 'stream.standard.large' }],
    ['another image', { ImageArn: 'arn:aws:appstream:us-east-1::image/Other' }],
    ['another subnet', { VpcConfig: { SubnetIds: ['subnet-2'] } }],
    ['a description AWS does not have', { Description: 'new' }],
    ['another name', { Name: 'b2' }],
  ])('does not match %s', (_, change) => {
    expect(matchesRequest(builder, { ...input, ...change })).toBe(false);
  });
});
