import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record as SdkStreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from '../local/engines/credentials.js';
import { readRunningStack } from '../local/stack/runningStack.js';
import type { StreamFailureRecord } from '../local/streams/failureRecord.js';
import {
  compareSequenceNumbers,
  type LedgerStreamRecord,
  streamLabelOf,
} from '../local/streams/streamRecord.js';
import { toLedgerStreamRecord } from '../local/streams/streamsApiReader.js';
import { isRecord } from '../src/basics/records.js';

/**
 * `npm run redrive -- <requests|watch|outcomes> [options]`: puts back what the service set aside.
 *
 * - `requests`: the request DLQ's messages back to the request queue (StartMessageMoveTask
 *   without a destination: each message to the queue it came from), waiting for the task to end.
 * - `watch`: the same for the readiness watch's DLQ.
 * - `outcomes`: each batch the outbox's stream trigger gave up (a message on the outbox-failures
 *   queue, Lambda's on-failure record: where the records are, not the records) is read again from
 *   the ledger's stream and handed to the outbox function (lambda:InvokeFunction, as the trigger
 *   does), which publishes it with the same event ids; the message is deleted once all its
 *   records were published, and kept otherwise.
 *
 * Without `--stage` it works on the offline stack that `npm start` runs (`STACK_DIR`, default
 * `.local`); with `--stage` on that stage's deployment, with the default credential chain, its
 * queue URLs read from the CloudFormation stack's outputs unless given.
 */

export const USAGE = `usage: npm run redrive -- <requests|watch|outcomes> [options]
  requests             move the request DLQ's messages back to the request queue
  watch                move the watch DLQ's messages back to the watch queue
  outcomes             republish the outbox batches held on the outbox-failures queue
options:
  --stage <stage>      a deployed stage (default: the running offline stack)
  --region <region>    its region (default: the AWS SDK's, e.g. AWS_REGION)
  --stack <name>       its CloudFormation stack (default: image-provisioner-<stage>)
  --queue-url <url>    the DLQ (requests, watch) or the outbox-failures queue (outcomes) to read,
                       instead of the stack's output
  --function <name>    the outbox function (default: image-provisioner-<stage>-outbox)
  --rate <n>           requests, watch: at most n messages a second (1-500)
  --timeout <seconds>  how long to wait for the move task or the failure queue (default 300)`;

type RedriveTarget = 'requests' | 'watch' | 'outcomes';

interface RedriveOptions {
  target: RedriveTarget;
  stage: string | undefined;
  region: string | undefined;
  stack: string | undefined;
  queueUrl: string | undefined;
  functionName: string | undefined;
  rate: number | undefined;
  timeoutSeconds: number;
}

type ParsedArguments =
  | { kind: 'run'; options: RedriveOptions }
  | { kind: 'help' }
  | { kind: 'refused'; problem: string };

const TARGETS: readonly RedriveTarget[] = ['requests', 'watch', 'outcomes'];
const VALUE_OPTIONS = [
  '--stage',
  '--region',
  '--stack',
  '--queue-url',
  '--function',
  '--rate',
  '--timeout',
] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

const isValueOption = (name: string): name is ValueOption =>
  (VALUE_OPTIONS as readonly string[]).includes(name);

const integerIn = (text: string, min: number, max: number): number | undefined =>
  /^\d{1,6}$/.test(text) && Number(text) >= min && Number(text) <= max ? Number(text) : undefined;

