import { describe, expect, it } from 'vitest';
import { batchInfoOf, parseRedriveArguments, USAGE } from '../../../scripts/redrive.js';

/* The redrive command's command line, and how it reads an on-failure record. */

const refused = (...args: string[]) => {
  const parsed = parseRedriveArguments(args);
  if (parsed.kind !== 'refused') throw new Error(`not refused: ${JSON.stringify(parsed)}`);
  return parsed.problem;
};

const options = (...args: string[]) => {
  const parsed = parseRedriveArguments(args);
  if (parsed.kind !== 'run') throw new Error(`not run: ${JSON.stringify(parsed)}`);
  return parsed.options;
};

describe('parseRedriveArguments', () => {
  it('runs on the offline stack without --stage, with the defaults', () => {
    expect(options('requests')).toEqual({
      target: 'requests',
      stage: undefined,
      region: undefined,
      stack: undefined,
      queueUrl: undefined,
      functionName: undefined,
      rate: undefined,
      timeoutSeconds: 300,
    });
    expect(options('watch').target).toBe('watch');
    expect(options('outcomes').target).toBe('outcomes');
  });

  it('takes a deployment and its overrides, as --name value or --name=value', () => {
    expect(
      options(
        'outcomes',
        '--stage',
        'prod',
        '--region=eu-west-1',
        '--stack',
        'provisioner-prod',
        '--function',
        'provisioner-prod-outbox',
        '--queue-url',
        'https://sqs.eu-west-1.amazonaws.com/123456789012/failures',
        '--timeout=60',
      ),
    ).toEqual({
      target: 'outcomes',
      stage: 'prod',
      region: 'eu-west-1',
      stack: 'provisioner-prod',
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/failures',
      functionName: 'provisioner-prod-outbox',
      rate: undefined,
      timeoutSeconds: 60,
    });
    expect(options('--rate', '50', 'requests', '--stage', 'dev').rate).toBe(50);
  });

  it('asks for help with --help or -h', () => {
    expect(parseRedriveArguments(['--help'])).toEqual({ kind: 'help' });
    expect(parseRedriveArguments(['requests', '-h'])).toEqual({ kind: 'help' });
    expect(USAGE).toContain('npm run redrive -- <requests|watch|outcomes>');
  });

  it('refuses a missing, unknown or second target', () => {
    expect(refused()).toBe('no target given');
    expect(refused('--stage', 'dev')).toBe('no target given');
    expect(refused('dlq')).toBe('unknown target "dlq"');
    expect(refused('requests', 'outcomes')).toBe('one target expected, got 2');
  });

  it('refuses unknown options, options without a value and options given twice', () => {
    expect(refused('requests', '--force')).toBe('unknown option --force');
    expect(refused('requests', '--stage')).toBe('--stage needs a value');
    expect(refused('requests', '--stage', '--rate', '5')).toBe('--stage needs a value');
    expect(refused('requests', '--stage=')).toBe('--stage needs a value');
    expect(refused('requests', '--stage', 'a', '--stage', 'b')).toBe('--stage given twice');
  });

  it('refuses values out of range and options that do not apply', () => {
    expect(refused('requests', '--rate', '0')).toContain('--rate must be an integer from 1 to 500');
    expect(refused('requests', '--rate', '501')).toContain(
      '--rate must be an integer from 1 to 500',
    );
    expect(refused('requests', '--rate', '2.5')).toContain('--rate must be');
    expect(refused('requests', '--timeout', '0')).toContain('--timeout must be whole seconds');
    expect(refused('requests', '--timeout', 'soon')).toContain('--timeout must be whole seconds');
    expect(refused('requests', '--stage', 'dev/../prod')).toContain('is not a stage name');
    expect(refused('outcomes', '--rate', '5')).toBe('--rate does not apply to outcomes');
    expect(refused('requests', '--stage', 'dev', '--function', 'f')).toBe(
      '--function does not apply to requests',
    );
    // AWS-only settings without a deployment would be silently ignored: refused instead.
    expect(refused('requests', '--region', 'eu-west-1')).toBe(
      '--region needs --stage (a deployment)',
    );
    expect(refused('outcomes', '--function', 'f')).toBe('--function needs --stage (a deployment)');
  });
});

describe('batchInfoOf', () => {
  const info = {
    shardId: 'shardId-00000001764000000000-0a1b2c3d',
    startSequenceNumber: '000000000000000000011',
    endSequenceNumber: '000000000000000000014',
    approximateArrivalOfFirstRecord: '2026-11-30T10:00:00Z',
    approximateArrivalOfLastRecord: '2026-11-30T10:00:01Z',
    batchSize: 4,
    streamArn:
      'arn:aws:dynamodb:us-east-1:123456789012:table/requests/stream/2026-11-30T09:00:00.000',
  };

  it("reads the batch of Lambda's on-failure record for a DynamoDB stream", () => {
    expect(
      batchInfoOf(
        JSON.stringify({
          requestContext: { condition: 'RetryAttemptsExhausted' },
          version: '1.0',
          DDBStreamBatchInfo: info,
        }),
      ),
    ).toEqual(info);
  });

  it('finds none in anything else', () => {
    expect(batchInfoOf(undefined)).toBeUndefined();
    expect(batchInfoOf('not json')).toBeUndefined();
    expect(batchInfoOf(JSON.stringify({ version: '1.0' }))).toBeUndefined();
    expect(
      batchInfoOf(
        JSON.stringify({ DDBStreamBatchInfo: { ...info, startSequenceNumber: 'first' } }),
      ),
    ).toBeUndefined();
    expect(
      batchInfoOf(JSON.stringify({ DDBStreamBatchInfo: { ...info, batchSize: '4' } })),
    ).toBeUndefined();
  });
});
