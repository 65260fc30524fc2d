import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PACKAGE_TIMEOUT_MS,
  packageStage,
  projectRoot,
  shippedStages,
  TEMPLATE_FILES,
  type TemplateKind,
} from '../support/packaging.js';

/**
 * AWS Control Tower's proactive controls, as the rule files of @cdklabs/cdk-validator-cfnguard
 * hold them, run with the cfn-guard binary it ships on both templates of every deployed stage:
 *   cfn-guard validate -r <rule file> -d <template> --show-summary fail
 * Exit 0: the control passes or does not apply (SKIP, as each file's header says when); 19: it
 * fails. There is no suppression: a control passes by the template's configuration.
 *
 * The example stage `vpc` sets every param the controls need (the deployer's VPC, account and
 * access-log bucket) and passes them all. Every other deployed stage fails exactly the controls
 * README "Control Tower" lists as needing those params. `local` is never deployed (only
 * `sls invoke local` / `sls offline` read it), so it is not checked.
 */

const EXAMPLE_STAGE = 'vpc';
const GUARD_PACKAGE = join(projectRoot, 'node_modules', '@cdklabs', 'cdk-validator-cfnguard');
const RULES_DIR = join(GUARD_PACKAGE, 'rules', 'control-tower', 'cfn-guard');

/** The binary the package ships for this machine. */
const guardBinary = (): string => {
  const os = { linux: 'ubuntu', darwin: 'macos' }[process.platform as string];
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch as string];
  if (!os || !arch) throw new Error(`no cfn-guard binary for ${process.platform}/${process.arch}`);
  return join(GUARD_PACKAGE, 'bin', os, arch, 'cfn-guard');
};

