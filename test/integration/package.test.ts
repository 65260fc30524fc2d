import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Packages the service exactly as a deploy would (`sls package`), offline and without AWS
 * credentials, then pins what the CloudFormation template and the artifacts must contain.
 */

const STAGE = 'pkgtest';
const PACKAGE_TIMEOUT_MS = 120_000;

const ROUTES = [
  'POST /infrastructure-configurations',
  'PUT /infrastructure-configurations/{arn}',
  'GET /infrastructure-configurations/{arn}',
  'POST /distribution-configurations',
  'POST /image-builders',
];

/** Logical ids of each function and of what it must be wired to. */
const FUNCTIONS = {
  http: { resource: 'HttpLambdaFunction', role: 'HttpFunctionRole', logGroup: 'HttpLogGroup' },
  queue: { resource: 'QueueLambdaFunction', role: 'QueueFunctionRole', logGroup: 'QueueLogGroup' },
} as const;

/**
 * Actions that IAM cannot scope to a resource and that may therefore carry Resource "*".
 * Empty today: every action the functions use supports resource-level permissions.
 */
const UNSCOPABLE_ACTIONS: readonly string[] = [];

interface Resource {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: free-form CloudFormation JSON; the assertions check its shape
  Properties: Record<string, any>;
  DependsOn?: string[];
}

interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const actionsOf = (statement: Statement): string[] => asList(statement.Action);

/** File names and (inflated) contents of a zip archive: enough of the format for Lambda artifacts. */
const readZip = (zip: Buffer): Map<string, Buffer> => {
  const endOfCentralDirectory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endOfCentralDirectory < 0) throw new Error('not a zip archive');
  const count = zip.readUInt16LE(endOfCentralDirectory + 10);
  let offset = zip.readUInt32LE(endOfCentralDirectory + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    const dataStart =
      localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    entries.set(name, method === 0 ? data : inflateRawSync(data));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
};

const projectRoot = join(import.meta.dirname, '..', '..');
const slsBin = join(
  dirname(createRequire(import.meta.url).resolve('osls/package.json')),
  'bin',
  'serverless.js',
);

/** The caller's environment minus every AWS setting, so any AWS lookup at package time fails. */
const offlineEnv = (): NodeJS.ProcessEnv => {
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
  };
};

