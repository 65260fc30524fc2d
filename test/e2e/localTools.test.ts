import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../../local/stack/settingsHelp.js';
import type { StackInfo } from '../../local/stack/startStack.js';
import { freePorts, PORT_VARIABLES, startStack } from './support/stack.js';
import { eventually, StopWaiting } from './support/wait.js';

/*
 * The local tools as a developer runs them, through npm: `npm start` (--help, a taken port, a
 * second stack in the same STACK_DIR, a part that dies), `npm run send` (what it refuses),
 * `npm run invoke` (through the stack's outage gates), and `.env`.
 */

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const USAGE = "usage: npm run send -- '<message JSON>' | <path to a .json file>";
const STACK_START_TIMEOUT_MS = 90_000;

const scratch: string[] = [];
const held: Server[] = [];

const scratchDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'local-tools-'));
  scratch.push(dir);
  return dir;
};

afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((done) => s.close(done))));
});

/** The environment of a tool: ours, without anything that sets the stack, plus `extra`. */
const toolEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const stackVariables = new Set(SETTINGS.map((setting) => setting.variable));
  for (const name of Object.keys(env)) {
    if (stackVariables.has(name) || name.startsWith('AWS_ENDPOINT_URL')) delete env[name];
  }
  return { ...env, ...extra };
};

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
};

/** `npm <args>` in `cwd`, to its end (killed after `timeoutMs`). */
const npm = (
  args: string[],
  { env = toolEnv(), cwd = REPO_ROOT, timeoutMs = 60_000 } = {},
): Promise<Finished> =>
  new Promise((done, fail) => {
    const child = spawn('npm', args, {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      fail(
        new Error(`npm ${args.join(' ')} still ran after ${timeoutMs} ms:\n${stdout}\n${stderr}`),
      );
    }, timeoutMs);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });

/** Holds a free loopback port, as another program would, until the test ends. */
const occupy = async (): Promise<number> => {
  const server = createServer();
  held.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return (server.address() as { port: number }).port;
};

/** Every port variable set to a free port. */
const portEnv = async (): Promise<Record<string, string>> => {
  const ports = await freePorts(PORT_VARIABLES.length);
  return Object.fromEntries(PORT_VARIABLES.map((name, index) => [name, String(ports[index])]));
};

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

describe('npm run send', () => {
  it('refuses text that is neither JSON nor a file: what it expected, exit 2', async () => {
    const sent = await npm(['run', '--silent', 'send', '--', 'hello world']);
    expect(sent).toEqual({
      code: 2,
      stdout: '',
      stderr: `not JSON and no such file: "hello world"; ${USAGE}\n`,
    });
  });

  it('refuses JSON that does not parse, saying so', async () => {
    const sent = await npm(['run', '--silent', 'send', '--', '{"operation": ']);
    expect(sent.code).toBe(2);
    expect(sent.stderr).toMatch(
      /^not valid JSON \([^\n]+\): "\{\\"operation\\": "; usage: npm run send -- '<message JSON>' \| <path to a \.json file>\n$/,
    );
  });

  it('refuses a file that is not JSON, naming it', async () => {
    const file = join(await scratchDir(), 'message.json');
    await writeFile(file, 'operation: CreateImageBuilder\n');
    const sent = await npm(['run', '--silent', 'send', '--', file]);
    expect(sent.code).toBe(2);
    expect(sent.stderr).toMatch(new RegExp(`^${file} is not valid JSON \\([^\\n]+\\); usage: `));
  });

  it('says no stack runs when STACK_DIR has none, and when its stack died', async () => {
    const stackDir = await scratchDir();
    const none = await npm(['run', '--silent', 'send', '--', '{"a": 1}'], {
      env: toolEnv({ STACK_DIR: stackDir }),
    });
    expect(none).toEqual({
      code: 1,
      stdout: '',
      stderr: `No running stack found (${stackDir}/stack.json): start it with npm start\n`,
    });
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((done) => dead.once('exit', done));
    await writeFile(join(stackDir, 'stack.json'), JSON.stringify({ pid: dead.pid }));
    const stale = await npm(['run', '--silent', 'send', '--', '{"a": 1}'], {
      env: toolEnv({ STACK_DIR: stackDir }),
    });
    expect(stale).toEqual({
      code: 1,
      stdout: '',
      stderr: `The stack that wrote ${stackDir}/stack.json (pid ${dead.pid}) is no longer running: start it with npm start\n`,
    });
  });
});