/** Every rule file, e.g. `ct-s3-pr-2` → `<rules>/s3/ct-s3-pr-2.guard`. */
const ruleFiles = (): Map<string, string> =>
  new Map(
    readdirSync(RULES_DIR, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((service) =>
        readdirSync(join(RULES_DIR, service.name))
          .filter((file) => /^ct-.+\.guard$/.test(file))
          .map((file) => [basename(file, '.guard'), join(RULES_DIR, service.name, file)]),
      ),
  );

const ruleOutcome = (rule: string, template: string): Promise<'pass' | 'fail'> =>
  new Promise((resolve, reject) => {
    execFile(
      guardBinary(),
      ['validate', '-r', rule, '-d', template, '--show-summary', 'fail'],
      { maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (!error) return resolve('pass');
        if (error.code === 19) return resolve('fail');
        reject(
          new Error(`cfn-guard on ${rule}, ${template}: ${error.message}\n${stdout}${stderr}`),
        );
      },
    );
  });

/** The rules (by name) that fail on `template`, running a few cfn-guard processes at once. */
const failingRules = async (rules: Map<string, string>, template: string): Promise<string[]> => {
  const queue = [...rules];
  const failing: string[] = [];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [name, file] = next;
      if ((await ruleOutcome(file, template)) === 'fail') failing.push(name);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return failing.sort();
};

/**
 * The controls README "Control Tower" lists as failing without the deployer's params: the rule
 * file names in the first column of its table.
 */
const readmeSection = (): string => {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Control Tower\n');
  if (start === -1) throw new Error('README has no "## Control Tower" section');
  const rest = readme.slice(start + 1);
  const end = rest.slice(1).search(/^## /m);
  return end === -1 ? rest : rest.slice(0, end + 1);
};

const readmeNeedsParams = (): string[] =>
  [...readmeSection().matchAll(/^\| `(ct-[a-z0-9]+-pr-\d+)` \|/gm)]
    .map(([, rule]) => rule as string)
    .sort();

/** The stages README "Control Tower" says are checked: `(`dev`, `sso`, ...: every stage of`. */
const readmeStages = (): string[] => {
  const list = /\(((?:`[a-z0-9-]+`, )*`[a-z0-9-]+`): every stage of/.exec(readmeSection())?.[1];
  return [...(list ?? '').matchAll(/`([a-z0-9-]+)`/g)].map(([, stage]) => stage as string);
};

const STAGES = shippedStages();
const rules = ruleFiles();
const packageTemp = mkdtempSync(join(tmpdir(), 'image-provisioner-ct-temp-'));
const failures = new Map<string, Record<TemplateKind, string[]>>();
const outDirs: string[] = [];

beforeAll(
  async () => {
    for (const stage of STAGES) {
      const outDir = await mkdtemp(join(tmpdir(), `image-provisioner-ct-${stage}-`));
      outDirs.push(outDir);
      await packageStage(stage, outDir, packageTemp);
      const [create, update] = await Promise.all(
        (['create', 'update'] as const).map((kind) =>
          failingRules(rules, join(outDir, TEMPLATE_FILES[kind])),
        ),
      );
      failures.set(stage, { create: create ?? [], update: update ?? [] });
    }
  },
  STAGES.length * (PACKAGE_TIMEOUT_MS + 120_000),
);

afterAll(async () => {
  await Promise.all(
    [...outDirs, packageTemp].map((dir) => rm(dir, { recursive: true, force: true })),
  );
});

const failuresOf = (stage: string) => {
  const found = failures.get(stage);
  if (!found) throw new Error(`stage ${stage} was not checked`);
  return found;
};

describe('the Control Tower rules', () => {
  it('are every proactive control the package ships, run by the binary for this machine', () => {
    expect(existsSync(guardBinary())).toBe(true);
    // 0.0.62, as pinned, ships 237 controls over 39 services: fewer would mean some were missed.
    expect(rules.size).toBe(237);
    const services = readdirSync(RULES_DIR);
    expect(services).toHaveLength(39);
    for (const service of services) {
      expect(
        [...rules.values()].some((file) => file.startsWith(join(RULES_DIR, service, 'ct-'))),
        service,
      ).toBe(true);
    }
  });

  it('detect a failing control: a log group without KmsKeyId fails CT.CLOUDWATCH.PR.3', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'image-provisioner-ct-probe-'));
    try {
      const logGroup = (properties: object) => ({
        Resources: { Logs: { Type: 'AWS::Logs::LogGroup', Properties: properties } },
      });
      const plain = join(dir, 'plain.json');
      const encrypted = join(dir, 'encrypted.json');
      await writeFile(plain, JSON.stringify(logGroup({ RetentionInDays: 365 })));
      await writeFile(
        encrypted,
        JSON.stringify(
          logGroup({
            RetentionInDays: 365,
            KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000',
          }),
        ),
      );
      const rule = rules.get('ct-cloudwatch-pr-3') as string;
      expect(await ruleOutcome(rule, plain)).toBe('fail');
      expect(await ruleOutcome(rule, encrypted)).toBe('pass');
      // Through the same runner as the stages: it names the failing rule, and only rules that fail.
      const failing = await failingRules(rules, plain);
      expect(failing).toContain('ct-cloudwatch-pr-3');
      expect(await failingRules(rules, encrypted)).not.toContain('ct-cloudwatch-pr-3');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('are checked on the deployed stages README "Control Tower" names, dev first, the example among them', () => {
    expect(STAGES).toEqual(readmeStages());
    expect(STAGES[0]).toBe('dev');
    expect(STAGES).toContain(EXAMPLE_STAGE);
  });
});

describe.each(STAGES)('sls package --stage %s', (stage) => {
  if (stage === EXAMPLE_STAGE) {
    it.each(['create', 'update'] as const)(
      'passes every applicable control in the %s-stack template',
      (kind) => {
        expect(failuresOf(stage)[kind]).toEqual([]);
      },
    );
  } else {
    it('fails only the controls README "Control Tower" lists as needing the deployer\'s params, and each of them', () => {
      const listed = readmeNeedsParams();
      expect(listed.length).toBeGreaterThan(0);
      for (const rule of listed) expect(rules.has(rule), `${rule} is a rule file`).toBe(true);
      const { create, update } = failuresOf(stage);
      for (const rule of create) expect(listed).toContain(rule);
      expect([...new Set([...create, ...update])].sort()).toEqual(listed);
    });
  }
});
