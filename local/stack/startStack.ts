import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { loadGuardrailPolicy } from '../../src/guardrails/loadPolicy.js';
import { startEmulator } from '../emulator/index.js';
import { LOCAL_CREDENTIALS } from '../engines/credentials.js';
import {
  createIdempotencyTable,
  createRequestsTable,
  localDynamoDbClient,
  startDynalite,
} from '../engines/dynamodb.js';
import { listeningOn } from '../engines/listen.js';
import { LOCAL_ACCOUNT_ID, startMessaging } from '../engines/messaging.js';
import { deliverThroughLambdaApi } from '../streams/lambdaDelivery.js';
import { startLedgerStream } from '../streams/ledgerStream.js';
import { OPENAPI_PATH, REFERENCE_PATH } from './apiReference.js';
import { startStackControl } from './control.js';
import { startHttpGateway } from './httpGateway.js';
import { readHttpApiRoutes } from './httpRoutes.js';
import { createMessagingResources } from './messagingResources.js';
import { type RunningOffline, startOffline } from './offline.js';
import { startOutageGate } from './outageGate.js';
import { startOutcomeTail } from './outcomeTail.js';
import { watchParts } from './partWatch.js';
import { checkPortsFree, claimPort } from './ports.js';
import { startQueueTrigger } from './queueTrigger.js';
import { claimStackDir } from './runningStack.js';
import type { StackSettings } from './settings.js';

/** What `.local/stack.json` holds: every endpoint a script or tool needs. */
export interface StackInfo {
  /** The process running the stack: a file whose pid is not alive describes a stack that died. */
  pid: number;
  region: string;
  httpApi: string;
  /**
   * The offline stack's own pages on the HTTP API's gateway (never deployed): the browsable
   * reference of the HTTP API and the OpenAPI document it shows (`servers`: this stack).
   */
  apiReference: { page: string; openapi: string };
  sqs: {
    endpoint: string;
    requestQueueUrl: string;
    deadLetterQueueUrl: string;
    /** Where the ledger stream's event source mapping sends the batches it gives up. */
    outboxFailureQueueUrl: string;
    /** The readiness watch's scheduled checks, and the checks it could not commit. */
    watchQueueUrl: string;
    watchDeadLetterQueueUrl: string;
  };
  sns: { endpoint: string; outcomesTopicArn: string };
  /** `endpoint` streams the changes of `requestsTable` to the outbox function. */
  dynamodb: { endpoint: string; idempotencyTable: string; requestsTable: string };
  imagebuilder: { endpoint: string };
  appstream: { endpoint: string };
  emulator: { endpoint: string };
  /** Takes SNS or DynamoDB down for the service and brings them back (`/_stack/parts`). */
  control: { endpoint: string };
  /**
   * Where the functions reach SNS and DynamoDB: through the gates `control` takes down, so a
   * tool that runs a function (`npm run invoke`) sees the same outages.
   */
  gates: { sns: string; dynamodb: string };
  /**
   * serverless-offline's Lambda Invoke API, and the outbox function's name there (as in AWS):
   * what `npm run redrive -- outcomes` invokes with the stream records of a given-up batch.
   */
  lambda: { endpoint: string; outboxFunction: string };
}

export interface RunningStack {
  info: StackInfo;
  /** The route keys the HTTP API serves. */
  httpRoutes: readonly string[];
  stackFile: string;
  /**
   * Resolves, naming the part, when a part of the stack dies on its own (serverless-offline's
   * process exits, an engine stops accepting connections); the stack is then no longer whole.
   */
  died: Promise<string>;
  stop(): Promise<void>;
}

export interface StackIo {
  /** Terminal output: outcomes and the service's own logs. */
  print(line: string): void;
  warn(line: string): void;
}

/** Queue URLs on the loopback address: the emulator's own host names do not resolve here. */
const loopbackQueueUrl = (endpoint: string, queueUrl: string): string =>
  `${endpoint}${new URL(queueUrl).pathname}`;

/** A free port that is none of `taken` (ports claimed for others but not bound yet). */
const claimOtherPort = async (taken: readonly number[], what: string): Promise<number> => {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const port = await claimPort(0, what);
    if (!taken.includes(port)) return port;
  }
  throw new Error(`${what}: no free port found`);
};