describe('npm start -- --help', () => {
  it('prints every setting with its current value and exits 0 without starting anything', async () => {
    const stackDir = await scratchDir();
    const help = await npm(['start', '--silent', '--', '--help'], {
      env: toolEnv({ HTTP_PORT: '3456', STACK_DIR: stackDir }),
    });
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    for (const { variable } of SETTINGS) expect(help.stdout).toContain(`\n  ${variable}=`);
    expect(help.stdout).toContain(
      '\n  HTTP_PORT=3456\n      port of the HTTP API (0 picks a free one, as for every port); default 3000\n',
    );
    expect(help.stdout).toContain(`\n  STACK_DIR=${stackDir}\n`);
    expect(help.stdout).not.toContain('Stack ready');
    expect(await exists(join(stackDir, 'stack.lock'))).toBe(false);
  });

  it('refuses an unknown argument, exit 2', async () => {
    const started = await npm(['start', '--silent', '--', '--bogus']);
    expect(started).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'npm start: unknown argument --bogus; it takes only --help (settings are environment variables: npm start -- --help lists them)\n',
    });
  });
});

describe('.env', () => {
  /** A copy of the project (links to its files) whose .env a test writes. */
  const projectWithDotEnv = async (dotEnv: string): Promise<string> => {
    const project = await scratchDir();
    for (const name of [
      'package.json',
      'node_modules',
      'local',
      'src',
      'config',
      'serverless.yml',
    ]) {
      await symlink(join(REPO_ROOT, name), join(project, name));
    }
    await writeFile(join(project, '.env'), dotEnv);
    return project;
  };

  it('is read by npm start; a variable set in the environment wins over it', async () => {
    const project = await projectWithDotEnv('HTTP_PORT=3457\nSTACK_STAGE=fromdotenv\n');
    const help = await npm(['start', '--silent', '--', '--help'], {
      cwd: project,
      env: toolEnv({ STACK_STAGE: 'fromshell' }),
    });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('\n  HTTP_PORT=3457\n');
    expect(help.stdout).toContain('\n  STACK_STAGE=fromshell\n');
  });

  it('is read by npm run send (and invoke): STACK_DIR from .env', async () => {
    const stackDir = await scratchDir();
    const project = await projectWithDotEnv(`STACK_DIR=${stackDir}\n`);
    for (const script of [
      ['send', '--', '{"a": 1}'],
      ['invoke', '--', 'http', 'event.json'],
    ]) {
      const ran = await npm(['run', '--silent', ...script], { cwd: project });
      expect(ran).toEqual({
        code: 1,
        stdout: '',
        stderr: `No running stack found (${stackDir}/stack.json): start it with npm start\n`,
      });
    }
  });
});