describe('sls package', () => {
  let outDir: string;
  let template: Template;

  const resource = (logicalId: string): Resource => {
    const found = template.Resources[logicalId];
    if (!found) throw new Error(`template has no resource ${logicalId}`);
    return found;
  };
  const ofType = (type: string): [string, Resource][] =>
    Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  const environmentOf = (fn: keyof typeof FUNCTIONS): Record<string, unknown> =>
    resource(FUNCTIONS[fn].resource).Properties.Environment.Variables;

  /** Inline statements of a role plus those of the managed policies it attaches from this stack. */
  const statementsOfRole = (roleId: string): Statement[] => {
    const { Properties } = resource(roleId);
    const inline = asList(Properties.Policies).flatMap(
      (policy: { PolicyDocument: { Statement: Statement[] } }) => policy.PolicyDocument.Statement,
    );
    const managed = asList(Properties.ManagedPolicyArns).flatMap((arn: { Ref?: string }) => {
      if (!arn.Ref) throw new Error(`${roleId} attaches a policy from outside the stack`);
      return resource(arn.Ref).Properties.PolicyDocument.Statement as Statement[];
    });
    return [...inline, ...managed];
  };

  const allIdentityStatements = (): Statement[] => [
    ...ofType('AWS::IAM::Role').flatMap(([id]) => statementsOfRole(id)),
    ...ofType('AWS::IAM::Policy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement),
  ];

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'image-provisioner-package-'));
    try {
      await promisify(execFile)(
        process.execPath,
        [slsBin, 'package', '--stage', STAGE, '--package', outDir],
        { cwd: projectRoot, env: offlineEnv(), timeout: PACKAGE_TIMEOUT_MS, maxBuffer: 16 << 20 },
      );
    } catch (error) {
      // osls reports most failures on stdout; without it the error says only "Command failed".
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`sls package failed:\n${stdout}\n${stderr}`, { cause: error });
    }
    template = JSON.parse(
      await readFile(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'),
    );
  }, PACKAGE_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  describe('functions', () => {
    it('deploys exactly the http and queue functions on nodejs22.x / arm64', () => {
      expect(ofType('AWS::Lambda::Function').map(([id]) => id)).toEqual(
        expect.arrayContaining([FUNCTIONS.http.resource, FUNCTIONS.queue.resource]),
      );
      expect(ofType('AWS::Lambda::Function')).toHaveLength(2);
      for (const fn of Object.values(FUNCTIONS)) {
        const { Properties } = resource(fn.resource);
        expect(Properties.Runtime).toBe('nodejs22.x');
        expect(Properties.Architectures).toEqual(['arm64']);
        expect(Properties.MemorySize).toBe(256);
      }
      expect(resource(FUNCTIONS.http.resource).Properties.Handler).toBe(
        'src/handlers/http.handler',
      );
      expect(resource(FUNCTIONS.queue.resource).Properties.Handler).toBe(
        'src/handlers/queue.handler',
      );
    });

    it('gives each function its own role and no shared default role', () => {
      for (const fn of Object.values(FUNCTIONS)) {
        expect(resource(fn.resource).Properties.Role).toEqual({ 'Fn::GetAtt': [fn.role, 'Arn'] });
        expect(resource(fn.role).Type).toBe('AWS::IAM::Role');
      }
      expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    });

    it('times the http function out well before API Gateway (29 s) does', () => {
      expect(resource(FUNCTIONS.http.resource).Properties.Timeout).toBe(10);
      expect(resource(FUNCTIONS.queue.resource).Properties.Timeout).toBe(30);
    });

    it('sets the configuration the code reads at cold start', () => {
      for (const fn of ['http', 'queue'] as const) {
        expect(environmentOf(fn)).toEqual({
          IDEMPOTENCY_TABLE_NAME: { Ref: 'IdempotencyTable' },
          OUTCOMES_TOPIC_ARN: { Ref: 'OutcomesTopic' },
          IDEMPOTENCY_TTL_SECONDS: '86400',
          QUEUE_MAX_RECEIVE_COUNT: '5',
          OUTCOME_SOURCE: `image-provisioner.${STAGE}`,
          POWERTOOLS_SERVICE_NAME: 'image-provisioner',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        });
      }
    });

    it('keeps logs 30 days in a log group per function', () => {
      for (const fn of Object.values(FUNCTIONS)) {
        expect(resource(fn.logGroup).Properties.RetentionInDays).toBe(30);
      }
    });
  });

  describe('HTTP API', () => {
    it('routes exactly the five operations to the http function with payload 2.0', () => {
      const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
      expect(routes.sort()).toEqual([...ROUTES].sort());

      const integrations = ofType('AWS::ApiGatewayV2::Integration');
      expect(integrations).toHaveLength(1);
      expect(integrations[0]?.[1].Properties).toMatchObject({
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [FUNCTIONS.http.resource, 'Arn'] },
      });
    });

    it('outputs the API URL and the addresses of queue, DLQ, topic and table', () => {
      expect(Object.keys(template.Outputs)).toEqual(
        expect.arrayContaining([
          'HttpApiUrl',
          'RequestQueueUrl',
          'RequestDeadLetterQueueUrl',
          'OutcomesTopicArn',
          'IdempotencyTableName',
        ]),
      );
    });
  });

  describe('request queue', () => {
    it('feeds the queue function in batches with partial batch responses', () => {
      const mappings = ofType('AWS::Lambda::EventSourceMapping');
      expect(mappings).toHaveLength(1);
      expect(mappings[0]?.[1].Properties).toMatchObject({
        EventSourceArn: { 'Fn::GetAtt': ['RequestQueue', 'Arn'] },
        FunctionName: { 'Fn::GetAtt': [FUNCTIONS.queue.resource, 'Arn'] },
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    it('redrives to the DLQ after the receive count the queue function is told about', () => {
      const { Properties } = resource('RequestQueue');
      expect(Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': ['RequestDeadLetterQueue', 'Arn'] },
        maxReceiveCount: 5,
      });
      expect(Number(environmentOf('queue').QUEUE_MAX_RECEIVE_COUNT)).toBe(
        Properties.RedrivePolicy.maxReceiveCount,
      );
    });

    it('keeps messages invisible for 6 x the function timeout plus the batching window', () => {
      const mapping = ofType('AWS::Lambda::EventSourceMapping')[0]?.[1].Properties;
      const timeout = resource(FUNCTIONS.queue.resource).Properties.Timeout;
      expect(resource('RequestQueue').Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
        6 * timeout + mapping?.MaximumBatchingWindowInSeconds,
      );
    });

    it('encrypts both queues and keeps dead letters 14 days', () => {
      expect(resource('RequestQueue').Properties.SqsManagedSseEnabled).toBe(true);
      expect(resource('RequestDeadLetterQueue').Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    });
  });

  describe('idempotency table and outcomes topic', () => {
    it('keys the table on id with TTL on expiration, on demand and encrypted', () => {
      expect(resource('IdempotencyTable').Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        SSESpecification: { SSEEnabled: true },
      });
    });

    it('creates an encrypted outcomes topic', () => {
      expect(resource('OutcomesTopic')).toMatchObject({
        Type: 'AWS::SNS::Topic',
        Properties: { KmsMasterKeyId: 'alias/aws/sns' },
      });
    });
  });

  describe('IAM', () => {
    it('uses no wildcard action, NotAction/NotResource or Resource "*"', () => {
      const statements = allIdentityStatements();
      expect(statements.length).toBeGreaterThan(5);
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        expect(statement.NotAction).toBeUndefined();
        expect(statement.NotResource).toBeUndefined();
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
        if (asList(statement.Resource).includes('*')) {
          expect(UNSCOPABLE_ACTIONS).toEqual(expect.arrayContaining(actionsOf(statement)));
        }
      }
    });

    it('lets each role write only to its own log group', () => {
      for (const fn of Object.values(FUNCTIONS)) {
        const logStatements = statementsOfRole(fn.role).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('logs:')),
        );
        expect(logStatements).toEqual([
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [fn.logGroup, 'Arn'] },
          },
        ]);
      }
    });

    it('publishes outcomes only to the outcomes topic', () => {
      for (const fn of Object.values(FUNCTIONS)) {
        const publish = statementsOfRole(fn.role).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('sns:')),
        );
        expect(publish).toHaveLength(1);
        expect(actionsOf(publish[0] as Statement)).toEqual(['sns:Publish']);
        expect(publish[0]?.Resource).toEqual({ Ref: 'OutcomesTopic' });
      }
    });

    it('touches idempotency records only in the idempotency table', () => {
      for (const fn of Object.values(FUNCTIONS)) {
        const dynamodb = statementsOfRole(fn.role).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('dynamodb:')),
        );
        expect(dynamodb).toHaveLength(1);
        expect(actionsOf(dynamodb[0] as Statement).sort()).toEqual([
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ]);
        expect(dynamodb[0]?.Resource).toEqual({ 'Fn::GetAtt': ['IdempotencyTable', 'Arn'] });
      }
    });

    it('scopes Image Builder and AppStream calls to the account and region', () => {
      for (const fn of Object.values(FUNCTIONS)) {
        const statements = statementsOfRole(fn.role);
        const imagebuilder = statements.filter((s) =>
          actionsOf(s).some((a) => a.startsWith('imagebuilder:')),
        );
        expect(imagebuilder.flatMap(actionsOf)).toEqual(
          expect.arrayContaining([
            'imagebuilder:CreateInfrastructureConfiguration',
            'imagebuilder:UpdateInfrastructureConfiguration',
            'imagebuilder:GetInfrastructureConfiguration',
            'imagebuilder:CreateDistributionConfiguration',
          ]),
        );
        for (const s of imagebuilder) {
          expect(asList(s.Resource)).toEqual([
            {
              'Fn::Sub': `arn:\${AWS::Partition}:imagebuilder:\${AWS::Region}:\${AWS::AccountId}:infrastructure-configuration/*`,
            },
            {
              'Fn::Sub': `arn:\${AWS::Partition}:imagebuilder:\${AWS::Region}:\${AWS::AccountId}:distribution-configuration/*`,
            },
          ]);
        }

        const appstream = statements.filter((s) =>
          actionsOf(s).some((a) => a.startsWith('appstream:')),
        );
        expect(appstream.flatMap(actionsOf)).toEqual(
          expect.arrayContaining([
            'appstream:CreateImageBuilder',
            'appstream:DescribeImageBuilders',
          ]),
        );
        for (const s of appstream) {
          for (const arn of asList(s.Resource) as { 'Fn::Sub': string }[]) {
            expect(arn['Fn::Sub']).toMatch(
              /^arn:\$\{AWS::Partition\}:appstream:\$\{AWS::Region\}:(\$\{AWS::AccountId\}|\*):(image-builder|image)\/\*$/,
            );
          }
        }
      }
    });

    it('passes roles only to EC2, Image Builder and AppStream', () => {
      const passRole = allIdentityStatements().filter((s) => actionsOf(s).includes('iam:PassRole'));
      expect(passRole.length).toBeGreaterThan(0);
      for (const statement of passRole) {
        expect(actionsOf(statement)).toEqual(['iam:PassRole']);
        expect(statement.Condition?.StringEquals?.['iam:PassedToService']).toEqual([
          'ec2.amazonaws.com',
          'imagebuilder.amazonaws.com',
          'appstream.amazonaws.com',
        ]);
        expect(statement.Resource).toEqual({
          'Fn::Split': [
            ',',
            {
              'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/image-provisioner/*,arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/ImageBuilderInstanceProfile`,
            },
          ],
        });
      }
    });

    it('creates service-linked roles only for Image Builder and AppStream', () => {
      const slr = allIdentityStatements().filter((s) =>
        actionsOf(s).includes('iam:CreateServiceLinkedRole'),
      );
      expect(slr.length).toBeGreaterThan(0);
      for (const statement of slr) {
        expect(statement.Condition?.StringEquals?.['iam:AWSServiceName']).toEqual([
          'imagebuilder.amazonaws.com',
          'appstream.amazonaws.com',
        ]);
      }
    });

    it('gives queue permissions to the queue role only, on the request queue only', () => {
      expect(
        statementsOfRole(FUNCTIONS.http.role).filter((s) =>
          actionsOf(s).some((a) => a.startsWith('sqs:')),
        ),
      ).toEqual([]);
      const sqs = statementsOfRole(FUNCTIONS.queue.role).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('sqs:')),
      );
      expect(sqs).toHaveLength(1);
      expect(actionsOf(sqs[0] as Statement).sort()).toEqual([
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:ReceiveMessage',
      ]);
      expect(sqs[0]?.Resource).toEqual({ 'Fn::GetAtt': ['RequestQueue', 'Arn'] });
    });
  });

  describe('artifacts', () => {
    it.each(Object.keys(FUNCTIONS))(
      'bundles %s as one minified ESM file with a linked source map',
      async (name) => {
        const fn = FUNCTIONS[name as keyof typeof FUNCTIONS];
        expect(resource(fn.resource).Properties.Code.S3Key).toMatch(new RegExp(`/${name}\\.zip$`));
        const zipPath = join(outDir, `${name}.zip`);
        expect(existsSync(zipPath)).toBe(true);

        const entries = readZip(await readFile(zipPath));
        // Everything, the AWS SDK included, is in the bundle: no node_modules in the artifact.
        expect([...entries.keys()].sort()).toEqual([
          `src/handlers/${name}.mjs`,
          `src/handlers/${name}.mjs.map`,
        ]);
        const bundle = entries.get(`src/handlers/${name}.mjs`)?.toString('utf8') ?? '';
        expect(bundle.startsWith("import { createRequire } from 'node:module';")).toBe(true);
        expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
        expect(bundle.trimEnd().endsWith(`//# sourceMappingURL=${name}.mjs.map`)).toBe(true);
      },
    );
  });
});