/** The command line (after `redrive`) as options, or what is wrong with it. */
export const parseRedriveArguments = (args: readonly string[]): ParsedArguments => {
  if (args.includes('--help') || args.includes('-h')) return { kind: 'help' };
  const values = new Map<ValueOption, string>();
  const positional: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    const [name = '', inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    if (!isValueOption(name)) return { kind: 'refused', problem: `unknown option ${name}` };
    const value = inline ?? args[++index];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      return { kind: 'refused', problem: `${name} needs a value` };
    }
    if (values.has(name)) return { kind: 'refused', problem: `${name} given twice` };
    values.set(name, value);
  }
  const [target, ...extra] = positional;
  if (target === undefined) return { kind: 'refused', problem: 'no target given' };
  if (!TARGETS.includes(target as RedriveTarget)) {
    return { kind: 'refused', problem: `unknown target ${JSON.stringify(target)}` };
  }
  if (extra.length > 0) {
    return { kind: 'refused', problem: `one target expected, got ${positional.length}` };
  }
  const stage = values.get('--stage');
  if (stage !== undefined && !/^[a-zA-Z0-9-]{1,64}$/.test(stage)) {
    return { kind: 'refused', problem: `--stage ${JSON.stringify(stage)} is not a stage name` };
  }
  if (stage === undefined) {
    for (const awsOnly of ['--region', '--stack', '--function'] as const) {
      if (values.has(awsOnly)) {
        return { kind: 'refused', problem: `${awsOnly} needs --stage (a deployment)` };
      }
    }
  }
  if (target === 'outcomes' ? values.has('--rate') : values.has('--function')) {
    return {
      kind: 'refused',
      problem: `${target === 'outcomes' ? '--rate' : '--function'} does not apply to ${target}`,
    };
  }
  const rateText = values.get('--rate');
  const rate = rateText === undefined ? undefined : integerIn(rateText, 1, 500);
  if (rateText !== undefined && rate === undefined) {
    return { kind: 'refused', problem: `--rate must be an integer from 1 to 500, got ${rateText}` };
  }
  const timeoutText = values.get('--timeout');
  const timeoutSeconds = timeoutText === undefined ? 300 : integerIn(timeoutText, 1, 86_400);
  if (timeoutSeconds === undefined) {
    return {
      kind: 'refused',
      problem: `--timeout must be whole seconds from 1 to 86400, got ${timeoutText}`,
    };
  }
  return {
    kind: 'run',
    options: {
      target: target as RedriveTarget,
      stage,
      region: values.get('--region'),
      stack: values.get('--stack'),
      queueUrl: values.get('--queue-url'),
      functionName: values.get('--function'),
      rate,
      timeoutSeconds,
    },
  };
};

/** Where the command works: clients and the names it needs. */
interface Target {
  sqs: SQSClient;
  streams: DynamoDBStreamsClient;
  lambda: LambdaClient;
  /** The queue read: a DLQ (requests, watch) or the outbox-failures queue (outcomes). */
  queueUrl: string;
  outboxFunction: string;
  region: string;
  destroy(): void;
}

const SERVICE = 'image-provisioner';

/** The stack output that names the queue each target reads. */
const OUTPUT_OF: Record<RedriveTarget, string> = {
  requests: 'RequestDeadLetterQueueUrl',
  watch: 'WatchDeadLetterQueueUrl',
  outcomes: 'OutboxFailureQueueUrl',
};

const destroyAll = (...clients: { destroy(): void }[]): void => {
  for (const client of clients) client.destroy();
};

const localTarget = (options: RedriveOptions): Target => {
  const info = readRunningStack();
  const config = { region: info.region, credentials: LOCAL_CREDENTIALS };
  const queueOf: Record<RedriveTarget, string> = {
    requests: info.sqs.deadLetterQueueUrl,
    watch: info.sqs.watchDeadLetterQueueUrl,
    outcomes: info.sqs.outboxFailureQueueUrl,
  };
  const sqs = new SQSClient({ ...config, endpoint: info.sqs.endpoint });
  const streams = new DynamoDBStreamsClient({ ...config, endpoint: info.dynamodb.endpoint });
  const lambda = new LambdaClient({ ...config, endpoint: info.lambda.endpoint });
  return {
    sqs,
    streams,
    lambda,
    queueUrl: options.queueUrl ?? queueOf[options.target],
    outboxFunction: info.lambda.outboxFunction,
    region: info.region,
    destroy: () => destroyAll(sqs, streams, lambda),
  };
};

