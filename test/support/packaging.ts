import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { load } from 'js-yaml';

/**
 * `sls package` of a stage, run as `npm run package` runs it (scripts/package.ts), offline and
 * without AWS credentials, and the CloudFormation templates it writes.
 */

export const PACKAGE_TIMEOUT_MS = 120_000;
export const projectRoot = join(import.meta.dirname, '..', '..');
const PACKAGE_SCRIPT = join(projectRoot, 'scripts', 'package.ts');

export interface Resource {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: free-form CloudFormation JSON; the assertions check its shape
  Properties: Record<string, any>;
  DependsOn?: string | string[];
  Condition?: string;
}

export interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}

/** The two templates osls writes: the first deploy's, and every later deploy's. */
export const TEMPLATE_FILES = {
  create: 'cloudformation-template-create-stack.json',
  update: 'cloudformation-template-update-stack.json',
} as const;
export type TemplateKind = keyof typeof TEMPLATE_FILES;

/**
 * The stages that are deployed: the default stage (`provider.stage`, dev) and every stage of
 * serverless.yml `params` but `default` and `local` (`sls invoke local` / `sls offline` only).
 */
export const shippedStages = (): string[] => {
  const definition = load(readFileSync(join(projectRoot, 'serverless.yml'), 'utf8')) as {
    params: Record<string, unknown>;
  };
  const named = Object.keys(definition.params).filter((s) => s !== 'default' && s !== 'local');
  return ['dev', ...named.filter((s) => s !== 'dev')];
};

/** The caller's environment minus every AWS setting, so any AWS lookup at package time fails. */
const offlineEnv = (tempDir: string): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_')) env[name] = value;
  }
  const nowhere = join(tmpdir(), 'image-provisioner-no-aws-config');
  return {
    ...env,
    AWS_SHARED_CREDENTIALS_FILE: nowhere,
    AWS_CONFIG_FILE: nowhere,
    AWS_EC2_METADATA_DISABLED: 'true',
    CI: '1',
    // Own esbuild work folder (.esbuild/<stage>-pkgtest-<pid>), so a concurrent
    // `npm run package` never shares it.
    STACK_BUILD_ID: `-pkgtest-${process.pid}`,
    TMPDIR: tempDir,
    TMP: tempDir,
    TEMP: tempDir,
  };
};

/**
 * osls clears and rewrites <service>/.serverless (serverless-state.json) on every package, even
 * with --package, so two packaging runs at once (two test files) break each other: one at a time,
 * across processes, through a lock folder. A lock whose owner has died is taken over.
 */
const LOCK = join(
  tmpdir(),
  `image-provisioner-package-lock-${Buffer.from(projectRoot).toString('hex').slice(-32)}`,
);

/** Whether the lock's owner runs; a lock without its pid file yet is being taken. */
const ownerAlive = (): boolean => {
  let pid: number;
  try {
    pid = Number(readFileSync(join(LOCK, 'pid'), 'utf8'));
  } catch {
    return true;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const withPackageLock = async <T>(run: () => Promise<T>): Promise<T> => {
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await sleep(250);
      if (!ownerAlive()) rmSync(LOCK, { recursive: true, force: true });
    }
  }
  try {
    return await run();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
};

/** Packages `stage` into `outDir`, with TMPDIR (and TMP, TEMP) set to `tempDir`. */
export const packageStage = (stage: string, outDir: string, tempDir: string): Promise<void> =>
  withPackageLock(async () => {
    try {
      await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', PACKAGE_SCRIPT, '--stage', stage, '--package', outDir],
        {
          cwd: projectRoot,
          env: offlineEnv(tempDir),
          timeout: PACKAGE_TIMEOUT_MS,
          maxBuffer: 16 << 20,
        },
      );
    } catch (error) {
      // osls reports most failures on stdout; without it the error says only "Command failed".
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`sls package --stage ${stage} failed:\n${stdout}\n${stderr}`, {
        cause: error,
      });
    }
  });

export const readTemplate = async (outDir: string, kind: TemplateKind): Promise<Template> =>
  JSON.parse(await readFile(join(outDir, TEMPLATE_FILES[kind]), 'utf8'));
