import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { projectRoot } from './build.js';

/** The project's own Node (the `node` dev dependency), the one every npm script runs on. */
export const projectNode = join(projectRoot, 'node_modules', '.bin', 'node');
const INVOKER = join(projectRoot, 'bench', 'invoke.mjs');

/** Names the functions read, as in a deployed stage; the stub answers for them all. */
export const BENCH_TABLES = {
  idempotency: 'image-provisioner-bench-idempotency',
  requests: 'image-provisioner-bench-requests',
};

interface Provider {
  memorySize?: unknown;
  environment?: Record<string, unknown>;
}

const provider = (): Provider =>
  (load(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as { provider: Provider })
    .provider;

/** Node options the service deploys with (serverless.yml `provider.environment.NODE_OPTIONS`). */
export const deployedNodeOptions = (): string | undefined => {
  const value = provider().environment?.NODE_OPTIONS;
  return typeof value === 'string' ? value : undefined;
};

/**
 * What Lambda gives every function (region, credentials from the role, the function's name and
 * memory), the AWS endpoints on the stub, and the service's own settings for a deployed stage.
 * Both sides get the same; only the project gets its deployed NODE_OPTIONS.
 */
export const lambdaEnvironment = (
  stubUrl: string,
  stubCertificate: string,
  functionName: string,
  memorySize: number,
): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  LANG: 'en_US.UTF-8',
  TZ: ':UTC',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
  AWS_SECRET_ACCESS_KEY: 'bench/bench/bench/bench/bench/bench/bench0',
  AWS_SESSION_TOKEN: 'bench-session-token',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: `image-provisioner-bench-${functionName}`,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  LAMBDA_TASK_ROOT: projectRoot,
  NODE_EXTRA_CA_CERTS: stubCertificate,
  AWS_ENDPOINT_URL_DYNAMODB: stubUrl,
  AWS_ENDPOINT_URL_IMAGEBUILDER: stubUrl,
  AWS_ENDPOINT_URL_APPSTREAM: stubUrl,
  AWS_ENDPOINT_URL_SNS: stubUrl,
  AWS_ENDPOINT_URL_SQS: stubUrl,
  IDEMPOTENCY_TABLE_NAME: BENCH_TABLES.idempotency,
  REQUESTS_TABLE_NAME: BENCH_TABLES.requests,
  OUTCOMES_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:image-provisioner-bench-outcomes',
  WATCH_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/image-provisioner-bench-watch',
  OUTCOME_SOURCE: 'image-provisioner.bench',
  GUARDRAILS_FILE: 'config/guardrails/dev.json',
  POWERTOOLS_SERVICE_NAME: 'image-provisioner',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_METRICS_NAMESPACE: 'image-provisioner/bench',
});

/** The memory every function gets (serverless.yml `provider.memorySize`, its default param). */
export const deployedMemorySize = (): number => {
  const definition = load(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as {
    params: { default: { memorySize: number } };
  };
  return definition.params.default.memorySize;
};

let serial = 0;

/**
 * The options Lambda's Node.js runtime starts node with for a function of `memorySize` MB: V8's
 * young and old generations sized from the function's memory rather than from this machine's.
 */
export const lambdaNodeArguments = (memorySize: number): string[] => {
  const newSpace = Math.floor(memorySize / 10);
  return [
    '--expose-gc',
    '--max-http-header-size=81920',
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memorySize - newSpace}`,
  ];
};

export interface ChildRun<T> {
  /** From spawning the process to its exit, ms. */
  wallMs: number;
  result: T;
  /** Bytes the function wrote to standard output (its logs). */
  outputBytes: number;
}

/** Runs bench/invoke.mjs once; rejects when it fails or measures nothing. */
export const runChild = <T>(
  args: { mode: 'cold' | 'warm'; bundle: string; events: string; settings?: unknown },
  env: NodeJS.ProcessEnv,
): Promise<ChildRun<T>> =>
  new Promise((resolve, reject) => {
    // The function's output goes to a file, as Lambda's runtime takes it off the function's hands:
    // a pipe the benchmark drains late would block the writes and time the benchmark instead.
    serial += 1;
    const outputFile = join(tmpdir(), `image-provisioner-bench-${process.pid}-${serial}.log`);
    const output = openSync(outputFile, 'w');
    const started = performance.now();
    const child = spawn(
      projectNode,
      [
        ...lambdaNodeArguments(Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE)),
        INVOKER,
        args.mode,
        args.bundle,
        args.events,
        JSON.stringify(args.settings ?? {}),
      ],
      { cwd: projectRoot, env, stdio: ['ignore', output, 'pipe', 'pipe'] },
    );
    closeSync(output);
    let errors = '';
    let measured = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      measured += chunk.toString();
    });
    child.on('error', reject);
    let wallMs = 0;
    child.on('exit', () => {
      wallMs = performance.now() - started;
    });
    // 'close' comes once the pipes are drained too.
    child.on('close', (code) => {
      const outputBytes = statSync(outputFile).size;
      rmSync(outputFile, { force: true });
      if (code !== 0 || !measured.trim()) {
        reject(new Error(`${args.bundle} (${args.mode}) exited ${code}: ${errors.slice(-2000)}`));
        return;
      }
      resolve({ wallMs, result: JSON.parse(measured) as T, outputBytes });
    });
  });
