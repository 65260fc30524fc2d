import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { join, relative } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_ROUTES } from '../../src/channels/httpRoutes.js';
import { GuardrailPolicyError, parseGuardrailPolicy } from '../../src/guardrails/loadPolicy.js';
import { ledgerKey } from '../../src/ledger/dynamoLedger.js';
import {
  PACKAGE_TIMEOUT_MS,
  packageStage,
  projectRoot,
  type Resource,
  readTemplate,
  type Template,
  type TemplateKind,
} from '../support/packaging.js';

/**
 * Packages the service exactly as a deploy would (`sls package`), offline and without AWS
 * credentials, then pins what the CloudFormation template and the artifacts must contain.
 *
 * Three stage configurations, each packaged once into its own folder:
 * - `dev`: the default params (SigV4 / AWS_IAM on every route) and a guardrails file
 *   (config/guardrails/dev.json), so iam:PassRole is narrowed to the roles it lists;
 * - `sso`: the example JWT stage (params.sso), with no guardrails file, so iam:PassRole falls
 *   back to the `passRoleArns` param, and with two subscriber accounts;
 * - `vpc`: the example stage in the deployer's own VPC and account (params.vpc), which sets every
 *   param the Control Tower controls need (README "Control Tower").
 */

const require = createRequire(import.meta.url);

/** `passRoleArns` in serverless.yml `params.default`, as the policy Resource entries it becomes. */
const DEFAULT_PASS_ROLES = [
  { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/image-provisioner/*` },
  { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/ImageBuilderInstanceProfile` },
];
const ALL_INSTANCE_PROFILES = [
  { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:instance-profile/*` },
];

interface GuardrailsFile {
  infrastructure?: { instanceProfiles?: Record<string, string> };
  appstream?: { iamRoleArns?: string[] };
}

/** What the dev guardrails allow, read straight from the file (the resolver is not trusted here). */
const devGuardrails = JSON.parse(
  readFileSync(join(projectRoot, 'config', 'guardrails', 'dev.json'), 'utf8'),
) as GuardrailsFile;
const DEV_PROFILES = devGuardrails.infrastructure?.instanceProfiles ?? {};
const DEV_ROLES = [
  ...Object.values(DEV_PROFILES),
  ...(devGuardrails.appstream?.iamRoleArns ?? []),
].sort();

const JWT_ISSUER = 'https://login.example.com/oauth2/default';
const JWT_AUDIENCE = ['image-provisioner'];

interface StageCase {
  stage: string;
  auth: 'AWS_IAM' | 'JWT';
  passRoles: unknown[];
  instanceProfiles: unknown[];
  /** The Fn::Sub'ed comma-separated `subscriberAccountIds` param. */
  subscriberAccounts: string;
  /** The deployer's VPC (params subnetIds, securityGroupIds), where the stage names one. */
  vpc?: { subnetIds: string[]; securityGroupIds: string[] };
  /** The `accountId` param, where the stage sets it. */
  accountId?: string;
  /** The `deploymentAccessLogBucket` param, where the stage sets it. */
  accessLogBucket?: string;
}

const STAGES: Record<'dev' | 'sso' | 'vpc', StageCase> = {
  dev: {
    stage: 'dev',
    auth: 'AWS_IAM',
    passRoles: DEV_ROLES,
    instanceProfiles: Object.keys(DEV_PROFILES)
      .sort()
      .flatMap((name) => [
        { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:instance-profile/${name}` },
        { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:instance-profile/*/${name}` },
      ]),
    subscriberAccounts: `\${AWS::AccountId}`,
  },
  sso: {
    stage: 'sso',
    auth: 'JWT',
    passRoles: DEFAULT_PASS_ROLES,
    instanceProfiles: ALL_INSTANCE_PROFILES,
    subscriberAccounts: '111122223333,444455556666',
  },
  vpc: {
    stage: 'vpc',
    auth: 'AWS_IAM',
    passRoles: DEFAULT_PASS_ROLES,
    instanceProfiles: ALL_INSTANCE_PROFILES,
    subscriberAccounts: `\${AWS::AccountId}`,
    vpc: {
      subnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b2c3d4e5f6071829'],
      securityGroupIds: ['sg-0c3d4e5f60718293a'],
    },
    accountId: '123456789012',
    accessLogBucket: 'image-provisioner-access-logs-123456789012',
  },
};
const STAGE_CASES = Object.values(STAGES);

const LOOKUP_ROUTE = 'GET /requests/{clientToken}';
const ROUTES = [
  // Every route of the operations (src/channels/httpRoutes.ts).
  ...Object.keys(HTTP_ROUTES),
  // The status lookup.
  LOOKUP_ROUTE,
];

/** Logical ids of each function and of what it must be wired to. */
const FUNCTIONS = {
  http: { resource: 'HttpLambdaFunction', role: 'HttpFunctionRole', logGroup: 'HttpLogGroup' },
  queue: { resource: 'QueueLambdaFunction', role: 'QueueFunctionRole', logGroup: 'QueueLogGroup' },
  outbox: {
    resource: 'OutboxLambdaFunction',
    role: 'OutboxFunctionRole',
    logGroup: 'OutboxLogGroup',
  },
  watch: { resource: 'WatchLambdaFunction', role: 'WatchFunctionRole', logGroup: 'WatchLogGroup' },
} as const;
/** The request path: the functions that provision and commit to the request ledger. */
const REQUEST_PATH = [FUNCTIONS.http, FUNCTIONS.queue];
/** The only role that may publish outcomes: the outbox's. The request path never calls SNS. */
const PUBLISHER_ROLE_ARNS = [{ 'Fn::GetAtt': [FUNCTIONS.outbox.role, 'Arn'] }];

const LEDGER_ARN = { 'Fn::GetAtt': ['RequestsTable', 'Arn'] };
const LEDGER_STREAM_ARN = { 'Fn::GetAtt': ['RequestsTable', 'StreamArn'] };
const OUTBOX_FAILURE_QUEUE_ARN = { 'Fn::GetAtt': ['OutboxFailureQueue', 'Arn'] };
const WATCH_QUEUE_ARN = { 'Fn::GetAtt': ['WatchQueue', 'Arn'] };
/** How long DynamoDB keeps a stream record (24 h): the outbox must give up on one before that. */
const STREAM_RETENTION_SECONDS = 24 * 3600;

/**
 * Actions that IAM cannot scope to a resource and that may therefore carry Resource "*", each
 * with why. Every other action the functions use supports resource-level permissions.
 */
const UNSCOPABLE_ACTIONS: Record<string, string> = {
  'imagebuilder:ListInfrastructureConfigurations':
    'Image Builder\'s List actions take no resource: IAM authorises them only on Resource "*"',
  'imagebuilder:ListDistributionConfigurations':
    'Image Builder\'s List actions take no resource: IAM authorises them only on Resource "*"',
  'ec2:DescribeNetworkInterfaces':
    'Lambda needs it for functions in a VPC, and EC2 authorises it only on Resource "*" (vpc stage only)',
};

/** The actions an SNS topic policy accepts (SNS rejects "sns:*"), all denied without TLS. */
const SNS_TOPIC_ACTIONS = [
  'sns:AddPermission',
  'sns:DeleteTopic',
  'sns:GetDataProtectionPolicy',
  'sns:GetTopicAttributes',
  'sns:ListSubscriptionsByTopic',
  'sns:ListTagsForResource',
  'sns:Publish',
  'sns:PutDataProtectionPolicy',
  'sns:RemovePermission',
  'sns:SetTopicAttributes',
  'sns:Subscribe',
];
const INSECURE_TRANSPORT = { Bool: { 'aws:SecureTransport': 'false' } };

interface Statement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
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

/** The temporary folder (TMPDIR) every packaging run of this file gets, checked after them. */
const packageTemp = mkdtempSync(join(tmpdir(), 'image-provisioner-package-temp-'));

const packaged = new Map<string, { outDir: string; templates?: Record<TemplateKind, Template> }>();

// One after the other (packageStage also waits for any other test file's packaging).
beforeAll(
  async () => {
    for (const { stage } of STAGE_CASES) {
      const outDir = await mkdtemp(join(tmpdir(), `image-provisioner-package-${stage}-`));
      packaged.set(stage, { outDir });
      await packageStage(stage, outDir, packageTemp);
      const [create, update] = await Promise.all([
        readTemplate(outDir, 'create'),
        readTemplate(outDir, 'update'),
      ]);
      packaged.set(stage, { outDir, templates: { create, update } });
    }
  },
  STAGE_CASES.length * PACKAGE_TIMEOUT_MS + 30_000,
);

afterAll(async () => {
  await Promise.all(
    [...packaged.values()].map(({ outDir }) => rm(outDir, { recursive: true, force: true })),
  );
});

/** Queries on one stage's template. */
const inspect = (stage: string) => {
  /** The template of every deploy after the first (the first one's: `'create'`). */
  const template = (kind: TemplateKind = 'update'): Template => {
    const found = packaged.get(stage)?.templates?.[kind];
    if (!found) throw new Error(`stage ${stage} was not packaged`);
    return found;
  };
  const resource = (logicalId: string): Resource => {
    const found = template().Resources[logicalId];
    if (!found) throw new Error(`template has no resource ${logicalId}`);
    return found;
  };
  const ofType = (type: string): [string, Resource][] =>
    Object.entries(template().Resources).filter(([, r]) => r.Type === type);

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

  /** The statements of a role whose actions belong to one service (`sqs`, `logs`, ...). */
  const serviceStatements = (roleId: string, service: string): Statement[] =>
    statementsOfRole(roleId).filter((s) => actionsOf(s).some((a) => a.startsWith(`${service}:`)));

  /** Every statement of every identity policy in the stack, each once. */
  const identityStatements = (): Statement[] => [
    ...ofType('AWS::IAM::Role').flatMap(([, r]) =>
      asList(r.Properties.Policies).flatMap(
        (policy: { PolicyDocument: { Statement: Statement[] } }) => policy.PolicyDocument.Statement,
      ),
    ),
    ...ofType('AWS::IAM::Policy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement),
    ...ofType('AWS::IAM::ManagedPolicy').flatMap(([, r]) => r.Properties.PolicyDocument.Statement),
  ];

  /** Every statement of every resource policy (queues, topic) in the stack. */
  const resourcePolicyStatements = (): Statement[] =>
    [...ofType('AWS::SQS::QueuePolicy'), ...ofType('AWS::SNS::TopicPolicy')].flatMap(
      ([, r]) => r.Properties.PolicyDocument.Statement,
    );

  const queuePolicyOf = (queueId: string): Statement[] => {
    const policies = ofType('AWS::SQS::QueuePolicy').filter(([, r]) =>
      asList(r.Properties.Queues).some((q: { Ref?: string }) => q.Ref === queueId),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]?.[1].Properties.Queues).toEqual([{ Ref: queueId }]);
    return policies[0]?.[1].Properties.PolicyDocument.Statement;
  };

  const topicPolicy = (): Statement[] => {
    const policies = ofType('AWS::SNS::TopicPolicy').filter(([, r]) =>
      asList(r.Properties.Topics).some((t: { Ref?: string }) => t.Ref === 'OutcomesTopic'),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]?.[1].Properties.Topics).toEqual([{ Ref: 'OutcomesTopic' }]);
    return policies[0]?.[1].Properties.PolicyDocument.Statement;
  };

  const environmentOf = (fn: keyof typeof FUNCTIONS): Record<string, unknown> =>
    resource(FUNCTIONS[fn].resource).Properties.Environment.Variables;

  /** The one event source mapping that invokes a function (by its logical id). */
  const mappingOf = (functionId: string): Resource => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => m.Properties.FunctionName?.['Fn::GetAtt']?.[0] === functionId,
    );
    expect(mappings, `event source mappings of ${functionId}`).toHaveLength(1);
    return (mappings[0] as [string, Resource])[1];
  };

  const outDir = (): string => packaged.get(stage)?.outDir ?? '';

  return {
    template,
    resource,
    ofType,
    statementsOfRole,
    serviceStatements,
    identityStatements,
    resourcePolicyStatements,
    queuePolicyOf,
    topicPolicy,
    environmentOf,
    mappingOf,
    outDir,
  };
};

