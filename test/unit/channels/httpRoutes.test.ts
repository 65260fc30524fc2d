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

describe('buildInput: the lifecycle routes', () => {
  const route = (key: string) => {
    const found = HTTP_ROUTES[key];
    if (!found) throw new Error(`route ${key} missing`);
    return found;
  };
  const listInfra = route('GET /infrastructure-configurations');
  const listBuilders = route('GET /image-builders');

  it('fills maxResults, nextToken and the name filter of a configuration list from the query', () => {
    expect(
      buildInput(listInfra, undefined, undefined, {
        maxResults: '10',
        nextToken: 'page-2',
        name: 'golden',
      }),
    ).toEqual({
      input: {
        maxResults: 10,
        nextToken: 'page-2',
        filters: [{ name: 'name', values: ['golden'] }],
      },
      errors: [],
    });
  });

  it('lists everything when the query is empty', () => {
    expect(buildInput(listInfra, undefined, undefined, {})).toEqual({ input: {}, errors: [] });
  });

  it('points at the member a query parameter fills when it is no integer', () => {
    expect(buildInput(listInfra, undefined, undefined, { maxResults: 'ten' }).errors).toEqual([
      { path: '/maxResults', message: 'must be an integer' },
    ]);
    expect(buildInput(listBuilders, undefined, undefined, { maxResults: '2.5' }).errors).toEqual([
      { path: '/MaxResults', message: 'must be an integer' },
    ]);
  });

  it('hands a number out of range to the schema, which knows the range', () => {
    expect(buildInput(listInfra, undefined, undefined, { maxResults: '26' }).input).toEqual({
      maxResults: 26,
    });
  });

  it('refuses a query parameter the route does not take, at its name', () => {
    expect(buildInput(listInfra, undefined, undefined, { max_results: '5' }).errors).toEqual([
      { path: '/max_results', message: 'unknown query parameter' },
    ]);
    expect(buildInput(listBuilders, undefined, undefined, { name: 'x' }).errors).toEqual([
      { path: '/name', message: 'unknown query parameter' },
    ]);
  });

  it('fills the AppStream members of the builder list', () => {
    expect(
      buildInput(listBuilders, undefined, undefined, { maxResults: '5', nextToken: 't' }).input,
    ).toEqual({ MaxResults: 5, NextToken: 't' });
  });

  it('reads one builder as a Names list of its name', () => {
    expect(buildInput(route('GET /image-builders/{name}'), undefined, 'design').input).toEqual({
      Names: ['design'],
    });
  });

  it.each([
    ['DELETE /infrastructure-configurations/{arn}', { infrastructureConfigurationArn: ARN }],
    ['POST /image-builders/{name}/stop', { Name: ARN }],
    ['DELETE /image-builders/{name}', { Name: ARN }],
  ])('builds %s from the path alone, whatever body came', (key, input) => {
    expect(buildInput(route(key), { anything: true }, ARN)).toEqual({ input, errors: [] });
  });

  it('starts a builder with or without a body', () => {
    const start = route('POST /image-builders/{name}/start');

    expect(buildInput(start, undefined, 'design').input).toEqual({ Name: 'design' });
    expect(buildInput(start, { AppstreamAgentVersion: '[LATEST]' }, 'design').input).toEqual({
      AppstreamAgentVersion: '[LATEST]',
      Name: 'design',
    });
    expect(buildInput(start, { Name: 'other' }, 'design').errors).toEqual([
      { path: '/Name', message: 'must equal the name in the request path' },
    ]);
  });

  it('takes the ARN of a distribution configuration update from the path', () => {
    const update = route('PUT /distribution-configurations/{arn}');

    expect(buildInput(update, { distributions: [] }, ARN).input).toEqual({
      distributions: [],
      distributionConfigurationArn: ARN,
    });
  });

  it('answers one builder of the list, or none', () => {
    const one = route('GET /image-builders/{name}');

    expect(one.answer?.({ ImageBuilders: [{ Name: 'design' }] })).toEqual({
      ImageBuilder: { Name: 'design' },
    });
    expect(one.answer?.({ ImageBuilders: [] })).toBeUndefined();
    expect(one.answer?.({})).toBeUndefined();
  });
});
