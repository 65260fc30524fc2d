import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.js';

const env = {
  AWS_REGION: 'eu-west-1',
  IDEMPOTENCY_TABLE_NAME: 'table',
  OUTCOMES_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:outcomes',
  REQUESTS_TABLE_NAME: 'requests',
};

const windowOf = (value: string | undefined) =>
  readConfig({ ...env, IAM_PROPAGATION_WINDOW_SECONDS: value }).retryPolicy.iamPropagationWindowMs;

describe('IAM_PROPAGATION_WINDOW_SECONDS', () => {
  it('is 120 s when not set', () => {
    expect(windowOf(undefined)).toBe(120_000);
    expect(windowOf(' ')).toBe(120_000);
  });

  it('is read in seconds; 0 turns the retries off', () => {
    expect(windowOf('30')).toBe(30_000);
    expect(windowOf('0')).toBe(0);
    expect(windowOf('43200')).toBe(43_200_000);
  });

  it.each(['-1', '1.5', '2m', '43201'])('fails the init on %s', (value) => {
    expect(() => windowOf(value)).toThrow(ConfigError);
    expect(() => windowOf(value)).toThrow(
      `IAM_PROPAGATION_WINDOW_SECONDS must be a whole number of seconds from 0 to 43200, got "${value}"`,
    );
  });
});