/** The network interface statements a role holds in a stage with a VPC (checked on their own). */
const withoutNetworkInterfaces = (statements: Statement[]): Statement[] =>
  statements.filter((s) => !actionsOf(s).some((action) => action.startsWith('ec2:')));

describe.each(STAGE_CASES)('sls package --stage $stage', (stageCase) => {
  const { stage } = stageCase;
  /** The outbox's and the watch's managed policies: the network interface policy in a VPC only. */
  const networkPolicyArns = stageCase.vpc ? [{ Ref: 'NetworkInterfacesPolicy' }] : undefined;
  const {
    template,
    resource,
    ofType,
    serviceStatements,
    identityStatements,
    resourcePolicyStatements,
    queuePolicyOf,
    topicPolicy,
    statementsOfRole,
    environmentOf,
    mappingOf,
    outDir,
  } = inspect(stage);

  describe('functions', () => {
    it('deploys exactly the http, queue, outbox and watch functions on nodejs22.x / arm64', () => {
      expect(
        ofType('AWS::Lambda::Function')
          .map(([id]) => id)
          .sort(),
      ).toEqual(
        Object.values(FUNCTIONS)
          .map((fn) => fn.resource)
          .sort(),
      );
      for (const fn of Object.values(FUNCTIONS)) {
        const { Properties } = resource(fn.resource);
        expect(Properties.Runtime).toBe('nodejs22.x');
        expect(Properties.Architectures).toEqual(['arm64']);
        // The http function, whose callers wait, gets more CPU (README "Performance").
        expect(Properties.MemorySize).toBe(fn === FUNCTIONS.http ? 1024 : 256);
      }
      expect(resource(FUNCTIONS.http.resource).Properties.Handler).toBe(
        'src/handlers/http.handler',
      );
      expect(resource(FUNCTIONS.queue.resource).Properties.Handler).toBe(
        'src/handlers/queue.handler',
      );
      expect(resource(FUNCTIONS.outbox.resource).Properties.Handler).toBe(
        'src/handlers/outbox.handler',
      );
      expect(resource(FUNCTIONS.watch.resource).Properties.Handler).toBe(
        'src/handlers/watch.handler',
      );
    });

    it('gives each function its own role and no shared default role', () => {
      for (const fn of Object.values(FUNCTIONS)) {
        expect(resource(fn.resource).Properties.Role).toEqual({ 'Fn::GetAtt': [fn.role, 'Arn'] });
        expect(resource(fn.role).Type).toBe('AWS::IAM::Role');
      }
      const roles = Object.values(FUNCTIONS).map((fn) => fn.role);
      expect(new Set(roles).size).toBe(roles.length);
      expect(template().Resources.IamRoleLambdaExecution).toBeUndefined();
    });

    it('times the http function out well before API Gateway (29 s) does', () => {
      expect(resource(FUNCTIONS.http.resource).Properties.Timeout).toBe(10);
      expect(resource(FUNCTIONS.queue.resource).Properties.Timeout).toBe(30);
      expect(resource(FUNCTIONS.outbox.resource).Properties.Timeout).toBe(30);
      expect(resource(FUNCTIONS.watch.resource).Properties.Timeout).toBe(30);
    });

    // The outbox reads the same configuration (readConfig) as the request path.
    it('sets the configuration the code reads at cold start', () => {
      for (const fn of Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[]) {
        expect(environmentOf(fn), fn).toEqual({
          IDEMPOTENCY_TABLE_NAME: { Ref: 'IdempotencyTable' },
          REQUESTS_TABLE_NAME: { Ref: 'RequestsTable' },
          REQUEST_RETENTION_SECONDS: '604800',
          OUTCOMES_TOPIC_ARN: { Ref: 'OutcomesTopic' },
          IDEMPOTENCY_TTL_SECONDS: '86400',
          QUEUE_MAX_RECEIVE_COUNT: '5',
          IAM_PROPAGATION_WINDOW_SECONDS: '120',
          WATCH_QUEUE_URL: { Ref: 'WatchQueue' },
          READINESS_TIMEOUT_SECONDS: '3600',
          READINESS_FIRST_CHECK_SECONDS: '60',
          READINESS_MAX_CHECK_SECONDS: '300',
          OUTCOME_SOURCE: `image-provisioner.${stage}`,
          POWERTOOLS_SERVICE_NAME: 'image-provisioner',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          POWERTOOLS_METRICS_NAMESPACE: `image-provisioner/${stage}`,
          // dev has a guardrails file; sso has none and so runs without guardrails.
          GUARDRAILS_FILE: existsSync(`config/guardrails/${stage}.json`)
            ? `config/guardrails/${stage}.json`
            : '',
        });
      }
    });

    it('keeps logs a year in a log group per function', () => {
      for (const fn of Object.values(FUNCTIONS)) {
        expect(resource(fn.logGroup).Type, fn.logGroup).toBe('AWS::Logs::LogGroup');
        expect(resource(fn.logGroup).Properties.RetentionInDays, fn.logGroup).toBe(365);
        // The group the function writes to, and the only one its role may write to.
        expect(resource(fn.logGroup).Properties.LogGroupName).toBe(
          `/aws/lambda/${resource(fn.resource).Properties.FunctionName}`,
        );
      }
      // And the HTTP API's access log.
      expect(ofType('AWS::Logs::LogGroup')).toHaveLength(Object.keys(FUNCTIONS).length + 1);
    });
  });

  describe('HTTP API', () => {
    it('routes exactly the routes of the operations and the status lookup to the http function with payload 2.0', () => {
      const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
      expect(routes.sort()).toEqual([...ROUTES].sort());

      const integrations = ofType('AWS::ApiGatewayV2::Integration');
      expect(integrations).toHaveLength(1);
      expect(integrations[0]?.[1].Properties).toMatchObject({
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [FUNCTIONS.http.resource, 'Arn'] },
      });
    });

    it('has no route without an authorizer', () => {
      const routes = ofType('AWS::ApiGatewayV2::Route');
      expect(routes.length).toBe(ROUTES.length);
      for (const [id, route] of routes) {
        expect(['AWS_IAM', 'JWT', 'CUSTOM'], `${id} (${route.Properties.RouteKey})`).toContain(
          route.Properties.AuthorizationType,
        );
      }
    });

    it(`protects the status lookup with the same ${stageCase.auth} authorizer as every other route`, () => {
      const routes = ofType('AWS::ApiGatewayV2::Route');
      const lookup = routes.filter(([, r]) => r.Properties.RouteKey === LOOKUP_ROUTE);
      expect(lookup).toHaveLength(1);
      const authOf = (route: Resource) => ({
        AuthorizationType: route.Properties.AuthorizationType,
        AuthorizerId: route.Properties.AuthorizerId,
      });
      const lookupAuth = authOf((lookup[0] as [string, Resource])[1]);
      expect(lookupAuth.AuthorizationType).toBe(stageCase.auth);
      const others = routes.filter(([, r]) => r.Properties.RouteKey !== LOOKUP_ROUTE);
      expect(others).toHaveLength(ROUTES.length - 1);
      for (const [id, route] of others) expect(authOf(route), id).toEqual(lookupAuth);
      expect((lookup[0] as [string, Resource])[1].Properties.Target).toEqual({
        'Fn::Join': [
          '/',
          ['integrations', { Ref: ofType('AWS::ApiGatewayV2::Integration')[0]?.[0] }],
        ],
      });
    });

    if (stageCase.auth === 'AWS_IAM') {
      it('requires SigV4 (AWS_IAM) on every route and defines no other authorizer', () => {
        for (const [id, route] of ofType('AWS::ApiGatewayV2::Route')) {
          expect(route.Properties.AuthorizationType, id).toBe('AWS_IAM');
          expect(route.Properties.AuthorizerId, id).toBeUndefined();
        }
        expect(ofType('AWS::ApiGatewayV2::Authorizer')).toEqual([]);
      });

      it('outputs the execute-api ARN callers are granted execute-api:Invoke on', () => {
        expect(template().Outputs.HttpApiExecuteArn?.Value).toEqual({
          'Fn::Sub': `arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${HttpApi}`,
        });
      });
    } else {
      it('requires a JWT from the configured issuer and audience on every route', () => {
        const authorizers = ofType('AWS::ApiGatewayV2::Authorizer');
        expect(authorizers).toHaveLength(1);
        const [authorizerId, authorizer] = authorizers[0] as [string, Resource];
        expect(authorizer.Properties).toEqual({
          ApiId: { Ref: 'HttpApi' },
          Name: 'jwtAuthorizer',
          AuthorizerType: 'JWT',
          IdentitySource: ['$request.header.Authorization'],
          JwtConfiguration: { Issuer: JWT_ISSUER, Audience: JWT_AUDIENCE },
        });
        for (const [id, route] of ofType('AWS::ApiGatewayV2::Route')) {
          expect(route.Properties.AuthorizationType, id).toBe('JWT');
          expect(route.Properties.AuthorizerId, id).toEqual({ Ref: authorizerId });
        }
      });
    }

    it('outputs the API URL and the addresses of queue, DLQ, topic and table', () => {
      expect(Object.keys(template().Outputs)).toEqual(
        expect.arrayContaining([
          'HttpApiUrl',
          'RequestQueueUrl',
          'RequestDeadLetterQueueUrl',
          'OutcomesTopicArn',
          'IdempotencyTableName',
        ]),
      );
    });

    it('outputs the request ledger table name and the outbox failure queue URL', () => {
      expect(template().Outputs.RequestsTableName?.Value).toEqual({ Ref: 'RequestsTable' });
      expect(template().Outputs.OutboxFailureQueueUrl?.Value).toEqual({
        Ref: 'OutboxFailureQueue',
      });
    });
  });

  describe('request queue', () => {
    it('feeds the queue function in batches with partial batch responses', () => {
      // The request queue's, the ledger stream's (the outbox) and the watch queue's, nothing else.
      expect(ofType('AWS::Lambda::EventSourceMapping')).toHaveLength(3);
      expect(mappingOf(FUNCTIONS.queue.resource).Properties).toMatchObject({
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
      const mapping = mappingOf(FUNCTIONS.queue.resource).Properties;
      const timeout = resource(FUNCTIONS.queue.resource).Properties.Timeout;
      expect(resource('RequestQueue').Properties.VisibilityTimeout).toBeGreaterThanOrEqual(
        6 * timeout + mapping.MaximumBatchingWindowInSeconds,
      );
    });

    it('encrypts both queues and keeps dead letters 14 days', () => {
      expect(resource('RequestQueue').Properties.SqsManagedSseEnabled).toBe(true);
      expect(resource('RequestDeadLetterQueue').Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    });

    it.each(['RequestQueue', 'RequestDeadLetterQueue'])(
      'denies every request to %s that does not use TLS, and grants nothing',
      (queueId) => {
        expect(queuePolicyOf(queueId)).toEqual([
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sqs:*',
            Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
            Condition: INSECURE_TRANSPORT,
          },
        ]);
      },
    );
  });

  describe('request ledger and outbox', () => {
    it('keys the ledger on pk, streams new and old images, expires on expiresAt, encrypted', () => {
      expect(resource('RequestsTable')).toMatchObject({ Type: 'AWS::DynamoDB::Table' });
      expect(resource('RequestsTable').Properties).toEqual({
        TableName: `image-provisioner-${stage}-requests`,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true },
        // From the pointInTimeRecovery param (true in every deployed stage), like the idempotency
        // table's.
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      expect(resource('RequestsTable').Properties.PointInTimeRecoverySpecification).toEqual(
        resource('IdempotencyTable').Properties.PointInTimeRecoverySpecification,
      );
    });

    it.each([
      'IdempotencyTable',
      'RequestsTable',
      'RequestDeadLetterQueue',
      'OutboxFailureQueue',
      'WatchDeadLetterQueue',
    ])('keeps %s when the stack is deleted or the resource replaced', (id) => {
      expect(resource(id)).toMatchObject({
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    it('keys the ledger on the attribute the code writes', () => {
      const key = ledgerKey('CreateImageBuilder', 'token');
      const [hash] = resource('RequestsTable').Properties.KeySchema as { AttributeName: string }[];
      expect(Object.keys(key)).toEqual([hash?.AttributeName]);
      expect(Object.keys(Object.values(key)[0] ?? {})).toEqual(['S']);
    });

    it('feeds the outbox the ledger stream in order, with bounded retries and a failure queue', () => {
      const mapping = mappingOf(FUNCTIONS.outbox.resource);
      expect(mapping.Properties).toEqual({
        EventSourceArn: LEDGER_STREAM_ARN,
        FunctionName: { 'Fn::GetAtt': [FUNCTIONS.outbox.resource, 'Arn'] },
        Enabled: true,
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 1000,
        MaximumRecordAgeInSeconds: 21600,
        DestinationConfig: { OnFailure: { Destination: OUTBOX_FAILURE_QUEUE_ARN } },
      });
      // Created once the role that reads the stream exists.
      expect(mapping.DependsOn).toContain(FUNCTIONS.outbox.role);
      // Given up on while still in the stream, so it reaches the failure queue rather than
      // vanishing with the stream's retention.
      expect(mapping.Properties.MaximumRecordAgeInSeconds).toBeLessThan(STREAM_RETENTION_SECONDS);
    });

    it('is invoked by its stream only: nothing else may invoke the outbox', () => {
      const outboxName = resource(FUNCTIONS.outbox.resource).Properties.FunctionName;
      const permissions = ofType('AWS::Lambda::Permission').filter(([, p]) => {
        const target = JSON.stringify(p.Properties.FunctionName);
        return target.includes(FUNCTIONS.outbox.resource) || target.includes(outboxName);
      });
      expect(permissions).toEqual([]);
    });

    it('encrypts the outbox failure queue and keeps failures 14 days', () => {
      expect(resource('OutboxFailureQueue')).toMatchObject({ Type: 'AWS::SQS::Queue' });
      expect(resource('OutboxFailureQueue').Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    });

    it('denies every request to OutboxFailureQueue that does not use TLS, and grants nothing', () => {
      expect(queuePolicyOf('OutboxFailureQueue')).toEqual([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sqs:*',
          Resource: OUTBOX_FAILURE_QUEUE_ARN,
          Condition: INSECURE_TRANSPORT,
        },
      ]);
    });
  });

  describe('readiness watch', () => {
    it('feeds the watch function from the watch queue in batches with partial batch responses', () => {
      expect(mappingOf(FUNCTIONS.watch.resource).Properties).toMatchObject({
        EventSourceArn: WATCH_QUEUE_ARN,
        FunctionName: { 'Fn::GetAtt': [FUNCTIONS.watch.resource, 'Arn'] },
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    });

    it('encrypts the watch queue and its DLQ, redrives after 10 receives, keeps dead checks 14 days', () => {
      const watch = resource('WatchQueue').Properties;
      expect(watch).toMatchObject({
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': ['WatchDeadLetterQueue', 'Arn'] },
          maxReceiveCount: 10,
        },
      });
      expect(watch.VisibilityTimeout).toBeGreaterThanOrEqual(
        6 * resource(FUNCTIONS.watch.resource).Properties.Timeout,
      );
      expect(resource('WatchDeadLetterQueue').Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    });

    it.each(['WatchQueue', 'WatchDeadLetterQueue'])(
      'denies every request to %s that does not use TLS, and grants nothing',
      (queue) => {
        expect(queuePolicyOf(queue)).toEqual([
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 'sqs:*',
            Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
            Condition: INSECURE_TRANSPORT,
          },
        ]);
      },
    );

    it('lets only the outbox send to the watch queue', () => {
      const senders = ofType('AWS::IAM::Role')
        .filter(([id]) =>
          statementsOfRole(id).some(
            (statement) =>
              actionsOf(statement).includes('sqs:SendMessage') &&
              asList(statement.Resource).some(
                (arn) => JSON.stringify(arn) === JSON.stringify(WATCH_QUEUE_ARN),
              ),
          ),
        )
        .map(([id]) => id);
      expect(senders).toEqual([FUNCTIONS.outbox.role]);
    });

    it('outputs the watch queue and its DLQ', () => {
      expect(template().Outputs.WatchQueueUrl?.Value).toEqual({ Ref: 'WatchQueue' });
      expect(template().Outputs.WatchDeadLetterQueueUrl?.Value).toEqual({
        Ref: 'WatchDeadLetterQueue',
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

    it('gives the topic policy an Id and every statement a unique Sid (SNS requires both)', () => {
      const policy = resource('OutcomesTopicPolicy').Properties.PolicyDocument;
      expect(policy?.Id).toBe(`image-provisioner-${stage}-outcomes-policy`);
      const sids = topicPolicy().map((s) => s.Sid);
      expect(sids.every(Boolean)).toBe(true);
      expect(new Set(sids).size).toBe(sids.length);
      for (const statement of topicPolicy()) {
        expect(statement.Resource).toEqual({ Ref: 'OutcomesTopic' });
      }
    });

    it('denies every topic action without TLS', () => {
      const tls = topicPolicy().filter((s) => s.Sid === 'DenyInsecureTransport');
      expect(tls).toEqual([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: SNS_TOPIC_ACTIONS,
          Resource: { Ref: 'OutcomesTopic' },
          Condition: INSECURE_TRANSPORT,
        },
      ]);
    });

    it('lets only the outbox role publish', () => {
      const publish = topicPolicy().filter((s) => actionsOf(s).includes('sns:Publish'));
      expect(publish.filter((s) => s.Effect === 'Allow')).toEqual([]);
      expect(publish.filter((s) => s.Sid !== 'DenyInsecureTransport')).toEqual([
        {
          Sid: 'PublishOnlyFromServiceFunctions',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Publish',
          Resource: { Ref: 'OutcomesTopic' },
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': PUBLISHER_ROLE_ARNS } },
        },
      ]);
    });

    it('lets only the configured subscriber accounts subscribe', () => {
      const accounts = { 'Fn::Split': [',', { 'Fn::Sub': stageCase.subscriberAccounts }] };
      const subscribe = topicPolicy().filter(
        (s) => actionsOf(s).includes('sns:Subscribe') && s.Sid !== 'DenyInsecureTransport',
      );
      expect(subscribe).toEqual([
        {
          Sid: 'SubscribeFromSubscriberAccounts',
          Effect: 'Allow',
          Principal: { AWS: accounts },
          Action: 'sns:Subscribe',
          Resource: { Ref: 'OutcomesTopic' },
        },
        {
          Sid: 'SubscribeOnlyFromSubscriberAccounts',
          Effect: 'Deny',
          Principal: '*',
          Action: 'sns:Subscribe',
          Resource: { Ref: 'OutcomesTopic' },
          Condition: { StringNotEquals: { 'aws:PrincipalAccount': accounts } },
        },
      ]);
      // Subscribe is the only thing the topic policy allows.
      expect(
        topicPolicy()
          .filter((s) => s.Effect === 'Allow')
          .flatMap(actionsOf),
      ).toEqual(['sns:Subscribe']);
    });
  });

  describe('IAM', () => {
    it('uses no wildcard action, NotAction/NotResource or Resource "*" in identity policies', () => {
      const statements = identityStatements();
      expect(statements.length).toBeGreaterThan(5);
      // Every statement any role holds (the outbox role's included) is among those checked.
      for (const [roleId] of ofType('AWS::IAM::Role')) {
        for (const statement of statementsOfRole(roleId)) expect(statements).toContain(statement);
      }
      for (const statement of statements) {
        expect(statement.Effect).toBe('Allow');
        expect(statement.NotAction).toBeUndefined();
        expect(statement.NotResource).toBeUndefined();
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
        if (asList(statement.Resource).includes('*')) {
          for (const action of actionsOf(statement)) {
            expect(UNSCOPABLE_ACTIONS, `${action} on Resource "*"`).toHaveProperty([action]);
          }
        }
      }
    });

    it('grants no wildcard action in resource policies; "sqs:*" only to deny without TLS', () => {
      const statements = resourcePolicyStatements();
      // One per queue (request, its DLQ, outbox failure, watch, its DLQ), four in the outcomes
      // topic's policy, two in the operations topic's.
      expect(statements.length).toBe(11);
      for (const statement of statements) {
        expect(statement.NotAction).toBeUndefined();
        expect(statement.NotResource).toBeUndefined();
        expect(statement.NotPrincipal).toBeUndefined();
        expect(asList(statement.Resource)).not.toContain('*');
        const wildcards = actionsOf(statement).filter((action) => action.includes('*'));
        if (wildcards.length > 0) {
          expect(statement).toMatchObject({ Effect: 'Deny', Condition: INSECURE_TRANSPORT });
          expect(wildcards).toEqual(['sqs:*']);
        }
        if (statement.Effect === 'Allow') expect(statement.Principal).not.toBe('*');
      }
    });

    it('lets each role write only to its own log group', () => {
      for (const fn of Object.values(FUNCTIONS)) {
        const logStatements = serviceStatements(fn.role, 'logs');
        expect(logStatements).toEqual([
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [fn.logGroup, 'Arn'] },
          },
        ]);
      }
    });

    it('publishes outcomes from the outbox role only, only to the outcomes topic', () => {
      const publish = serviceStatements(FUNCTIONS.outbox.role, 'sns');
      expect(publish).toHaveLength(1);
      expect(actionsOf(publish[0] as Statement)).toEqual(['sns:Publish']);
      expect(publish[0]?.Resource).toEqual({ Ref: 'OutcomesTopic' });
      // The request path commits outcomes to the ledger and never calls SNS.
      for (const fn of REQUEST_PATH) expect(serviceStatements(fn.role, 'sns'), fn.role).toEqual([]);
      // Nor does any other identity policy of the stack (ProvisioningPolicy included).
      const sns = identityStatements().filter((s) =>
        actionsOf(s).some((a) => a.startsWith('sns:')),
      );
      expect(sns).toEqual(publish);
    });

    it('touches idempotency records only in the idempotency table', () => {
      for (const fn of REQUEST_PATH) {
        const dynamodb = serviceStatements(fn.role, 'dynamodb').filter((s) =>
          JSON.stringify(s.Resource).includes('IdempotencyTable'),
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

    it('reads and updates request records in the ledger table from the request path, nothing more', () => {
      for (const fn of REQUEST_PATH) {
        const dynamodb = serviceStatements(fn.role, 'dynamodb');
        // The idempotency records and the ledger: nothing else of DynamoDB, no stream.
        expect(dynamodb, fn.role).toHaveLength(2);
        const ledger = statementsOfRole(fn.role).filter((s) =>
          JSON.stringify(s.Resource).includes('RequestsTable'),
        );
        expect(ledger, fn.role).toHaveLength(1);
        expect(actionsOf(ledger[0] as Statement).sort()).toEqual([
          'dynamodb:GetItem',
          'dynamodb:UpdateItem',
        ]);
        expect(ledger[0]?.Resource).toEqual(LEDGER_ARN);
      }
      // The ledger appears in three identity statements of the stack: this one, the outbox's
      // stream read and the watch's record read and update.
      const onLedger = identityStatements().filter((s) =>
        JSON.stringify(s.Resource).includes('RequestsTable'),
      );
      expect(onLedger.map((s) => s.Resource)).toEqual(
        expect.arrayContaining([LEDGER_ARN, LEDGER_STREAM_ARN]),
      );
      expect(onLedger).toHaveLength(3);
    });

    it('gives the outbox role exactly its log group, the ledger stream, the topic, the failure queue and the watch queue', () => {
      const role = resource(FUNCTIONS.outbox.role).Properties;
      expect(role.ManagedPolicyArns).toEqual(networkPolicyArns);
      const expected: Statement[] = [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [FUNCTIONS.outbox.logGroup, 'Arn'] },
        },
        {
          Effect: 'Allow',
          Action: [
            'dynamodb:DescribeStream',
            'dynamodb:GetRecords',
            'dynamodb:GetShardIterator',
            'dynamodb:ListStreams',
          ],
          Resource: LEDGER_STREAM_ARN,
        },
        { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: 'OutcomesTopic' } },
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: [OUTBOX_FAILURE_QUEUE_ARN, WATCH_QUEUE_ARN],
        },
      ];
      const statements = withoutNetworkInterfaces(statementsOfRole(FUNCTIONS.outbox.role));
      expect(statements).toHaveLength(expected.length);
      expect(statements).toEqual(expect.arrayContaining(expected));
      // The stream only: the outbox never reads or writes the table itself.
      for (const statement of statements) {
        expect(asList(statement.Resource)).not.toContainEqual(LEDGER_ARN);
      }
    });

    it('gives the watch role exactly its log group, ledger records, DescribeImageBuilders and its queue', () => {
      const role = resource(FUNCTIONS.watch.role).Properties;
      expect(role.ManagedPolicyArns).toEqual(networkPolicyArns);
      const expected: Statement[] = [
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [FUNCTIONS.watch.logGroup, 'Arn'] },
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          Resource: LEDGER_ARN,
        },
        {
          Effect: 'Allow',
          Action: 'appstream:DescribeImageBuilders',
          Resource: {
            'Fn::Sub': `arn:\${AWS::Partition}:appstream:\${AWS::Region}:\${AWS::AccountId}:image-builder/*`,
          },
        },
        {
          Effect: 'Allow',
          Action: [
            'sqs:ReceiveMessage',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:ChangeMessageVisibility',
          ],
          Resource: WATCH_QUEUE_ARN,
        },
      ];
      const statements = withoutNetworkInterfaces(statementsOfRole(FUNCTIONS.watch.role));
      expect(statements).toHaveLength(expected.length);
      expect(statements).toEqual(expect.arrayContaining(expected));
    });

    it('attaches the provisioning policy to the request path roles only, through the roles', () => {
      const attached = ofType('AWS::IAM::Role')
        .filter(([, r]) =>
          asList(r.Properties.ManagedPolicyArns).some(
            (arn: { Ref?: string }) => arn.Ref === 'ProvisioningPolicy',
          ),
        )
        .map(([id]) => id);
      expect(attached.sort()).toEqual(REQUEST_PATH.map((fn) => fn.role).sort());
      // No policy of the stack attaches itself to a role (the outbox's) from the policy's side.
      for (const [id, policy] of [
        ...ofType('AWS::IAM::ManagedPolicy'),
        ...ofType('AWS::IAM::Policy'),
      ]) {
        expect(policy.Properties.Roles, id).toBeUndefined();
        expect(policy.Properties.Users, id).toBeUndefined();
        expect(policy.Properties.Groups, id).toBeUndefined();
      }
    });

    it('lets each role be assumed by Lambda only', () => {
      for (const [id, role] of ofType('AWS::IAM::Role')) {
        expect(role.Properties.AssumeRolePolicyDocument, id).toEqual({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'lambda.amazonaws.com' },
              Action: 'sts:AssumeRole',
            },
          ],
        });
      }
      expect(
        ofType('AWS::IAM::Role')
          .map(([id]) => id)
          .sort(),
      ).toEqual(
        Object.values(FUNCTIONS)
          .map((fn) => fn.role)
          .sort(),
      );
    });

    it('scopes Image Builder and AppStream calls to the account and region', () => {
      for (const fn of REQUEST_PATH) {
        const imagebuilder = serviceStatements(fn.role, 'imagebuilder');
        expect(imagebuilder.flatMap(actionsOf)).toEqual(
          expect.arrayContaining([
            'imagebuilder:CreateInfrastructureConfiguration',
            'imagebuilder:UpdateInfrastructureConfiguration',
            'imagebuilder:GetInfrastructureConfiguration',
            'imagebuilder:DeleteInfrastructureConfiguration',
            'imagebuilder:CreateDistributionConfiguration',
            'imagebuilder:GetDistributionConfiguration',
            'imagebuilder:UpdateDistributionConfiguration',
            'imagebuilder:DeleteDistributionConfiguration',
            'imagebuilder:ListInfrastructureConfigurations',
            'imagebuilder:ListDistributionConfigurations',
          ]),
        );
        // What the guardrails adopt names its own ARNs (checked on its own).
        const adopted = (s: Statement) => s.Sid?.startsWith('Adopted') === true;
        for (const s of imagebuilder.filter((statement) => !adopted(statement))) {
          if (actionsOf(s).every((action) => action in UNSCOPABLE_ACTIONS)) {
            expect(s.Resource).toBe('*');
            continue;
          }
          expect(asList(s.Resource)).toEqual([
            {
              'Fn::Sub': `arn:\${AWS::Partition}:imagebuilder:\${AWS::Region}:\${AWS::AccountId}:infrastructure-configuration/*`,
            },
            {
              'Fn::Sub': `arn:\${AWS::Partition}:imagebuilder:\${AWS::Region}:\${AWS::AccountId}:distribution-configuration/*`,
            },
          ]);
        }

        const appstream = serviceStatements(fn.role, 'appstream');
        expect(appstream.flatMap(actionsOf)).toEqual(
          expect.arrayContaining([
            'appstream:CreateImageBuilder',
            'appstream:DescribeImageBuilders',
            'appstream:ListTagsForResource',
            'appstream:StopImageBuilder',
            'appstream:StartImageBuilder',
            'appstream:DeleteImageBuilder',
          ]),
        );
        for (const s of appstream.filter((statement) => !adopted(statement))) {
          for (const arn of asList(s.Resource) as { 'Fn::Sub': string }[]) {
            expect(arn['Fn::Sub']).toMatch(
              /^arn:\$\{AWS::Partition\}:appstream:\$\{AWS::Region\}:(\$\{AWS::AccountId\}|\*):(image-builder|image)\/\*$/,
            );
          }
        }
      }
    });

    it("adopts exactly what the stage's guardrails list as adoptable (dev), else nothing", () => {
      const adopted = ofType('AWS::IAM::ManagedPolicy').filter(
        ([id]) => id === 'AdoptedResourcesPolicy',
      );
      if (stage !== 'dev') {
        expect(adopted).toEqual([]);
        return;
      }
      expect(adopted).toHaveLength(1);
      const properties = adopted[0]?.[1].Properties ?? {};
      // Attached through the request path roles, as the provisioning policy is.
      for (const fn of REQUEST_PATH) {
        expect(resource(fn.role).Properties.ManagedPolicyArns).toContainEqual({
          Ref: 'AdoptedResourcesPolicy',
        });
      }
      expect(properties.PolicyDocument.Statement).toEqual([
        {
          Sid: 'AdoptedConfigurations',
          Effect: 'Allow',
          Action: [
            'imagebuilder:UpdateInfrastructureConfiguration',
            'imagebuilder:DeleteInfrastructureConfiguration',
            'imagebuilder:UpdateDistributionConfiguration',
            'imagebuilder:DeleteDistributionConfiguration',
          ],
          Resource: [
            'arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/legacy-*',
          ],
        },
        {
          Sid: 'AdoptedImageBuilders',
          Effect: 'Allow',
          Action: [
            'appstream:StopImageBuilder',
            'appstream:StartImageBuilder',
            'appstream:DeleteImageBuilder',
          ],
          Resource: [
            {
              'Fn::Sub': `arn:\${AWS::Partition}:appstream:\${AWS::Region}:\${AWS::AccountId}:image-builder/legacy-design-builder`,
            },
          ],
        },
      ]);
    });

    it("changes and deletes only what carries the stage's ownership tag", () => {
      const changes = [
        'imagebuilder:UpdateInfrastructureConfiguration',
        'imagebuilder:DeleteInfrastructureConfiguration',
        'imagebuilder:UpdateDistributionConfiguration',
        'imagebuilder:DeleteDistributionConfiguration',
        'appstream:StopImageBuilder',
        'appstream:StartImageBuilder',
        'appstream:DeleteImageBuilder',
      ];
      for (const fn of REQUEST_PATH) {
        const granting = statementsOfRole(fn.role).filter((s) =>
          actionsOf(s).some((action) => changes.includes(action)),
        );
        // What the guardrails adopt is checked on its own (above): exactly the listed ARNs.
        const adopted = granting.filter((s) => s.Sid?.startsWith('Adopted'));
        expect(adopted).toHaveLength(stage === 'dev' ? 2 : 0);
        const owned = granting.filter((s) => !adopted.includes(s));
        expect(owned.flatMap(actionsOf).sort()).toEqual([...changes].sort());
        for (const s of owned) {
          expect(actionsOf(s).every((action) => changes.includes(action))).toBe(true);
          expect(s.Condition).toEqual({
            StringEquals: {
              'aws:ResourceTag/image-provisioner:owner': `image-provisioner.${stage}`,
            },
          });
        }
      }
    });

    it(`passes only the ${stage === 'dev' ? "guardrails'" : 'default'} roles, and only to EC2, Image Builder and AppStream`, () => {
      const passRole = identityStatements().filter((s) => actionsOf(s).includes('iam:PassRole'));
      expect(passRole).toHaveLength(1);
      const [statement] = passRole as [Statement];
      expect(actionsOf(statement)).toEqual(['iam:PassRole']);
      expect(statement.Condition).toEqual({
        StringEquals: {
          'iam:PassedToService': [
            'ec2.amazonaws.com',
            'imagebuilder.amazonaws.com',
            'appstream.amazonaws.com',
          ],
        },
      });
      expect(statement.Resource).toEqual(stageCase.passRoles);
    });

    it('reads only the allowed instance profiles', () => {
      const read = identityStatements().filter((s) =>
        actionsOf(s).includes('iam:GetInstanceProfile'),
      );
      expect(read).toHaveLength(1);
      expect(actionsOf(read[0] as Statement)).toEqual(['iam:GetInstanceProfile']);
      expect(read[0]?.Resource).toEqual(stageCase.instanceProfiles);
    });

    it('creates service-linked roles only for Image Builder and AppStream', () => {
      const slr = identityStatements().filter((s) =>
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

    // The outbox's only queue permission, SendMessage on its failure queue, is pinned above.
    it('gives request queue permissions to the queue role only, on the request queue only', () => {
      expect(serviceStatements(FUNCTIONS.http.role, 'sqs')).toEqual([]);
      const sqs = serviceStatements(FUNCTIONS.queue.role, 'sqs');
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

  describe('Control Tower settings and load protection', () => {
    const OPERATIONS_KEY_ARN = { 'Fn::GetAtt': ['OperationsKey', 'Arn'] };

    it('writes a JSON access log of every HTTP API request to its own log group', () => {
      const stageSettings = resource('HttpApiStage').Properties;
      expect(stageSettings.AccessLogSettings.DestinationArn).toEqual({
        'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'],
      });
      const format: string = stageSettings.AccessLogSettings.Format;
      // One line per request (CloudWatch Logs takes each line as an event).
      expect(format).not.toMatch(/\n/);
      expect(JSON.parse(format)).toEqual({
        requestId: '$context.requestId',
        requestTime: '$context.requestTimeEpoch',
        routeKey: '$context.routeKey',
        status: '$context.status',
        responseLatency: '$context.responseLatency',
        integrationLatency: '$context.integrationLatency',
        integrationStatus: '$context.integrationStatus',
        integrationError: '$context.integrationErrorMessage',
        integrationServiceError: '$context.integration.error',
        authorizerError: '$context.authorizer.error',
        // The caller: the IAM identity (authMode iam), the token's subject (jwt).
        caller: '$context.identity.caller',
        userArn: '$context.identity.userArn',
        accountId: '$context.identity.accountId',
        jwtSubject: '$context.authorizer.claims.sub',
        sourceIp: '$context.identity.sourceIp',
        userAgent: '$context.identity.userAgent',
        responseLength: '$context.responseLength',
      });
      expect(resource('HttpApiLogGroup').Properties).toEqual({
        LogGroupName: `/aws/http-api/image-provisioner-${stage}`,
        RetentionInDays: 365,
        KmsKeyId: OPERATIONS_KEY_ARN,
      });
    });

    it("encrypts every log group with the stage's key, which lets CloudWatch Logs use it for them", () => {
      const logGroups = ofType('AWS::Logs::LogGroup');
      const keyStatement = (
        resource('OperationsKey').Properties.KeyPolicy.Statement as Statement[]
      ).find((s) => s.Sid === 'LogsEncryptTheStageLogGroups');
      const arns = (keyStatement?.Condition?.ArnLike?.['kms:EncryptionContext:aws:logs:arn'] ??
        []) as { 'Fn::Sub': string }[];
      const patterns = arns.map(
        ({ 'Fn::Sub': arn }) =>
          new RegExp(
            `^${arn
              .replace(
                /^arn:\$\{AWS::Partition\}:logs:\$\{AWS::Region\}:\$\{AWS::AccountId\}:log-group:/,
                '',
              )
              .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '.*')}$`,
          ),
      );
      expect(patterns.length).toBeGreaterThan(0);
      for (const [id, logGroup] of logGroups) {
        expect(logGroup.Properties.KmsKeyId, id).toEqual(OPERATIONS_KEY_ARN);
        expect(logGroup.Properties.RetentionInDays, id).toBeGreaterThanOrEqual(365);
        const name: string = logGroup.Properties.LogGroupName;
        expect(
          patterns.some((pattern) => pattern.test(name)),
          `${name} is a group the key policy lets CloudWatch Logs encrypt`,
        ).toBe(true);
      }
    });

    it('throttles every write at the stage default: 10 requests at once, 5 a second', () => {
      const { DefaultRouteSettings, RouteSettings } = resource('HttpApiStage').Properties;
      expect(DefaultRouteSettings).toEqual({
        DetailedMetricsEnabled: false,
        ThrottlingBurstLimit: 10,
        ThrottlingRateLimit: 5,
      });
      // No write has settings of its own that would lift it.
      const writes = ROUTES.filter((key) => !key.startsWith('GET '));
      expect(writes.length).toBeGreaterThan(0);
      for (const key of writes) expect(Object.keys(RouteSettings), key).not.toContain(key);
    });

    it('throttles every GET route on its own: the status lookup at 50 a second, the AWS reads at 20', () => {
      const { RouteSettings } = resource('HttpApiStage').Properties;
      // Every GET route the template has (each route of iac/functions.yml becomes one), so a new
      // GET route without settings of its own fails here.
      const gets = ofType('AWS::ApiGatewayV2::Route')
        .map(([, r]) => r.Properties.RouteKey as string)
        .filter((key) => key.startsWith('GET '));
      expect(gets).toContain(LOOKUP_ROUTE);
      expect(gets).toHaveLength(7);
      expect(Object.keys(RouteSettings).sort()).toEqual([...gets].sort());
      for (const key of gets) {
        expect(RouteSettings[key], key).toEqual(
          key === LOOKUP_ROUTE
            ? { DetailedMetricsEnabled: false, ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 }
            : { DetailedMetricsEnabled: false, ThrottlingBurstLimit: 40, ThrottlingRateLimit: 20 },
        );
      }
    });

    it('creates the stage after every route its route settings name, and after its log group', () => {
      const stageResource = resource('HttpApiStage');
      const dependsOn = asList(stageResource.DependsOn);
      const routeIds = new Map(
        ofType('AWS::ApiGatewayV2::Route').map(([id, r]) => [r.Properties.RouteKey as string, id]),
      );
      const named = Object.keys(stageResource.Properties.RouteSettings).map((key) => {
        const id = routeIds.get(key);
        if (!id) throw new Error(`route settings for ${key}, which is no route of the API`);
        return id;
      });
      expect(named).toContain('HttpApiRouteGetRequestsClienttokenVar');
      expect([...dependsOn].sort()).toEqual(['HttpApiLogGroup', ...named].sort());
    });

    it('reserves concurrency per function, at least the queue triggers’ maximum concurrency', () => {
      const reserved = Object.fromEntries(
        Object.entries(FUNCTIONS).map(([name, fn]) => [
          name,
          resource(fn.resource).Properties.ReservedConcurrentExecutions,
        ]),
      );
      expect(reserved).toEqual({ http: 35, queue: 2, outbox: 10, watch: 2 });
      for (const fn of [FUNCTIONS.queue, FUNCTIONS.watch]) {
        const { MaximumConcurrency } = mappingOf(fn.resource).Properties.ScalingConfig;
        // 2 is the least Lambda accepts for an SQS trigger.
        expect(MaximumConcurrency, fn.resource).toBe(2);
        expect(reserved[fn === FUNCTIONS.queue ? 'queue' : 'watch']).toBeGreaterThanOrEqual(
          MaximumConcurrency,
        );
      }
      // Far inside what an account keeps unreserved (AWS keeps 100 of the default 1,000).
      expect(Object.values(reserved).reduce((sum, n) => sum + n, 0)).toBe(49);
    });

    it(`lets only this API invoke the http function${stageCase.accountId ? ', from its account' : ''}`, () => {
      const permissions = ofType('AWS::Lambda::Permission');
      expect(permissions.map(([id]) => id)).toEqual(['HttpLambdaPermissionHttpApi']);
      const { Properties } = (permissions[0] as [string, Resource])[1];
      expect(Properties.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(Properties.SourceArn)).toContain('{"Ref":"HttpApi"}');
      expect(Properties.SourceAccount).toBe(stageCase.accountId);
    });

    it.each([
      ['RequestDeadLetterQueue', 'requests'],
      ['WatchDeadLetterQueue', 'watch'],
      ['OutboxFailureQueue', 'outbox-failures'],
    ])('lets only its source queue dead-letter to %s', (queueId, source) => {
      expect(resource(queueId).Properties.RedriveAllowPolicy).toEqual({
        redrivePermission: 'byQueue',
        sourceQueueArns: [
          {
            'Fn::Sub': `arn:\${AWS::Partition}:sqs:\${AWS::Region}:\${AWS::AccountId}:image-provisioner-${stage}-${source}`,
          },
        ],
      });
    });

    it('names the source queues as they are named', () => {
      expect(resource('RequestQueue').Properties.QueueName).toBe(
        `image-provisioner-${stage}-requests`,
      );
      expect(resource('WatchQueue').Properties.QueueName).toBe(`image-provisioner-${stage}-watch`);
      expect(resource('OutboxFailureQueue').Properties.QueueName).toBe(
        `image-provisioner-${stage}-outbox-failures`,
      );
    });

    it.each(['create', 'update'] as const)(
      'configures the deployment bucket in the %s-stack template',
      (kind) => {
        const bucket = template(kind).Resources.ServerlessDeploymentBucket as Resource;
        const bucketArn = { 'Fn::GetAtt': ['ServerlessDeploymentBucket', 'Arn'] };
        expect(bucket.Properties).toEqual({
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              {
                ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' },
                BucketKeyEnabled: true,
              },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          VersioningConfiguration: { Status: 'Enabled' },
          ObjectLockEnabled: true,
          LifecycleConfiguration: {
            Rules: [
              {
                Id: 'ExpireOldArtifacts',
                Status: 'Enabled',
                NoncurrentVersionExpiration: { NoncurrentDays: 30 },
                AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
              },
              {
                Id: 'RemoveExpiredDeleteMarkers',
                Status: 'Enabled',
                ExpiredObjectDeleteMarker: true,
              },
            ],
          },
          NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
          ...(stageCase.accessLogBucket
            ? {
                LoggingConfiguration: {
                  DestinationBucketName: stageCase.accessLogBucket,
                  LogFilePrefix: { 'Fn::Sub': `\${AWS::StackName}/` },
                },
              }
            : {}),
        });
        const policy = template(kind).Resources.ServerlessDeploymentBucketPolicy as Resource;
        expect(policy.Properties.Bucket).toEqual({ Ref: 'ServerlessDeploymentBucket' });
        // One statement: deny anything without TLS, to anyone, on the bucket and its objects.
        const [tlsOnly, ...others] = policy.Properties.PolicyDocument.Statement as Statement[];
        expect(others).toEqual([]);
        expect([tlsOnly?.Effect, tlsOnly?.Principal, tlsOnly?.Action]).toEqual([
          'Deny',
          '*',
          's3:*',
        ]);
        expect(tlsOnly?.Condition).toEqual(INSECURE_TRANSPORT);
        expect(asList(tlsOnly?.Resource)).toEqual([
          bucketArn,
          { 'Fn::Join': ['', [bucketArn, '/*']] },
        ]);
      },
    );

    if (stageCase.vpc) {
      const { subnetIds, securityGroupIds } = stageCase.vpc;
      const ec2 = (resourcePath: string) => ({
        'Fn::Sub': `arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:${resourcePath}`,
      });

      it('runs every function in the given subnets with the given security groups', () => {
        for (const fn of Object.values(FUNCTIONS)) {
          expect(resource(fn.resource).Properties.VpcConfig, fn.resource).toEqual({
            SubnetIds: subnetIds,
            SecurityGroupIds: securityGroupIds,
          });
        }
      });

      it('gives every function role the network interfaces Lambda needs, and no more', () => {
        const statements = resource('NetworkInterfacesPolicy').Properties.PolicyDocument
          .Statement as Statement[];
        expect(statements.every((s) => s.Effect === 'Allow' && !s.Condition)).toBe(true);
        // Each action and the resources it is allowed on.
        const interfaces = ec2('network-interface/*');
        expect(
          Object.fromEntries(
            statements.flatMap((s) => actionsOf(s).map((action) => [action, asList(s.Resource)])),
          ),
        ).toEqual({
          'ec2:DescribeNetworkInterfaces': ['*'],
          'ec2:CreateNetworkInterface': [
            interfaces,
            ...subnetIds.map((id) => ec2(`subnet/${id}`)),
            ...securityGroupIds.map((id) => ec2(`security-group/${id}`)),
          ],
          'ec2:DeleteNetworkInterface': [interfaces],
          'ec2:AssignPrivateIpAddresses': [interfaces],
          'ec2:UnassignPrivateIpAddresses': [interfaces],
        });
        // Through each role, so each function is created once its role may create interfaces.
        for (const fn of Object.values(FUNCTIONS)) {
          expect(resource(fn.role).Properties.ManagedPolicyArns, fn.role).toContainEqual({
            Ref: 'NetworkInterfacesPolicy',
          });
          expect(resource(fn.resource).DependsOn, fn.resource).toContain(fn.role);
        }
      });
    } else {
      it('runs no function in a VPC, and grants no network interface permission', () => {
        for (const fn of Object.values(FUNCTIONS)) {
          expect(resource(fn.resource).Properties.VpcConfig, fn.resource).toBeUndefined();
        }
        expect(template().Resources.NetworkInterfacesPolicy).toBeUndefined();
        const ec2Statements = identityStatements().filter((s) =>
          actionsOf(s).some((action) => action.startsWith('ec2:')),
        );
        expect(ec2Statements).toEqual([]);
      });
    }
  });

  describe('artifacts', () => {
    it.each(Object.keys(FUNCTIONS))(
      'bundles %s as one minified ESM file with a linked source map',
      async (name) => {
        const fn = FUNCTIONS[name as keyof typeof FUNCTIONS];
        expect(resource(fn.resource).Properties.Code.S3Key).toMatch(new RegExp(`/${name}\\.zip$`));
        const zipPath = join(outDir(), `${name}.zip`);
        expect(existsSync(zipPath)).toBe(true);

        const entries = readZip(await readFile(zipPath));
        // Everything, the AWS SDK included, is in the bundle: no node_modules in the artifact,
        // only the guardrail policies read at cold start beside it.
        const policies = readdirSync('config/guardrails')
          .filter((file) => file.endsWith('.json'))
          .map((file) => `config/guardrails/${file}`);
        expect([...entries.keys()].sort()).toEqual(
          [...policies, `src/handlers/${name}.mjs`, `src/handlers/${name}.mjs.map`].sort(),
        );
        const bundle = entries.get(`src/handlers/${name}.mjs`)?.toString('utf8') ?? '';
        expect(bundle.startsWith("import { createRequire } from 'node:module';")).toBe(true);
        expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
        expect(bundle.trimEnd().endsWith(`//# sourceMappingURL=${name}.mjs.map`)).toBe(true);
      },
    );
  });
});

// ------------------------------------------------------------------------------------------------
// The variable resolvers on their own: the cases no stage of serverless.yml exercises.

interface GuardrailsCheckResult {
  exists: boolean;
  roleArns?: { instanceProfiles?: string[]; appstream?: string[] };
  instanceProfileNames?: string[];
}
type GuardrailsVariable = (source: {
  resolveVariable(name: string): Promise<unknown>;
}) => Promise<unknown>;
interface GuardrailsResolver {
  createResolver(options?: {
    dir?: string;
    check?: (file: string) => Promise<GuardrailsCheckResult>;
  }): Record<'policyFile' | 'passRoleArns' | 'instanceProfileArns', GuardrailsVariable>;
  runServiceCheck(file: string): Promise<GuardrailsCheckResult>;
}
interface HttpAuthResolver {
  authSettings(params: Record<string, unknown>): unknown;
}

describe('iac/guardrails.cjs', () => {
  const { createResolver, runServiceCheck } =
    require('../../iac/guardrails.cjs') as GuardrailsResolver;
  const defaultParam = `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/default/*`;
  const fallback = [{ 'Fn::Sub': defaultParam }];
  const role = (name: string) => `arn:aws:iam::123456789012:role/${name}`;
  const profileResources = (...names: string[]) =>
    names.flatMap((name) => [
      { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:instance-profile/${name}` },
      { 'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:instance-profile/*/${name}` },
    ]);
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'image-provisioner-guardrails-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A stage of its own, whose guardrails file holds `content` (no file when undefined). */
  const stageWith = async (content?: unknown) => {
    const stage = `s${Math.random().toString(36).slice(2)}`;
    const file = join(dir, `${stage}.json`);
    const text = typeof content === 'string' ? content : JSON.stringify(content);
    if (content !== undefined) await writeFile(file, text);
    return { stage, file, text };
  };

  /** The three variables of a stage, resolved together as osls does. */
  const resolveStage = async (stage: string, resolver = createResolver({ dir })) => {
    const source = {
      resolveVariable: async (name: string) => {
        if (name === 'sls:stage') return stage;
        if (name === 'param:passRoleArns') return defaultParam;
        throw new Error(`unexpected variable ${name}`);
      },
    };
    const [policyFile, passRoles, instanceProfiles] = await Promise.all([
      resolver.policyFile(source),
      resolver.passRoleArns(source),
      resolver.instanceProfileArns(source),
    ]);
    return { policyFile, passRoles, instanceProfiles };
  };

  /** What the functions' schema says of a file's text: its message, or undefined if it passes. */
  const schemaVerdict = (text: string, file: string): string | undefined => {
    try {
      parseGuardrailPolicy(text, file);
      return undefined;
    } catch (error) {
      if (!(error instanceof GuardrailPolicyError)) throw error;
      return error.message;
    }
  };

  // Some of these the resolver's former rules let through and the schema rejected, or the other way
  // round: there is one check now, so both must agree on every file.
  it.each([
    ['not JSON', '{"appstream": ', /is not valid JSON/],
    ['not an object', '[]', /is not a valid guardrail policy: \/ must be an object/],
    [
      'an instance type list that is a string',
      { infrastructure: { instanceTypes: 'm7i.large' } },
      /: \/infrastructure\/instanceTypes must be an array/,
    ],
    [
      'an unknown rule',
      { infrastructure: { maxCost: 3 } },
      /: \/infrastructure\/maxCost unknown field/,
    ],
    [
      'instanceProfiles as a list',
      { infrastructure: { instanceProfiles: [] } },
      /: \/infrastructure\/instanceProfiles must be an object/,
    ],
    [
      'a profile role that is not a role ARN',
      { infrastructure: { instanceProfiles: { P: 'arn:aws:iam::123456789012:user/u' } } },
      /: \/infrastructure\/instanceProfiles\/P must match pattern/,
    ],
    [
      'an instance profile name IAM refuses',
      { infrastructure: { instanceProfiles: { 'My Profile': role('a') } } },
      /: \/infrastructure\/instanceProfiles\/My Profile key must match pattern/,
    ],
    [
      'iamRoleArns as a string',
      { appstream: { iamRoleArns: role('a') } },
      /: \/appstream\/iamRoleArns must be an array/,
    ],
    [
      'an AppStream role wildcard',
      { appstream: { iamRoleArns: ['*'] } },
      /: \/appstream\/iamRoleArns\/0 must match pattern/,
    ],
  ])(
    'fails on a guardrails file with %s, with the schema message naming the file and the place',
    async (_, content, message) => {
      const { stage, file, text } = await stageWith(content);
      const expected = schemaVerdict(text, file);
      expect(expected).toMatch(message);
      expect(expected).toContain(file);
      // The very message of the functions' schema, whichever variable asks.
      await expect(resolveStage(stage)).rejects.toThrow(
        expect.objectContaining({ name: 'GuardrailsError', message: expected }),
      );
    },
  );

  it.each([
    ['an empty policy', {}],
    ['rules the resolver does not use', { infrastructure: { requireImdsV2: true, keyPairs: [] } }],
    [
      'roles for both services',
      {
        infrastructure: { instanceProfiles: { 'Profile+=,.@-_1': role('path/a') } },
        appstream: { iamRoleArns: [role('b')] },
      },
    ],
  ])("passes %s, which the functions' schema accepts", async (_, content) => {
    const { stage, file, text } = await stageWith(content);
    expect(schemaVerdict(text, file)).toBeUndefined();
    await expect(resolveStage(stage)).resolves.toMatchObject({
      policyFile: relative(projectRoot, file),
    });
  });

  it('falls back to the passRoleArns param without a guardrails file or listed roles', async () => {
    const missing = await stageWith();
    expect(await resolveStage(missing.stage)).toEqual({
      policyFile: '',
      passRoles: fallback,
      instanceProfiles: ALL_INSTANCE_PROFILES,
    });
    const noLists = await stageWith({ description: 'no lists' });
    expect(await resolveStage(noLists.stage)).toMatchObject({
      passRoles: fallback,
      instanceProfiles: ALL_INSTANCE_PROFILES,
    });
    const empty = await stageWith({
      infrastructure: { instanceProfiles: {} },
      appstream: { iamRoleArns: [] },
    });
    expect(await resolveStage(empty.stage)).toMatchObject({
      passRoles: fallback,
      instanceProfiles: ALL_INSTANCE_PROFILES,
    });
  });

  it('keeps the default for the service whose roles the guardrails leave unrestricted', async () => {
    const onlyProfiles = await stageWith({
      infrastructure: { instanceProfiles: { Profile: role('b') } },
    });
    expect(await resolveStage(onlyProfiles.stage)).toMatchObject({
      passRoles: [role('b'), ...fallback],
      instanceProfiles: profileResources('Profile'),
    });
    const onlyAppstream = await stageWith({ appstream: { iamRoleArns: [role('c')] } });
    expect(await resolveStage(onlyAppstream.stage)).toMatchObject({
      passRoles: [role('c'), ...fallback],
      instanceProfiles: ALL_INSTANCE_PROFILES,
    });
    const both = await stageWith({
      infrastructure: { instanceProfiles: { P2: role('b'), P1: role('a') } },
      appstream: { iamRoleArns: [role('a'), role('c')] },
    });
    expect(await resolveStage(both.stage)).toMatchObject({
      passRoles: [role('a'), role('b'), role('c')],
      instanceProfiles: profileResources('P1', 'P2'),
    });
  });

  it('runs the check once per file, however many variables ask for it', async () => {
    const runs: string[] = [];
    const check = (file: string) => {
      runs.push(file);
      return runServiceCheck(file);
    };
    const resolver = createResolver({ dir, check });
    const guarded = await stageWith({ appstream: { iamRoleArns: [role('a')] } });
    const missing = await stageWith();
    const broken = await stageWith({ appstream: { iamRoleArns: ['*'] } });

    const first = await resolveStage(guarded.stage, resolver);
    expect(await resolveStage(guarded.stage, resolver)).toEqual(first);
    expect(first.passRoles).toEqual([role('a'), ...fallback]);
    await resolveStage(missing.stage, resolver);
    await resolveStage(missing.stage, resolver);
    await expect(resolveStage(broken.stage, resolver)).rejects.toThrow(/iamRoleArns\/0/);
    await expect(resolveStage(broken.stage, resolver)).rejects.toThrow(/iamRoleArns\/0/);

    expect(runs).toEqual([guarded.file, missing.file, broken.file]);
  });

  it('refuses a stage name that is not one', async () => {
    await expect(resolveStage('../dev')).rejects.toThrow(
      /Stage "..\/dev" is not a valid stage name/,
    );
  });
});

describe('iac/http-auth.cjs', () => {
  const { authSettings } = require('../../iac/http-auth.cjs') as HttpAuthResolver;

  it('accepts iam, and jwt with an https issuer and an audience', () => {
    expect(authSettings({ authMode: 'iam' })).toEqual({ mode: 'iam' });
    expect(
      authSettings({ authMode: 'jwt', jwtIssuerUrl: JWT_ISSUER, jwtAudience: 'a, b' }),
    ).toEqual({ mode: 'jwt', issuerUrl: JWT_ISSUER, audience: ['a', 'b'] });
  });

  it.each([
    [{ authMode: 'none' }, /authMode must be "iam" or "jwt", got "none"/],
    [{ authMode: 'jwt', jwtAudience: 'a' }, /needs param jwtIssuerUrl/],
    [
      { authMode: 'jwt', jwtIssuerUrl: 'http://issuer', jwtAudience: 'a' },
      /needs param jwtIssuerUrl/,
    ],
    [{ authMode: 'jwt', jwtIssuerUrl: JWT_ISSUER, jwtAudience: ' , ' }, /needs param jwtAudience/],
  ])('rejects %o: no route is ever left open', (params, message) => {
    expect(() => authSettings(params)).toThrow(message);
  });
});

describe('npm run package (scripts/package.ts)', () => {
  /** tsx's cache of compiled files, which the script's own loader keeps in the temporary folder. */
  const TSX_CACHE = `tsx-${userInfo().uid}`;

  afterAll(async () => {
    await rm(packageTemp, { recursive: true, force: true });
  });

  it('is what npm run package runs', () => {
    // Prepare
    const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };

    // Assess
    expect(manifest.scripts.package).toBe('node --import tsx scripts/package.ts --stage dev');
  });

  it('leaves nothing in the temporary folder, the copies each function was zipped from included', () => {
    // Prepare
    const zips = STAGE_CASES.flatMap(({ stage }) =>
      Object.keys(FUNCTIONS).map((name) => join(packaged.get(stage)?.outDir ?? '', `${name}.zip`)),
    );

    // Assess: both stages zipped every function, and nothing of that is left.
    expect(zips.filter((zip) => !existsSync(zip))).toEqual([]);
    expect(readdirSync(packageTemp).filter((name) => name !== TSX_CACHE)).toEqual([]);
  });
});
