import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { load } from 'js-yaml';

/** Everything the offline stack can be told, from environment variables (see `.env.example`). */
export interface StackSettings {
  stage: string;
  region: string;
  service: string;
  ports: {
    http: number;
    lambda: number;
    sqsSns: number;
    dynamodb: number;
    emulator: number;
    control: number;
  };
  /** An existing DynamoDB endpoint to use instead of the embedded engine. */
  externalDynamoDb: string | undefined;
  appstreamReadyDelayMs: number;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  /** The watch queue's redrive (serverless.yml `custom.watch`; visibility can be shortened). */
  watch: { visibilityTimeoutSeconds: number; maxReceiveCount: number };
  /**
   * How the local functions follow a created image builder (`READINESS_*_SECONDS`); each
   * undefined: serverless.yml's local params.
   */
  readiness: {
    timeoutSeconds: number | undefined;
    firstCheckSeconds: number | undefined;
    maxCheckSeconds: number | undefined;
  };
  stackDir: string;
  /**
   * Instances of one function the HTTP API runs at once (`FUNCTION_CONCURRENCY`); further
   * requests wait for one, within the integration timeout. Default: twice the cores, at least 4.
   */
  functionConcurrency: number;
  /** The stage whose guardrails the local functions enforce (`GUARDRAILS_STAGE`, default the stage). */
  guardrailsStage: string;
  /** Names the local stage gives the table and topic (serverless.yml `params.local`). */
  idempotencyTable: string;
  outcomesTopicName: string;
  /** The request ledger's table, whose stream triggers the outbox function. */
  requestsTable: string;
  /** The ledger stream's event source mapping: when it gives a batch up. */
  outboxStream: { maximumRetryAttempts: number; maximumRecordAgeSeconds: number };
  /**
   * How long the local functions' request ledger keeps a request (`REQUEST_RETENTION_SECONDS`);
   * undefined: serverless.yml's `requestRetentionSeconds`.
   */
  requestRetentionSeconds: number | undefined;
  /**
   * How long the local functions retry IAM propagation errors (`IAM_PROPAGATION_WINDOW_SECONDS`,
   * read by serverless.yml's local params; checked here so a bad value stops the start);
   * undefined: 120 s, as deployed.
   */
  iamPropagationWindowSeconds: number | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

interface ServerlessDefinition {
  service: string;
  params: { default: { maxReceiveCount: number } };
  custom: {
    queue: { visibilityTimeout: number };
    watch: { visibilityTimeout: number; maxReceiveCount: number };
  };
}

const port = (env: Env, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new Error(`${name} must be a port number (0-65535), got "${raw}"`);
  }
  return value;
};

const positive = (env: Env, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
};

/** A whole number of 1 or more, or undefined when not set. */
const optionalPositive = (env: Env, name: string): number | undefined => {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
};

/** Seconds from 0 to 43,200 (the functions' own bound), or undefined when not set. */
const optionalWindow = (env: Env, name: string): number | undefined => {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0 || value > 43_200) {
    throw new Error(`${name} must be a whole number of seconds from 0 to 43200, got "${raw}"`);
  }
  return value;
};

/** The queue's redrive and visibility come from serverless.yml, so local and cloud agree. */
const readServerlessDefinition = (root: string): ServerlessDefinition =>
  load(readFileSync(resolve(root, 'serverless.yml'), 'utf8')) as ServerlessDefinition;

export const readStackSettings = (env: Env = process.env, root = process.cwd()): StackSettings => {
  const definition = readServerlessDefinition(root);
  const stage = env.STACK_STAGE || 'local';
  const service = definition.service;
  return {
    stage,
    region: env.AWS_REGION || 'us-east-1',
    service,
    ports: {
      http: port(env, 'HTTP_PORT', 3000),
      lambda: port(env, 'LAMBDA_PORT', 3002),
      sqsSns: port(env, 'SQS_SNS_PORT', 4566),
      dynamodb: port(env, 'DYNAMODB_PORT', 8000),
      emulator: port(env, 'EMULATOR_PORT', 4599),
      control: port(env, 'STACK_CONTROL_PORT', 4600),
    },
    externalDynamoDb: env.AWS_ENDPOINT_URL_DYNAMODB || undefined,
    appstreamReadyDelayMs: positive(env, 'EMULATOR_APPSTREAM_READY_DELAY_MS', 2000),
    visibilityTimeoutSeconds: positive(
      env,
      'QUEUE_VISIBILITY_TIMEOUT_SECONDS',
      definition.custom.queue.visibilityTimeout,
    ),
    maxReceiveCount: definition.params.default.maxReceiveCount,
    watch: {
      visibilityTimeoutSeconds: positive(
        env,
        'WATCH_VISIBILITY_TIMEOUT_SECONDS',
        definition.custom.watch.visibilityTimeout,
      ),
      maxReceiveCount: definition.custom.watch.maxReceiveCount,
    },
    readiness: {
      timeoutSeconds: optionalPositive(env, 'READINESS_TIMEOUT_SECONDS'),
      firstCheckSeconds: optionalPositive(env, 'READINESS_FIRST_CHECK_SECONDS'),
      maxCheckSeconds: optionalPositive(env, 'READINESS_MAX_CHECK_SECONDS'),
    },
    stackDir: resolve(root, env.STACK_DIR || '.local'),
    functionConcurrency:
      optionalPositive(env, 'FUNCTION_CONCURRENCY') ?? Math.max(4, 2 * availableParallelism()),
    guardrailsStage: env.GUARDRAILS_STAGE || stage,
    idempotencyTable: `${service}-${stage}-idempotency`,
    outcomesTopicName: `${service}-${stage}-outcomes`,
    requestsTable: `${service}-${stage}-requests`,
    outboxStream: {
      maximumRetryAttempts: positive(env, 'OUTBOX_MAXIMUM_RETRY_ATTEMPTS', 5),
      maximumRecordAgeSeconds: positive(env, 'OUTBOX_MAXIMUM_RECORD_AGE_SECONDS', 3600),
    },
    requestRetentionSeconds: optionalPositive(env, 'REQUEST_RETENTION_SECONDS'),
    iamPropagationWindowSeconds: optionalWindow(env, 'IAM_PROPAGATION_WINDOW_SECONDS'),
  };
};
