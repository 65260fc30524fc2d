import { readStackSettings, type StackSettings } from './settings.js';

type Env = Readonly<Record<string, string | undefined>>;

/** One setting of the offline stack: its variable, what it sets, and where its value lands. */
interface Setting {
  variable: string;
  meaning: string;
  /** The value in effect; undefined: not set, `unset` says what applies then. */
  value(settings: StackSettings): string | number | undefined;
  unset?: string;
}

const SERVERLESS_PARAM = "serverless.yml's local params";

/** Every variable `readStackSettings` reads, in the order of `.env.example`. */
export const SETTINGS: readonly Setting[] = [
  {
    variable: 'STACK_STAGE',
    meaning: 'stage whose params serverless.yml uses locally (table and topic names)',
    value: (s) => s.stage,
  },
  {
    variable: 'GUARDRAILS_STAGE',
    meaning: 'whose guardrails the local functions enforce: config/guardrails/<stage>.json',
    value: (s) => s.guardrailsStage,
  },
  {
    variable: 'AWS_REGION',
    meaning: 'region of every local ARN and client',
    value: (s) => s.region,
  },
  {
    variable: 'HTTP_PORT',
    meaning: 'port of the HTTP API (0 picks a free one, as for every port)',
    value: (s) => s.ports.http,
  },
  {
    variable: 'LAMBDA_PORT',
    meaning: "port of serverless-offline's Lambda API",
    value: (s) => s.ports.lambda,
  },
  {
    variable: 'SQS_SNS_PORT',
    meaning: 'port of SQS and SNS (fauxqs)',
    value: (s) => s.ports.sqsSns,
  },
  {
    variable: 'DYNAMODB_PORT',
    meaning: 'port of the embedded DynamoDB (behind the change capture)',
    value: (s) => s.ports.dynamodb,
  },
  {
    variable: 'EMULATOR_PORT',
    meaning: 'port of the Image Builder / AppStream emulator',
    value: (s) => s.ports.emulator,
  },
  {
    variable: 'STACK_CONTROL_PORT',
    meaning: 'port of the stack control API (/_stack/parts: SNS or DynamoDB outages)',
    value: (s) => s.ports.control,
  },
  {
    variable: 'AWS_ENDPOINT_URL_DYNAMODB',
    meaning: 'an existing DynamoDB with streams (DynamoDB Local) instead of the embedded engine',
    value: (s) => s.externalDynamoDb,
    unset: 'the embedded engine',
  },
  {
    variable: 'OUTBOX_MAXIMUM_RETRY_ATTEMPTS',
    meaning: "retries of a failed batch by the ledger stream's trigger",
    value: (s) => s.outboxStream.maximumRetryAttempts,
  },
  {
    variable: 'OUTBOX_MAXIMUM_RECORD_AGE_SECONDS',
    meaning: 'age past which ledger stream records are given up (to the outbox-failures queue)',
    value: (s) => s.outboxStream.maximumRecordAgeSeconds,
  },
  {
    variable: 'REQUEST_RETENTION_SECONDS',
    meaning: 'how long the request ledger keeps a request (the status lookup answers for it)',
    value: (s) => s.requestRetentionSeconds,
    unset: "serverless.yml's requestRetentionSeconds",
  },
  {
    variable: 'IAM_PROPAGATION_WINDOW_SECONDS',
    meaning: 'how long "IAM role or instance profile does not exist (yet)" is retried; 0: off',
    value: (s) => s.iamPropagationWindowSeconds,
    unset: SERVERLESS_PARAM,
  },
  {
    variable: 'EMULATOR_APPSTREAM_READY_DELAY_MS',
    meaning: 'how long emulated AppStream image builders stay PENDING',
    value: (s) => s.appstreamReadyDelayMs,
  },
  {
    variable: 'READINESS_FIRST_CHECK_SECONDS',
    meaning: 'first readiness check of a created image builder, after this long',
    value: (s) => s.readiness.firstCheckSeconds,
    unset: SERVERLESS_PARAM,
  },
  {
    variable: 'READINESS_MAX_CHECK_SECONDS',
    meaning: 'longest wait between readiness checks (doubling up to it)',
    value: (s) => s.readiness.maxCheckSeconds,
    unset: SERVERLESS_PARAM,
  },
  {
    variable: 'READINESS_TIMEOUT_SECONDS',
    meaning: 'when the follow-through gives up (ImageBuilderWaitTimedOut)',
    value: (s) => s.readiness.timeoutSeconds,
    unset: SERVERLESS_PARAM,
  },
  {
    variable: 'WATCH_VISIBILITY_TIMEOUT_SECONDS',
    meaning: "the watch queue's visibility timeout",
    value: (s) => s.watch.visibilityTimeoutSeconds,
  },
  {
    variable: 'QUEUE_VISIBILITY_TIMEOUT_SECONDS',
    meaning: "the request queue's visibility timeout (lower: quicker retries and dead-lettering)",
    value: (s) => s.visibilityTimeoutSeconds,
  },
  {
    variable: 'FUNCTION_CONCURRENCY',
    meaning: 'instances of one function the HTTP API runs at once',
    value: (s) => s.functionConcurrency,
  },
  {
    variable: 'STACK_DIR',
    meaning: 'where stack.json is written; one stack per directory',
    value: (s) => s.stackDir,
  },
];

const shown = (setting: Setting, settings: StackSettings): string =>
  String(setting.value(settings) ?? `(unset: ${setting.unset ?? 'default'})`);

/**
 * `npm start -- --help`: each setting with its value in `env` (the environment, `.env`
 * included), its default and its meaning. Settings that do not read are named at the end.
 */
export const settingsHelp = (env: Env, root: string): string => {
  const defaults = readStackSettings({}, root);
  let current = defaults;
  let problem: string | undefined;
  try {
    current = readStackSettings(env, root);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  const lines = SETTINGS.map((setting) => {
    const raw = env[setting.variable];
    const value = problem !== undefined && raw ? raw : shown(setting, current);
    return [
      `  ${setting.variable}=${value}`,
      `      ${setting.meaning}; default ${shown(setting, defaults)}`,
    ].join('\n');
  });
  return [
    'npm start: the whole service on 127.0.0.1 (README "The offline stack").',
    'Settings are environment variables, also read from .env (see .env.example); a variable set',
    'in the environment wins over .env. Each with its current value, then its meaning and default:',
    '',
    ...lines,
    ...(problem === undefined ? [] : ['', `Not valid, npm start would stop: ${problem}`]),
    '',
  ].join('\n');
};
