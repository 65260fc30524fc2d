import { describe, expect, it } from 'vitest';
import { unicodePattern } from '../../../scripts/docs/jsonSchema.js';
import { APPSTREAM_ARN_PATTERN } from '../../../src/operations/schemas/constraints.js';
import {
  edgeValidRequests,
  invalidRequests,
  maximalRequests,
  validRequests,
} from '../../fixtures/requests.js';
import { readDocument } from './support.js';

/** Every `pattern` of a document. */
const patternsOf = (node: unknown): string[] => {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === 'pattern' && typeof value === 'string' ? [value] : patternsOf(value),
  );
};

/** The ARN members of the CreateImageBuilder fixtures: the model's own accept and reject cases. */
const fixtureArns = (): string[] => {
  const requests: unknown[] = [
    validRequests.CreateImageBuilder,
    maximalRequests.CreateImageBuilder,
    ...edgeValidRequests.CreateImageBuilder.map(({ request }) => request),
    ...invalidRequests.CreateImageBuilder.map(({ request }) => request),
  ];
  return requests.flatMap((request) => {
    if (typeof request !== 'object' || request === null) return [];
    return Object.entries(request).flatMap(([key, value]) =>
      (key === 'ImageArn' || key === 'IamRoleArn') && typeof value === 'string' ? [value] : [],
    );
  });
};

const resource = (length: number) =>
  `image-builder/${'a'.repeat(length - 'image-builder/'.length)}`;

/** Edge cases of com.amazonaws.appstream#Arn: each segment at and past its bounds. */
const ARN_CASES: Record<string, boolean> = {
  'arn:aws:appstream:us-east-1:123456789012:image-builder/my-builder': true,
  'arn:aws-cn:appstream:cn-north-1:123456789012:image/x': true,
  'arn:aws-iso-b:appstream:us-isob-east-1:123456789012:image/x': true,
  'arn:aws-iso:appstream:us-iso-east-1:123456789012:image/x': true,
  'arn:aws-us-gov:appstream:us-gov-west-1:123456789012:image/x': true,
  'arn:aws:appstream:us-east-1::image/AppStream-WinServer2022-06-17-2026': true,
  'arn:aws:iam::123456789012:role/path/my-role': true,
  'arn:aws:s3:::bucket': true,
  [`arn:aws:appstream:us-east-1:123456789012:${resource(1024)}`]: true,
  [`arn:aws:appstream:us-east-1:123456789012:${resource(1025)}`]: false,
  [`arn:aws:${'s'.repeat(63)}:us-east-1:123456789012:x`]: true,
  [`arn:aws:${'s'.repeat(64)}:us-east-1:123456789012:x`]: false,
  [`arn:aws:appstream:${'r'.repeat(63)}:123456789012:x`]: true,
  [`arn:aws:appstream:${'r'.repeat(64)}:123456789012:x`]: false,
  [`arn:aws:appstream:us-east-1:${'1'.repeat(63)}:x`]: true,
  [`arn:aws:appstream:us-east-1:${'1'.repeat(64)}:x`]: false,
  'arn:aws:appstream:us-east-1:123456789012:a\\b:c+=,@.-_/': true,
  'arn:aws-iso-e:appstream:us-east-1:123456789012:image/x': false,
  'arn:aws-eusc:appstream:us-east-1:123456789012:image/x': false,
  'arn:aws\\-cn:appstream:us-east-1:123456789012:image/x': false,
  'arn:aws-:appstream:us-east-1:123456789012:image/x': false,
  'arn:awscn:appstream:us-east-1:123456789012:image/x': false,
  'arn:aws:-appstream:us-east-1:123456789012:image/x': false,
  'arn:aws::us-east-1:123456789012:image/x': false,
  'arn:aws:appstream:us-east-1:123456789012:/image': false,
  'arn:aws:appstream:us-east-1:123456789012:': false,
  'arn:aws:appstream:us-east-1:123456789012:image builder': false,
  'arn:aws:appstream:us-east-1:123456789012:image/é': false,
  'arn:aws:appstream:us-east-1:123456789012:image/😀': false,
  'arn:aws:appstream:us-east-1:123456789012:image/x\n': false,
  ' arn:aws:appstream:us-east-1:123456789012:image/x': false,
  'arn:aws:appstream:us_east:1:x': true,
  '': false,
};

describe('patterns in the documents', () => {
  it('AppStream Arn: the model pattern does not compile with the u flag, its rewrite does', () => {
    expect(() => new RegExp(APPSTREAM_ARN_PATTERN.source, 'u')).toThrow(SyntaxError);
    expect(unicodePattern(APPSTREAM_ARN_PATTERN.source)).toBe(
      '^arn:aws(?:-cn|-iso-b|-iso|-us-gov)?:[A-Za-z0-9][A-Za-z0-9_/.-]{0,62}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9_/.-]{0,63}:[A-Za-z0-9][A-Za-z0-9:_/+=,@.\\\\-]{0,1023}$',
    );
  });

  it('AppStream Arn: the rewrite under u decides every edge case as the model pattern does', () => {
    // Prepare
    const model = new RegExp(APPSTREAM_ARN_PATTERN.source);
    const rewritten = new RegExp(unicodePattern(APPSTREAM_ARN_PATTERN.source), 'u');
    const fixtures = fixtureArns();
    const cases = [...Object.keys(ARN_CASES), ...fixtures];

    // Assess
    expect(fixtures.length).toBeGreaterThan(3);
    for (const [value, expected] of Object.entries(ARN_CASES)) {
      expect(model.test(value), JSON.stringify(value)).toBe(expected);
    }
    expect(cases.filter((value) => model.test(value) !== rewritten.test(value))).toEqual([]);
  });

  it('keeps escapes inside a character class and every other escape as written', () => {
    expect(unicodePattern('^a\\-b[\\-x]\\.c\\\\-$')).toBe('^a-b[\\-x]\\.c\\\\-$');
    expect(unicodePattern('^(?!aws:)[a-zA-Z0-9\\s_.:/=+\\-@]*$')).toBe(
      '^(?!aws:)[a-zA-Z0-9\\s_.:/=+\\-@]*$',
    );
  });

  it('stops on a pattern it cannot make compile with the u flag', () => {
    expect(() => unicodePattern('^\\c$')).toThrow(/does not compile with the u flag/);
  });

  it.each(['docs/openapi.json', 'docs/asyncapi.json', 'docs/schemas/request-message.json'])(
    '%s: every pattern compiles with the u flag, none is the model text that does not',
    (path) => {
      const patterns = patternsOf(readDocument(path));
      expect(patterns.length).toBeGreaterThan(10);
      for (const pattern of patterns) expect(() => new RegExp(pattern, 'u'), pattern).not.toThrow();
      expect(patterns).not.toContain(APPSTREAM_ARN_PATTERN.source);
      expect(patterns).toContain(unicodePattern(APPSTREAM_ARN_PATTERN.source));
    },
  );
});