const awsTarget = async (options: RedriveOptions, stage: string): Promise<Target> => {
  const config = options.region ? { region: options.region } : {};
  let queueUrl = options.queueUrl;
  if (queueUrl === undefined) {
    const stackName = options.stack ?? `${SERVICE}-${stage}`;
    const cloudFormation = new CloudFormationClient(config);
    try {
      const { Stacks = [] } = await cloudFormation.send(
        new DescribeStacksCommand({ StackName: stackName }),
      );
      const output = OUTPUT_OF[options.target];
      queueUrl = Stacks[0]?.Outputs?.find(({ OutputKey }) => OutputKey === output)?.OutputValue;
      if (!queueUrl) throw new Error(`the stack ${stackName} has no output ${output}`);
    } finally {
      cloudFormation.destroy();
    }
  }
  const sqs = new SQSClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const lambda = new LambdaClient(config);
  return {
    sqs,
    streams,
    lambda,
    queueUrl,
    outboxFunction: options.functionName ?? `${SERVICE}-${stage}-outbox`,
    region: await sqs.config.region(),
    destroy: () => destroyAll(sqs, streams, lambda),
  };
};

type Print = (line: string) => void;

const pause = (ms: number) => new Promise((resolveWait) => setTimeout(resolveWait, ms));

const message = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

// --- requests, watch: the DLQ back to its source ------------------------------------------------

const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** StartMessageMoveTask on the DLQ, then ListMessageMoveTasks until it ends; true if it completed. */
const moveBack = async (
  target: Pick<Target, 'sqs' | 'queueUrl'>,
  { rate, timeoutSeconds }: Pick<RedriveOptions, 'rate' | 'timeoutSeconds'>,
  print: Print,
  pollMs = 1_000,
): Promise<boolean> => {
  const { Attributes = {} } = await target.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: target.queueUrl,
      AttributeNames: ['QueueArn', 'ApproximateNumberOfMessages'],
    }),
  );
  const sourceArn = Attributes.QueueArn;
  if (!sourceArn) throw new Error(`no ARN for ${target.queueUrl}`);
  print(`${sourceArn}: ${Attributes.ApproximateNumberOfMessages ?? '?'} message(s) to move back`);
  const { TaskHandle } = await target.sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: sourceArn,
      ...(rate === undefined ? {} : { MaxNumberOfMessagesPerSecond: rate }),
    }),
  );
  const deadline = Date.now() + timeoutSeconds * 1000;
  let task: ListMessageMoveTasksResultEntry | undefined;
  for (;;) {
    const { Results = [] } = await target.sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }),
    );
    task = Results[0];
    if (task?.Status && FINISHED.has(task.Status)) break;
    if (Date.now() >= deadline) {
      print(
        `still ${task?.Status ?? 'unknown'} after ${timeoutSeconds} s (${task?.ApproximateNumberOfMessagesMoved ?? 0} moved); it goes on: ` +
          `aws sqs cancel-message-move-task --task-handle ${TaskHandle} stops it`,
      );
      return false;
    }
    await pause(pollMs);
  }
  const moved = `${task.ApproximateNumberOfMessagesMoved ?? 0} of ${task.ApproximateNumberOfMessagesToMove ?? '?'} moved`;
  print(
    task.Status === 'COMPLETED'
      ? `COMPLETED: ${moved} back to the queue they came from`
      : `${task.Status}: ${moved}${task.FailureReason ? ` (${task.FailureReason})` : ''}`,
  );
  return task.Status === 'COMPLETED';
};

// --- outcomes: republish the batches the outbox's trigger gave up -------------------------------

type BatchInfo = StreamFailureRecord['DDBStreamBatchInfo'];

/** The stream batch an on-failure record describes, if the text is one. */
export const batchInfoOf = (body: string | undefined): BatchInfo | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body ?? '');
  } catch {
    return undefined;
  }
  const info = isRecord(parsed) ? parsed.DDBStreamBatchInfo : undefined;
  if (!isRecord(info)) return undefined;
  const { shardId, startSequenceNumber, endSequenceNumber, streamArn, batchSize } = info;
  const numeric = (value: unknown) => typeof value === 'string' && /^\d{1,40}$/.test(value);
  return typeof shardId === 'string' &&
    typeof streamArn === 'string' &&
    numeric(startSequenceNumber) &&
    numeric(endSequenceNumber) &&
    typeof batchSize === 'number'
    ? (info as unknown as BatchInfo)
    : undefined;
};

