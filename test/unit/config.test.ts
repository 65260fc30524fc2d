import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.js';

const env = {
  AWS_REGION: 'eu-west-1',
  IDEMPOTENCY_TABLE_NAME: 'table',
  OUTCOMES_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:outcomes',
  REQUESTS_TABLE_NAME: 'requests',
};

describe('readConfig', () => {
  it('applies defaults: 24 h TTL, 5 receives, the service name as source', () => {
    expect(readConfig(env)).toEqual({
      region: 'eu-west-1',
      idempotencyTableName: 'table',
      outcomesTopicArn: 'arn:aws:sns:eu-west-1:123456789012:outcomes',
      idempotencyTtlSeconds: 86_400,
      queueMaxReceiveCount: 5,
      outcomeSource: 'image-provisioner',
      maxRequestBytes: 262_144,
      guardrails: {},
      accountId: '123456789012',
      requestsTableName: 'requests',
      requestRetentionSeconds: 604_800,
      retryPolicy: {
        maxAttempts: 4,
        baseDelayMs: 100,
        maxDelayMs: 2_000,
        iamPropagationWindowMs: 120_000,
      },
      watchTiming: { timeoutSeconds: 3_600, firstCheckSeconds: 60, maxCheckSeconds: 300 },
      watchQueueUrl: undefined,
    });
  });

  it('reads how a created resource is followed, and the watch queue', () => {
    const config = readConfig({
      ...env,
      READINESS_TIMEOUT_SECONDS: '120',
      READINESS_FIRST_CHECK_SECONDS: '2',
      READINESS_MAX_CHECK_SECONDS: '10',
      WATCH_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/watch',
    });

    expect(config).toMatchObject({
      watchTiming: { timeoutSeconds: 120, firstCheckSeconds: 2, maxCheckSeconds: 10 },
      watchQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/watch',
    });
  });

  it('refuses a check interval longer than SQS can delay a message', () => {
    expect(() => readConfig({ ...env, READINESS_MAX_CHECK_SECONDS: '901' })).toThrow(
      'READINESS_MAX_CHECK_SECONDS must be at most 900',
    );
  });

  it('reads the TTL and receive count when set', () => {
    const config = readConfig({
      ...env,
      IDEMPOTENCY_TTL_SECONDS: '600',
      QUEUE_MAX_RECEIVE_COUNT: '3',
    });

    expect(config).toMatchObject({ idempotencyTtlSeconds: 600, queueMaxReceiveCount: 3 });
  });

  it("takes the service's account from its outcomes topic, and fails on a topic ARN without one", () => {
    expect(readConfig(env).accountId).toBe('123456789012');
    expect(() =>
      readConfig({ ...env, OUTCOMES_TOPIC_ARN: 'arn:aws:sns:eu-west-1::outcomes' }),
    ).toThrow(ConfigError);
    expect(() => readConfig({ ...env, OUTCOMES_TOPIC_ARN: 'outcomes' })).toThrow(ConfigError);
  });

  it('reads the request retention, and fails loudly without the requests table', () => {
    expect(readConfig({ ...env, REQUEST_RETENTION_SECONDS: '3600' }).requestRetentionSeconds).toBe(
      3600,
    );
    expect(() => readConfig({ ...env, REQUESTS_TABLE_NAME: '' })).toThrow(ConfigError);
  });

  it('fails loudly on a missing table name', () => {
    expect(() => readConfig({ ...env, IDEMPOTENCY_TABLE_NAME: '' })).toThrow(ConfigError);
  });

  it('fails loudly on a malformed number', () => {
    expect(() => readConfig({ ...env, IDEMPOTENCY_TTL_SECONDS: '1h' })).toThrow(
      'IDEMPOTENCY_TTL_SECONDS must be a positive integer, got "1h"',
    );
  });

  it('loads the guardrail policy named by GUARDRAILS_FILE', () => {
    const config = readConfig({ ...env, GUARDRAILS_FILE: 'config/guardrails/dev.json' });

    expect(config.guardrails.infrastructure?.requireImdsV2).toBe(true);
  });

  it('fails loudly when GUARDRAILS_FILE names a missing file', () => {
    expect(() => readConfig({ ...env, GUARDRAILS_FILE: 'config/guardrails/nope.json' })).toThrow(
      /Cannot read the guardrail policy config\/guardrails\/nope\.json/,
    );
  });
});
