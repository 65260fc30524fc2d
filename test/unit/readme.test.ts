import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestNotFound, routeNotFound } from '../../src/channels/httpResponse.js';
import { unexpectedProblem } from '../../src/channels/problem.js';
import { createGuardrails } from '../../src/guardrails/evaluate.js';
import { parseGuardrailPolicy } from '../../src/guardrails/loadPolicy.js';
import { admit } from '../../src/provisioning/admission.js';
import type { ProvisioningRequest } from '../../src/provisioning/request.js';

/*
 * What the README shows that the code decides: the dev guardrails it prints are the file's, its
 * request examples pass them, its errors table has every answer the service builds for a missing
 * route or request and for an unexpected failure, and its layout names what the repository holds.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** The offline stack's one account: that of its outcomes topic, which the guardrails allow. */
const LOCAL_ACCOUNT = '000000000000';

/** The text of the README section under `heading` (up to the next heading of its level or above). */
const section = (heading: string): string => {
  const level = heading.indexOf(' ');
  const start = README.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`no README section ${heading}`);
  const rest = README.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  return next === -1 ? rest : rest.slice(0, next);
};

/** The fenced code blocks of `text` whose info string is `language`. */
const codeBlocks = (text: string, language: string): string[] =>
  [...text.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map(
    ([, body]) => body as string,
  );

const policyOf = (stage: string) => {
  const file = join('config', 'guardrails', `${stage}.json`);
  return parseGuardrailPolicy(readFileSync(join(ROOT, file), 'utf8'), file);
};

/** A request as the pipeline's admission gets it. */
const requestOf = (operation: string, input: unknown): ProvisioningRequest => ({
  channel: 'http',
  operation,
  input,
  inputPointer: '',
  fallbackToken: () => 'readme-example',
  finalAttempt: true,
  announcesRejections: false,
  idempotentReads: false,
  remainingTimeMs: 10_000,
});

const ROUTE_OPERATIONS: Readonly<Record<string, string>> = {
  'POST /infrastructure-configurations': 'CreateInfrastructureConfiguration',
  'POST /distribution-configurations': 'CreateDistributionConfiguration',
  'POST /image-builders': 'CreateImageBuilder',
};

/**
 * Every request example of the README: bodies that curl posts to the offline stack's HTTP API,
 * and the messages `npm run send`, `aws sqs send-message` and the Queue section put on the queue.
 */
const readmeExamples = (): Array<{ where: string; operation: string; input: unknown }> => {
  const posted = [
    ...README.matchAll(
      /curl [^\n]*-X POST http:\/\/127\.0\.0\.1:3000(\/[a-z-]+) [\s\S]*?-d '(\{[\s\S]*?\})'/g,
    ),
  ].map(([, path, body]) => {
    const operation = ROUTE_OPERATIONS[`POST ${path}`];
    if (!operation) throw new Error(`no operation for POST ${path}`);
    return { where: `curl POST ${path}`, operation, input: JSON.parse(body as string) };
  });
  const messages = [
    ...[...README.matchAll(/npm run send -- '(\{[\s\S]*?\})'/g)].map(([, body]) => ({
      where: 'npm run send',
      body: body as string,
    })),
    ...[...README.matchAll(/--message-body '(\{[\s\S]*?\})'/g)].map(([, body]) => ({
      where: 'aws sqs send-message',
      body: body as string,
    })),
    ...codeBlocks(section('## Queue'), 'json').map((body) => ({
      where: 'the Queue section',
      body,
    })),
  ].map(({ where, body }) => {
    const message = JSON.parse(body) as { operation: string; request: unknown };
    return { where, operation: message.operation, input: message.request };
  });
  return [...posted, ...messages];
};

describe('the README', () => {
  it('shows the dev guardrails exactly as config/guardrails/dev.json holds them', () => {
    // Prepare
    const shown = codeBlocks(section('### Guardrails'), 'json');

    // Assess
    expect(shown).toHaveLength(1);
    expect(JSON.parse(shown[0] as string)).toEqual(
      JSON.parse(readFileSync(join(ROOT, 'config', 'guardrails', 'dev.json'), 'utf8')),
    );
  });

  it.each(['local', 'dev'])(
    'has request examples that the %s guardrails admit, in the stack account',
    (stage) => {
      // Prepare
      const guardrails = createGuardrails(policyOf(stage), { accountId: LOCAL_ACCOUNT });
      const examples = readmeExamples();

      // Act
      const refused = examples.flatMap(({ where, operation, input }) => {
        const admission = admit(requestOf(operation, input), guardrails);
        return admission.admitted ? [] : [{ where, operation, error: admission.error.errors }];
      });

      // Assess
      expect(examples.map(({ where }) => where)).toEqual(
        expect.arrayContaining([
          'curl POST /infrastructure-configurations',
          'npm run send',
          'aws sqs send-message',
          'the Queue section',
        ]),
      );
      expect(refused).toEqual([]);
    },
  );

  it('lists in its errors table every answer for a missing route or request and an unexpected failure', () => {
    // Prepare
    const rows = [...section('### Errors').matchAll(/^\| (\d{3}) \| `(\w+)` \|/gm)].map(
      ([, status, code]) => `${status} ${code}`,
    );

    // Act
    const answers = [
      routeNotFound('request-id'),
      requestNotFound('request-id'),
      { statusCode: 500, body: JSON.stringify(unexpectedProblem('request-id')) },
    ].map(({ statusCode, body }) => {
      const { status, code } = JSON.parse(body as string) as { status: number; code: string };
      expect(status).toBe(statusCode);
      return `${status} ${code}`;
    });

    // Assess
    expect(answers).toEqual([
      '404 NotFoundException',
      '404 NotFoundException',
      '500 InternalFailure',
    ]);
    expect(rows).toEqual(expect.arrayContaining(answers));
  });

  it('names in its layout every folder, script and local entry point of the repository', () => {
    // Prepare
    const [layout = ''] = codeBlocks(section('## Layout'), '');
    const ignored = readFileSync(join(ROOT, '.gitignore'), 'utf8')
      .split('\n')
      .filter((line) => line.endsWith('/'))
      .map((line) => line.slice(0, -1));
    const folders = readdirSync(ROOT, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== '.git')
      .map(({ name }) => name)
      .filter((name) => !ignored.includes(name));
    const scripts = readdirSync(join(ROOT, 'scripts'));
    const local = readdirSync(join(ROOT, 'local'));

    // Assess
    const missing = [
      ...folders.map((name) => (name === '.ci' ? '.ci/run' : `${name}/`)),
      ...scripts,
      ...local.map((name) => (name.endsWith('.ts') ? name : `${name}/`)),
      '.env.example',
    ].filter((name) => !layout.includes(name));
    expect(missing).toEqual([]);
  });
});