/** Why a batch's records cannot be read again: past the stream's retention, or another stream. */
class RecordsGone extends Error {}

const tableOf = (streamArn: string): string | undefined =>
  /:table\/([^/]+)\/stream\//.exec(streamArn)?.[1];

/**
 * The stream ARN to read: the record's own, or, where the engine names its stream otherwise
 * (DynamoDB Local), the table's stream with the same label.
 */
const engineStreamArn = async (streams: DynamoDBStreamsClient, streamArn: string) => {
  const { Streams = [] } = await streams.send(
    new ListStreamsCommand({ TableName: tableOf(streamArn) }),
  );
  return Streams.find(
    ({ StreamArn }) => StreamArn && streamLabelOf(StreamArn) === streamLabelOf(streamArn),
  )?.StreamArn;
};

const GONE_ERRORS = new Set(['TrimmedDataAccessException', 'ResourceNotFoundException']);

/** The records `info` names, read with GetShardIterator (AT_SEQUENCE_NUMBER) and GetRecords. */
const readBatch = async (
  streams: DynamoDBStreamsClient,
  info: BatchInfo,
  region: string,
): Promise<LedgerStreamRecord[]> => {
  const iteratorAt = (streamArn: string) =>
    streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: info.shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: info.startSequenceNumber,
      }),
    );
  let iterator: string | undefined;
  try {
    iterator = (await iteratorAt(info.streamArn)).ShardIterator;
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (!GONE_ERRORS.has(name)) throw error;
    const other =
      name === 'ResourceNotFoundException'
        ? await engineStreamArn(streams, info.streamArn)
        : undefined;
    if (!other || other === info.streamArn)
      throw new RecordsGone(`${name}: ${(error as Error).message}`);
    try {
      iterator = (await iteratorAt(other)).ShardIterator;
    } catch (retried) {
      if (GONE_ERRORS.has((retried as { name?: string }).name ?? '')) {
        throw new RecordsGone(message(retried));
      }
      throw retried;
    }
  }
  const records: SdkStreamRecord[] = [];
  // An open shard always has a next iterator: the batch ends at its end sequence number, and a
  // few empty pages in a row mean there is nothing more to read.
  for (let empty = 0; iterator && empty < 5; ) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    const found = page.Records ?? [];
    empty = found.length === 0 ? empty + 1 : 0;
    for (const record of found) {
      const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
      if (compareSequenceNumbers(sequenceNumber, info.endSequenceNumber) > 0) {
        iterator = undefined;
        break;
      }
      records.push(record);
    }
    if (records.at(-1)?.dynamodb?.SequenceNumber === info.endSequenceNumber) break;
    if (iterator) iterator = page.NextShardIterator;
  }
  return records.map((record) =>
    toLedgerStreamRecord(record, {
      region,
      streamArn: info.streamArn,
      createdAtMs: record.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now(),
    }),
  );
};

/** What the outbox function answered: published all, or where and why it stopped. */
const invokeOutbox = async (
  lambda: LambdaClient,
  functionName: string,
  records: LedgerStreamRecord[],
): Promise<string | undefined> => {
  const answer = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'RequestResponse',
      Payload: Buffer.from(JSON.stringify({ Records: records }), 'utf8'),
    }),
  );
  const payload = answer.Payload ? Buffer.from(answer.Payload).toString('utf8') : '';
  if (answer.FunctionError) {
    return `the function failed (${answer.FunctionError}): ${payload.slice(0, 300)}`;
  }
  let failures: unknown;
  try {
    failures = payload.trim() === '' ? [] : JSON.parse(payload)?.batchItemFailures;
  } catch {
    return `the function answered what is no batch response: ${payload.slice(0, 300)}`;
  }
  if (Array.isArray(failures) && failures.length > 0) {
    const first = isRecord(failures[0]) ? String(failures[0].itemIdentifier) : '?';
    return `not published from record ${first} on (the function reported it failed)`;
  }
  return undefined;
};

