import { loadGuardrailPolicy } from './guardrails/loadPolicy.js';
import type { GuardrailPolicy } from './guardrails/policy.js';
import { DEFAULT_WATCH_TIMING, MAX_CHECK_DELAY_SECONDS, type WatchTiming } from './ledger/watch.js';
import {
  DEFAULT_IAM_PROPAGATION_WINDOW_SECONDS,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
} from './provisioning/retry.js';

/**
 * Service configuration, read once at cold start. A missing or malformed setting
 * fails the init phase loudly instead of surfacing mid-request.
 */
export interface Config {
  readonly region: string;
  readonly idempotencyTableName: string;
  readonly outcomesTopicArn: string;
  /** The request ledger (`REQUESTS_TABLE_NAME`), whose stream feeds the outbox. */
  readonly requestsTableName: string;
  /** How long a request's record is kept (`REQUEST_RETENTION_SECONDS`, default 7 days). */
  readonly requestRetentionSeconds: number;
  /** How long a clientToken is remembered (Powertools record TTL). */
  readonly idempotencyTtlSeconds: number;
  /** The request queue's maxReceiveCount: the receive that gets no further retry. */
  readonly queueMaxReceiveCount: number;
  /** CloudEvents `source` of published outcomes. */
  readonly outcomeSource: string;
  /** Largest request body accepted, in bytes (HTTP body or queue message). */
  readonly maxRequestBytes: number;
  /**
   * The stage's guardrails (`GUARDRAILS_FILE`). Without a file the policy is empty, which still
   * denies everything its `sharing` rules govern.
   */
  readonly guardrails: GuardrailPolicy;
  /** The account the service runs in and provisions into: that of its own outcomes topic. */
  readonly accountId: string;
  /**
   * Backoff for throttled and transient AWS calls (the SDK's own retries are off for them), and
   * how long IAM propagation errors are retried (`IAM_PROPAGATION_WINDOW_SECONDS`).
   */
  readonly retryPolicy: RetryPolicy;
  /**
   * How long a created resource is followed until usable, and how often it is checked
   * (`READINESS_TIMEOUT_SECONDS`, `READINESS_FIRST_CHECK_SECONDS`, `READINESS_MAX_CHECK_SECONDS`).
   */
  readonly watchTiming: WatchTiming;
  /** The watch queue (`WATCH_QUEUE_URL`): where the outbox schedules checks. */
  readonly watchQueueUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const required = (env: Env, name: string): string => {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`Missing required environment variable ${name}`);
  return value;
};

const positiveInt = (env: Env, name: string, fallback: number): number => {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
};

/** The longest SQS holds a message back at once (ChangeMessageVisibility `VisibilityTimeout`). */
const MAX_IAM_PROPAGATION_WINDOW_SECONDS = 43_200;

/** Seconds IAM propagation errors are retried after a request was first sent; 0 turns it off. */
const iamPropagationWindowSeconds = (env: Env): number => {
  const name = 'IAM_PROPAGATION_WINDOW_SECONDS';
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return DEFAULT_IAM_PROPAGATION_WINDOW_SECONDS;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_IAM_PROPAGATION_WINDOW_SECONDS) {
    throw new ConfigError(
      `${name} must be a whole number of seconds from 0 to ${MAX_IAM_PROPAGATION_WINDOW_SECONDS}, got "${raw}"`,
    );
  }
  return value;
};

/** The account of an ARN such as the outcomes topic's (arn:partition:service:region:account:...). */
const accountOf = (arn: string, name: string): string => {
  const account = arn.split(':')[4] ?? '';
  if (!arn.startsWith('arn:') || !/^\d{12}$/.test(account)) {
    throw new ConfigError(`${name} must be an ARN with a 12-digit account, got "${arn}"`);
  }
  return account;
};

const watchTimingOf = (env: Env): WatchTiming => {
  const timing = {
    timeoutSeconds: positiveInt(
      env,
      'READINESS_TIMEOUT_SECONDS',
      DEFAULT_WATCH_TIMING.timeoutSeconds,
    ),
    firstCheckSeconds: positiveInt(
      env,
      'READINESS_FIRST_CHECK_SECONDS',
      DEFAULT_WATCH_TIMING.firstCheckSeconds,
    ),
    maxCheckSeconds: positiveInt(
      env,
      'READINESS_MAX_CHECK_SECONDS',
      DEFAULT_WATCH_TIMING.maxCheckSeconds,
    ),
  };
  if (timing.maxCheckSeconds > MAX_CHECK_DELAY_SECONDS) {
    throw new ConfigError(
      `READINESS_MAX_CHECK_SECONDS must be at most ${MAX_CHECK_DELAY_SECONDS} (SQS's longest delay)`,
    );
  }
  return timing;
};

export const readConfig = (env: Env = process.env): Config => {
  const outcomesTopicArn = required(env, 'OUTCOMES_TOPIC_ARN');
  return {
    region: env.AWS_REGION?.trim() || required(env, 'AWS_DEFAULT_REGION'),
    idempotencyTableName: required(env, 'IDEMPOTENCY_TABLE_NAME'),
    outcomesTopicArn,
    accountId: accountOf(outcomesTopicArn, 'OUTCOMES_TOPIC_ARN'),
    requestsTableName: required(env, 'REQUESTS_TABLE_NAME'),
    requestRetentionSeconds: positiveInt(env, 'REQUEST_RETENTION_SECONDS', 604_800),
    idempotencyTtlSeconds: positiveInt(env, 'IDEMPOTENCY_TTL_SECONDS', 86_400),
    queueMaxReceiveCount: positiveInt(env, 'QUEUE_MAX_RECEIVE_COUNT', 5),
    outcomeSource: env.OUTCOME_SOURCE?.trim() || 'image-provisioner',
    maxRequestBytes: positiveInt(env, 'MAX_REQUEST_BYTES', 262_144),
    guardrails: env.GUARDRAILS_FILE?.trim() ? loadGuardrailPolicy(env.GUARDRAILS_FILE.trim()) : {},
    watchTiming: watchTimingOf(env),
    watchQueueUrl: env.WATCH_QUEUE_URL?.trim() || undefined,
    retryPolicy: {
      maxAttempts: positiveInt(env, 'AWS_CALL_MAX_ATTEMPTS', DEFAULT_RETRY_POLICY.maxAttempts),
      baseDelayMs: positiveInt(env, 'AWS_CALL_BASE_DELAY_MS', DEFAULT_RETRY_POLICY.baseDelayMs),
      maxDelayMs: positiveInt(env, 'AWS_CALL_MAX_DELAY_MS', DEFAULT_RETRY_POLICY.maxDelayMs),
      iamPropagationWindowMs: iamPropagationWindowSeconds(env) * 1000,
    },
  };
};
