import { describe, expect, it } from 'vitest';
import { buildInput, HTTP_ROUTES, matchRoute } from '../../../src/channels/httpRoutes.js';

const ARN = 'arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/my-infra';

describe('matchRoute', () => {
  it('finds a route by its API Gateway route key', () => {
    expect(matchRoute('PUT /infrastructure-configurations/{arn}')?.operation).toBe(
      'UpdateInfrastructureConfiguration',
    );
  });

  it('finds nothing for a route key that is not one of ours, whatever the path looks like', () => {
    expect(matchRoute('$default')).toBeUndefined();
    expect(matchRoute('DELETE /image-builders')).toBeUndefined();
    expect(matchRoute('POST /unknown')).toBeUndefined();
    expect(matchRoute('constructor')).toBeUndefined();
  });

  it('creates with 201 and reads or updates with 200', () => {
    expect(Object.values(HTTP_ROUTES).map((r) => [r.operation, r.successStatus])).toEqual([
      ['CreateInfrastructureConfiguration', 201],
      ['ListInfrastructureConfigurations', 200],
      ['UpdateInfrastructureConfiguration', 200],
      ['GetInfrastructureConfiguration', 200],
      ['DeleteInfrastructureConfiguration', 200],
      ['CreateDistributionConfiguration', 201],
      ['ListDistributionConfigurations', 200],
      ['GetDistributionConfiguration', 200],
      ['UpdateDistributionConfiguration', 200],
      ['DeleteDistributionConfiguration', 200],
      ['CreateImageBuilder', 201],
      ['DescribeImageBuilders', 200],
      ['DescribeImageBuilders', 200],
      ['StopImageBuilder', 200],
      ['StartImageBuilder', 200],
      ['DeleteImageBuilder', 200],
    ]);
  });

  it('points Location at the percent-encoded ARN', () => {
    const location = HTTP_ROUTES['POST /infrastructure-configurations']?.location?.({
      infrastructureConfigurationArn: ARN,
    });

    expect(location).toBe(`/infrastructure-configurations/${encodeURIComponent(ARN)}`);
  });

  it('gives no Location for an ARN that cannot be percent-encoded (a lone surrogate)', () => {
    const location = HTTP_ROUTES['POST /infrastructure-configurations']?.location?.({
      infrastructureConfigurationArn: `${ARN}\ud800`,
    });

    expect(location).toBeUndefined();
  });
});

describe('buildInput', () => {
  const update = HTTP_ROUTES['PUT /infrastructure-configurations/{arn}'];
  const get = HTTP_ROUTES['GET /infrastructure-configurations/{arn}'];

  it('fills the ARN from the path when the body omits it', () => {
    if (!update) throw new Error('route missing');
    expect(buildInput(update, { instanceProfileName: 'p' }, ARN)).toEqual({
      input: { instanceProfileName: 'p', infrastructureConfigurationArn: ARN },
      errors: [],
    });
  });

  it('rejects a body ARN that differs from the path', () => {
    if (!update) throw new Error('route missing');
    expect(
      buildInput(update, { infrastructureConfigurationArn: `${ARN}-other` }, ARN).errors,
    ).toEqual([
      {
        path: '/infrastructureConfigurationArn',
        message: 'must equal the ARN in the request path',
      },
    ]);
  });

  it('builds a GET request from the path alone', () => {
    if (!get) throw new Error('route missing');
    expect(buildInput(get, undefined, ARN).input).toEqual({ infrastructureConfigurationArn: ARN });
  });
});