describe('npm start on a taken port', () => {
  it('names the part and the variable that moves it (EMULATOR_PORT)', async () => {
    const emulatorPort = await occupy();
    const started = await npm(['start', '--silent'], {
      env: toolEnv({
        ...(await portEnv()),
        EMULATOR_PORT: String(emulatorPort),
        STACK_DIR: await scratchDir(),
      }),
    });
    // Node's own warnings (fauxqs loads node:sqlite) aside, that one line.
    const stderr = started.stderr
      .split('\n')
      .filter((line) => !/^\(node:\d+\) \w*Warning: |^\(Use `node --trace-warnings/.test(line))
      .join('\n');
    expect({ ...started, stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: `Could not start the stack: Image Builder / AppStream emulator could not listen on ${emulatorPort}: set EMULATOR_PORT to a free port, or 0 to pick one (port ${emulatorPort} on 127.0.0.1 is already in use)\n`,
    });
  });
});

/** `npm start` as a developer runs it, in its own process group. */
interface NpmStack {
  stackDir: string;
  info: StackInfo;
  output(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited(): boolean;
  stop(): Promise<void>;
}

const startNpmStack = async (stackDir: string): Promise<NpmStack> => {
  const child = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    env: toolEnv({ ...(await portEnv()), STACK_DIR: stackDir }),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => killGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async () => {
    process.off('exit', killOnExit);
    if (!exited()) killGroup(child, 'SIGINT');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 20_000);
    await exit;
    clearTimeout(timer);
    // Whatever of its group outlived it.
    killGroup(child, 'SIGKILL');
  };
  const info = await eventually(
    async () => {
      if (exited()) throw new StopWaiting(`npm start exited early:\n${output}`);
      if (!output.includes('Stack ready')) return undefined;
      const text = await readFile(join(stackDir, 'stack.json'), 'utf8').catch(() => undefined);
      return text === undefined ? undefined : (JSON.parse(text) as StackInfo);
    },
    { timeoutMs: 60_000, what: 'the stack to be ready', diagnostics: () => output },
  ).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { stackDir, info, output: () => output, exit, exited, stop };
};

/** An HTTP API event for the http function: create an infrastructure configuration. */
const createEvent = (token: string) => {
  const body = JSON.stringify({
    name: `local-tools-${token}`,
    instanceProfileName: 'ImageBuilderInstanceProfile',
    instanceTypes: ['m7i.large'],
    instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
    tags: { team: 'platform' },
  });
  return {
    version: '2.0',
    routeKey: 'POST /infrastructure-configurations',
    rawPath: '/infrastructure-configurations',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'idempotency-key': token,
      'x-correlation-id': `corr-${token}`,
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'a1b2c3d4e5',
      domainName: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'a1b2c3d4e5',
      http: {
        method: 'POST',
        path: '/infrastructure-configurations',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'local-tools-test',
      },
      requestId: `req-${token}`,
      routeKey: 'POST /infrastructure-configurations',
      stage: '$default',
      time: '30/Nov/2026:00:00:00 +0000',
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
};

/** The status code `sls invoke local` printed for the http function's answer (it comes last). */
const statusCodeOf = (printed: string): number | undefined => {
  const last = [...printed.matchAll(/"statusCode":\s*(\d{3})/g)].at(-1)?.[1];
  return last === undefined ? undefined : Number(last);
};

const setPart = async (stack: NpmStack, part: string, state: object): Promise<void> => {
  const response = await fetch(`${stack.info.control.endpoint}/_stack/parts/${part}`, {
    method: 'PUT',
    body: JSON.stringify(state),
  });
  expect(response.status).toBe(200);
};

describe('with a stack running', () => {
  let stack: NpmStack;

  beforeAll(async () => {
    stack = await startNpmStack(await scratchDir());
  }, STACK_START_TIMEOUT_MS);

  afterAll(async () => {
    await stack?.stop();
  });

  it('says at start that the in-memory engines lose everything when it stops', () => {
    expect(stack.output()).toContain(
      '\nIn memory: queued messages, table records and emulated resources are lost when the stack stops.\n',
    );
    expect(stack.info.pid).toBeGreaterThan(0);
  });

  it('a second start in its STACK_DIR is refused, naming it; the first keeps its stack.json', async () => {
    const { info, stackDir } = stack;
    const second = await npm(['start', '--silent'], {
      env: toolEnv({ ...(await portEnv()), STACK_DIR: stackDir }),
    });
    expect(second.code).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr).toContain(
      `Could not start the stack: A stack is already running in ${stackDir} (pid ${info.pid}, HTTP API ${info.httpApi}, SQS/SNS ${info.sqs.endpoint}, stack control ${info.control.endpoint}).\n`,
    );
    expect(second.stderr).toContain('  STACK_DIR=.local/second HTTP_PORT=0 LAMBDA_PORT=0');
    const kept = JSON.parse(await readFile(join(stackDir, 'stack.json'), 'utf8')) as StackInfo;
    expect(kept).toEqual(info);

    const sent = await npm(['run', '--silent', 'send', '--', '{"operation": "Nothing"}'], {
      env: toolEnv({ STACK_DIR: stackDir }),
    });
    expect(sent.code).toBe(0);
    expect(sent.stdout).toMatch(
      new RegExp(`^sent [0-9a-f-]{36} to ${info.sqs.requestQueueUrl.replace(/[.]/g, '\\.')}\n$`),
    );
  });

  it('npm run invoke goes through the outage gates: DynamoDB down is a 503, back up a 201', {
    timeout: 120_000,
  }, async () => {
    const dir = await scratchDir();
    const invoke = async (token: string) => {
      const file = join(dir, `${token}.json`);
      await writeFile(file, JSON.stringify(createEvent(token)));
      const ran = await npm(['run', '--silent', 'invoke', '--', 'http', file], {
        env: toolEnv({ STACK_DIR: stack.stackDir }),
        timeoutMs: 50_000,
      });
      return { ...ran, status: statusCodeOf(ran.stdout) };
    };
    await setPart(stack, 'dynamodb', { available: false });
    const down = await invoke(`invoke-down-${Date.now()}`);
    await setPart(stack, 'dynamodb', { available: true });
    expect([down.code, down.status], `${down.stdout}\n${down.stderr}`).toEqual([0, 503]);
    const up = await invoke(`invoke-up-${Date.now()}`);
    expect([up.code, up.status], `${up.stdout}\n${up.stderr}`).toEqual([0, 201]);
  });

  it('stops, naming it, when serverless-offline is killed (exit 1)', async () => {
    const ps = await new Promise<string>((done, fail) => {
      const child = spawn('ps', ['-eo', 'pid=,ppid=,args='], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        text += chunk;
      });
      child.once('error', fail);
      child.once('close', () => done(text));
    });
    const offline = ps
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
      .find(
        (match) => match?.[2] === String(stack.info.pid) && match[3]?.includes('offline start'),
      );
    const pid = Number(offline?.[1]);
    expect(pid).toBeGreaterThan(0);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    const exit = await Promise.race([
      stack.exit,
      new Promise<undefined>((done) => setTimeout(() => done(undefined), 20_000)),
    ]);
    expect(exit, stack.output().slice(-3000)).toEqual({ code: 1, signal: null });
    expect(Date.now() - killedAt).toBeLessThan(20_000);
    expect(stack.output()).toContain(
      `\nserverless-offline (the functions, pid ${pid}) exited on SIGKILL; the stack cannot work without it: stopping the stack...\n`,
    );
    expect(stack.output()).toContain('Stack stopped.');
    expect(await exists(join(stack.stackDir, 'stack.json'))).toBe(false);
    expect(await exists(join(stack.stackDir, 'stack.lock'))).toBe(false);
  });
});

describe('a stack that stops', () => {
  it('takes its own build folder (.esbuild/<stage>-<HTTP port>) with it', async () => {
    // Prepare
    const stack = await startStack();
    const port = new URL(stack.info.httpApi).port;
    const buildDir = join(REPO_ROOT, '.esbuild', `local-${port}`);
    const builtWhileRunning = await stat(buildDir).then(
      (found) => found.isDirectory(),
      () => false,
    );

    // Act
    await stack.stop();

    // Assess
    expect(builtWhileRunning).toBe(true);
    await expect(stat(buildDir)).rejects.toMatchObject({ code: 'ENOENT' });
  }, 90_000);
});
