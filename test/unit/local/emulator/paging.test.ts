import { describe, expect, it } from 'vitest';
import { accessOf } from '../../../../local/emulator/callLog.js';
import { ServiceError } from '../../../../local/emulator/errors.js';
import { pageOf } from '../../../../local/emulator/paging.js';

const invalid = () => new ServiceError('InvalidPaginationTokenException', 'bad token');
const key = (item: string) => item;

describe('pageOf', () => {
  it('pages in key order and ends without a token', () => {
    // Prepare
    const items = ['c', 'a', 'b'];
    const request = { scope: { op: 'List' }, pageSize: 2, invalid };

    // Act
    const first = pageOf(items, key, request);
    const second = pageOf(items, key, { ...request, nextToken: first.nextToken });

    // Assess
    expect(first.items).toEqual(['a', 'b']);
    expect(first.nextToken).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(second).toEqual({ items: ['c'] });
  });

  it('refuses a token from another scope, and one that does not decode', () => {
    // Prepare
    const { nextToken } = pageOf(['a', 'b'], key, {
      scope: { filters: ['x'] },
      pageSize: 1,
      invalid,
    });

    // Act
    const other = () =>
      pageOf(['a', 'b'], key, { scope: { filters: ['y'] }, pageSize: 1, nextToken, invalid });
    const garbage = () => pageOf(['a'], key, { scope: {}, pageSize: 1, nextToken: '%%%', invalid });

    // Assess
    expect(other).toThrow('bad token');
    expect(garbage).toThrow('bad token');
  });
});

describe('accessOf', () => {
  it.each([
    ['GetDistributionConfiguration', 'read'],
    ['ListTagsForResource', 'read'],
    ['DescribeImageBuilders', 'read'],
    ['DeleteImageBuilder', 'write'],
    ['TagResource', 'write'],
    ['Listen', 'write'],
  ])('%s is a %s', (operation, access) => {
    // Act
    const result = accessOf(operation);

    // Assess
    expect(result).toBe(access);
  });
});