/** Republishes every batch held on the failure queue; true if none was kept. */
const republishOutcomes = async (
  target: Pick<Target, 'sqs' | 'streams' | 'lambda' | 'queueUrl' | 'outboxFunction' | 'region'>,
  { timeoutSeconds }: Pick<RedriveOptions, 'timeoutSeconds'>,
  print: Print,
): Promise<boolean> => {
  const deadline = Date.now() + timeoutSeconds * 1000;
  // A kept message stays invisible while this runs, so that a pass sees each message once.
  const visibilitySeconds = Math.min(43_200, timeoutSeconds + 60);
  let republished = 0;
  let kept = 0;
  while (Date.now() < deadline) {
    const { Messages = [] } = await target.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: target.queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibilitySeconds,
        WaitTimeSeconds: 0,
      }),
    );
    if (Messages.length === 0) break;
    for (const held of Messages) {
      const done = await republishOne(target, held, print);
      if (done) {
        await target.sqs.send(
          new DeleteMessageCommand({
            QueueUrl: target.queueUrl,
            ReceiptHandle: held.ReceiptHandle,
          }),
        );
        republished += 1;
      } else kept += 1;
    }
  }
  print(
    `${republished} batch(es) republished and deleted, ${kept} kept on the queue${Date.now() >= deadline ? ` (stopped after ${timeoutSeconds} s)` : ''}`,
  );
  return kept === 0 && Date.now() < deadline;
};

const republishOne = async (
  target: Pick<Target, 'streams' | 'lambda' | 'outboxFunction' | 'region'>,
  held: Message,
  print: Print,
): Promise<boolean> => {
  const info = batchInfoOf(held.Body);
  const name = `message ${held.MessageId}`;
  if (!info) {
    print(`${name}: kept, it is no on-failure record of a DynamoDB stream batch`);
    return false;
  }
  const range = `${info.startSequenceNumber}..${info.endSequenceNumber} (${info.batchSize} record(s))`;
  let records: LedgerStreamRecord[];
  try {
    records = await readBatch(target.streams, info, target.region);
  } catch (error) {
    if (!(error instanceof RecordsGone)) throw error;
    print(
      `${name}: kept, records ${range} are no longer in the stream (${error.message}): past its 24-hour ` +
        'retention; their outcomes are in the request ledger (the status lookup lists their ids)',
    );
    return false;
  }
  if (records.length < info.batchSize) {
    print(
      `${name}: kept, only ${records.length} of records ${range} are still in the stream (the rest passed its 24-hour retention)`,
    );
    return false;
  }
  const problem = await invokeOutbox(target.lambda, target.outboxFunction, records);
  if (problem) {
    print(`${name}: kept, records ${range}: ${problem}`);
    return false;
  }
  print(`${name}: records ${range} republished by ${target.outboxFunction}`);
  return true;
};

// --- the command --------------------------------------------------------------------------------

const runRedrive = async (options: RedriveOptions, print: Print): Promise<boolean> => {
  const target = options.stage ? await awsTarget(options, options.stage) : localTarget(options);
  try {
    return options.target === 'outcomes'
      ? await republishOutcomes(target, options, print)
      : await moveBack(target, options, print);
  } finally {
    target.destroy();
  }
};

const main = async (): Promise<void> => {
  const parsed = parseRedriveArguments(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (parsed.kind === 'refused') {
    process.stderr.write(`${parsed.problem}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  try {
    process.exitCode = (await runRedrive(parsed.options, print)) ? 0 : 1;
  } catch (error) {
    process.stderr.write(`redrive ${parsed.options.target} failed: ${message(error)}\n`);
    process.exitCode = 1;
  }
};

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