/** serverless.yml params the stack sets: its own queue URL, and the settings it was given. */
const functionParams = (settings: StackSettings, watchQueueUrl: string): Record<string, string> => {
  const given: Record<string, number | undefined> = {
    requestRetentionSeconds: settings.requestRetentionSeconds,
    readinessTimeoutSeconds: settings.readiness.timeoutSeconds,
    readinessFirstCheckSeconds: settings.readiness.firstCheckSeconds,
    readinessMaxCheckSeconds: settings.readiness.maxCheckSeconds,
  };
  return {
    watchQueueUrl,
    ...Object.fromEntries(
      Object.entries(given).flatMap(([name, value]) =>
        value === undefined ? [] : [[name, String(value)]],
      ),
    ),
  };
};

/** Whether the stack runs its own DynamoDB (behind the change capture, on DYNAMODB_PORT). */
const streamSourceIsCapture = (settings: StackSettings): boolean => !settings.externalDynamoDb;

/** Brings the whole service up on 127.0.0.1; `stop()` takes down everything it started. */
export const startStack = async (
  settings: StackSettings,
  io: StackIo,
  root = process.cwd(),
): Promise<RunningStack> => {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch((error: unknown) => io.warn(`while stopping: ${String(error)}`));
    }
  };
  try {
    // One stack per STACK_DIR: a second start there stops here, naming the running one.
    const claim = await claimStackDir(settings.stackDir);
    stops.push(() => claim.release());
    await checkPortsFree({
      HTTP_PORT: settings.ports.http,
      LAMBDA_PORT: settings.ports.lambda,
      SQS_SNS_PORT: settings.ports.sqsSns,
      ...(streamSourceIsCapture(settings) ? { DYNAMODB_PORT: settings.ports.dynamodb } : {}),
      EMULATOR_PORT: settings.ports.emulator,
      STACK_CONTROL_PORT: settings.ports.control,
    });
    // A broken policy stops the start here, with the file and the place of each problem.
    const guardrailsFile = `config/guardrails/${settings.guardrailsStage}.json`;
    loadGuardrailPolicy(join(root, guardrailsFile));
    const httpRoutes = readHttpApiRoutes(root, settings);
    const httpPort = await claimPort(settings.ports.http, 'HTTP_PORT');
    const lambdaPort = await claimPort(settings.ports.lambda, 'LAMBDA_PORT');
    const { region } = settings;

    // DynamoDB Local has streams; the embedded engine has none, so a proxy in front of it
    // captures the ledger's changes, and listens where the engine would (DYNAMODB_PORT).
    const streamSource = settings.externalDynamoDb ? 'streams-api' : 'capture';
    let engineEndpoint = settings.externalDynamoDb;
    if (!engineEndpoint) {
      const dynamo = await startDynalite();
      stops.push(() => dynamo.close());
      engineEndpoint = dynamo.endpoint;
    }
    const dynamodb = localDynamoDbClient(engineEndpoint, region);
    stops.push(async () => dynamodb.destroy());
    await createIdempotencyTable(dynamodb, settings.idempotencyTable);
    await createRequestsTable(dynamodb, settings.requestsTable, {
      stream: streamSource === 'streams-api',
    });

    const messaging = await listeningOn('SQS_SNS_PORT', settings.ports.sqsSns, () =>
      startMessaging(settings.ports.sqsSns, region),
    );
    stops.push(() => messaging.close());
    const clientConfig = { region, endpoint: messaging.endpoint, credentials: LOCAL_CREDENTIALS };
    const sqs = new SQSClient(clientConfig);
    const sns = new SNSClient(clientConfig);
    stops.push(async () => {
      sqs.destroy();
      sns.destroy();
    });
    const prefix = `${settings.service}-${settings.stage}`;
    const resources = await createMessagingResources({
      sqs,
      sns,
      prefix,
      topicName: settings.outcomesTopicName,
      requests: {
        visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
        maxReceiveCount: settings.maxReceiveCount,
      },
      watch: settings.watch,
    });
    const watchQueueUrl = loopbackQueueUrl(messaging.endpoint, resources.watchQueueUrl);

    // The ledger's stream triggers the outbox function once serverless-offline serves it.
    const outboxFunction = `${prefix}-outbox`;
    let functionsStarted: (offline: RunningOffline) => void = () => {};
    const functions = new Promise<RunningOffline>((resolve) => {
      functionsStarted = resolve;
    });
    const ledgerStream = await startLedgerStream({
      engineEndpoint,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      tableName: settings.requestsTable,
      source: streamSource,
      port: settings.ports.dynamodb,
      portName: 'DYNAMODB_PORT',
      functionName: outboxFunction,
      deliver: async (event) =>
        deliverThroughLambdaApi((await functions).lambdaEndpoint, outboxFunction)(event),
      onFailure: async (record) => {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: resources.outboxFailureQueueUrl,
            MessageBody: JSON.stringify(record),
          }),
        );
      },
      onError: (error) => io.warn(`outbox stream: ${String(error)}`),
      mapping: settings.outboxStream,
    });
    stops.push(() => ledgerStream.stop());
    const dynamodbEndpoint = ledgerStream.endpoint;

    const emulator = await listeningOn('EMULATOR_PORT', settings.ports.emulator, () =>
      startEmulator({
        port: settings.ports.emulator,
        region,
        appstreamReadyDelayMs: settings.appstreamReadyDelayMs,
        // One account for the whole stack: the resources "AWS" creates live where the service runs.
        accountId: LOCAL_ACCOUNT_ID,
      }),
    );
    stops.push(() => emulator.close());

    // The service reaches SNS and DynamoDB through gates that can simulate an outage.
    const snsGate = await startOutageGate(messaging.endpoint, 'SNS');
    stops.push(() => snsGate.close());
    const dynamodbGate = await startOutageGate(dynamodbEndpoint, 'DynamoDB');
    stops.push(() => dynamodbGate.close());
    const control = await startStackControl(
      { sns: snsGate, dynamodb: dynamodbGate },
      settings.ports.control,
    );
    stops.push(() => control.close());

    // serverless-offline serves the routes too: on a port of its own that nobody uses, since the
    // stack's gateway is the HTTP API.
    const offlineHttpPort = await claimOtherPort(
      [httpPort, lambdaPort],
      "serverless-offline's internal HTTP port",
    );
    const offline = await startOffline({
      root,
      stage: settings.stage,
      region,
      httpPort: offlineHttpPort,
      lambdaPort,
      // Local and cloud differ only here: where the SDK's standard variables point.
      env: {
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_IMAGEBUILDER: emulator.endpoint,
        AWS_ENDPOINT_URL_APPSTREAM: emulator.endpoint,
        AWS_ENDPOINT_URL_SQS: messaging.endpoint,
        AWS_ENDPOINT_URL_SNS: snsGate.endpoint,
        AWS_ENDPOINT_URL_DYNAMODB: dynamodbGate.endpoint,
        GUARDRAILS_STAGE: settings.guardrailsStage,
        // Each stack builds into its own folder, so two stacks never serve each other's bundle.
        STACK_BUILD_ID: `-${httpPort}`,
      },
      // The functions' own settings come from serverless.yml's params, not from this environment.
      params: functionParams(settings, watchQueueUrl),
      output: (chunk) => io.print(chunk.trimEnd()),
    });
    // The bundles of this stack's own build folder (STACK_BUILD_ID) go with it: after the functions.
    const buildDir = join(root, '.esbuild', `${settings.stage}-${httpPort}`);
    stops.push(() => rm(buildDir, { recursive: true, force: true }));
    stops.push(() => offline.stop());
    functionsStarted(offline);
    // On the way down, the stream stops before the functions it invokes.
    stops.push(() => ledgerStream.stop());

    // The stack's one account: that of the local SQS/SNS ARNs, which the HTTP API's events carry too.
    const accountId = LOCAL_ACCOUNT_ID;
    const gateway = await startHttpGateway({
      port: httpPort,
      portVariable: 'HTTP_PORT',
      routes: httpRoutes,
      lambdaEndpoint: offline.lambdaEndpoint,
      accountId,
      apiId: createHash('sha256').update(prefix).digest('hex').slice(0, 10),
      maxConcurrentInvocations: settings.functionConcurrency,
      referenceRoot: root,
      onError: (error) => io.warn(`HTTP API: ${String(error)}`),
    });
    stops.push(() => gateway.close());

    const requestQueueArn = `arn:aws:sqs:${region}:${accountId}:${prefix}-requests`;
    const queueFunction = `${settings.service}-${settings.stage}-queue`;
    const trigger = startQueueTrigger({
      sqs,
      queueUrl: resources.requestQueueUrl,
      queueArn: requestQueueArn,
      region,
      invoke: (event) => offline.invoke<SQSBatchResponse>(queueFunction, event),
      onError: (error) => io.warn(`queue trigger: ${String(error)}`),
    });
    stops.push(() => trigger.stop());
    const watchTrigger = startQueueTrigger({
      sqs,
      queueUrl: watchQueueUrl,
      queueArn: `arn:aws:sqs:${region}:${accountId}:${prefix}-watch`,
      region,
      invoke: (event) => offline.invoke<SQSBatchResponse>(`${prefix}-watch`, event),
      onError: (error) => io.warn(`watch trigger: ${String(error)}`),
    });
    stops.push(() => watchTrigger.stop());
    const tail = startOutcomeTail({
      sqs,
      queueUrl: resources.outcomesTailQueueUrl,
      print: io.print,
      onError: (error) => io.warn(`outcome tail: ${String(error)}`),
    });
    stops.push(() => tail.stop());

    const info: StackInfo = {
      pid: process.pid,
      region,
      httpApi: gateway.endpoint,
      apiReference: {
        page: `${gateway.endpoint}${REFERENCE_PATH}`,
        openapi: `${gateway.endpoint}${OPENAPI_PATH}`,
      },
      sqs: {
        endpoint: messaging.endpoint,
        requestQueueUrl: loopbackQueueUrl(messaging.endpoint, resources.requestQueueUrl),
        deadLetterQueueUrl: loopbackQueueUrl(messaging.endpoint, resources.deadLetterQueueUrl),
        outboxFailureQueueUrl: loopbackQueueUrl(
          messaging.endpoint,
          resources.outboxFailureQueueUrl,
        ),
        watchQueueUrl,
        watchDeadLetterQueueUrl: loopbackQueueUrl(
          messaging.endpoint,
          resources.watchDeadLetterQueueUrl,
        ),
      },
      sns: { endpoint: messaging.endpoint, outcomesTopicArn: resources.outcomesTopicArn },
      dynamodb: {
        endpoint: dynamodbEndpoint,
        idempotencyTable: settings.idempotencyTable,
        requestsTable: settings.requestsTable,
      },
      imagebuilder: { endpoint: emulator.endpoint },
      appstream: { endpoint: emulator.endpoint },
      emulator: { endpoint: emulator.endpoint },
      control: { endpoint: control.endpoint },
      gates: { sns: snsGate.endpoint, dynamodb: dynamodbGate.endpoint },
      lambda: { endpoint: offline.lambdaEndpoint, outboxFunction },
    };
    await claim.write(info);
    stops.push(() => claim.withdraw());
    // Every part that listens, checked until the stack stops; the first to die is reported.
    const watch = watchParts([
      { name: 'SQS/SNS (fauxqs)', endpoint: messaging.endpoint },
      {
        name: settings.externalDynamoDb
          ? 'DynamoDB (AWS_ENDPOINT_URL_DYNAMODB)'
          : 'DynamoDB (dynalite)',
        endpoint: engineEndpoint,
      },
      ...(dynamodbEndpoint === engineEndpoint
        ? []
        : [{ name: 'DynamoDB change capture', endpoint: dynamodbEndpoint }]),
      { name: 'Image Builder / AppStream emulator', endpoint: emulator.endpoint },
      { name: 'SNS gate', endpoint: snsGate.endpoint },
      { name: 'DynamoDB gate', endpoint: dynamodbGate.endpoint },
      { name: 'stack control API', endpoint: control.endpoint },
      { name: "serverless-offline's Lambda API", endpoint: offline.lambdaEndpoint },
      { name: 'HTTP API', endpoint: gateway.endpoint },
    ]);
    stops.push(async () => watch.stop());
    return {
      info,
      httpRoutes: httpRoutes.map(({ routeKey }) => routeKey),
      stackFile: claim.stackFile,
      died: Promise.race([offline.died, watch.dead]),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
