import './stack/dotEnv.js';
import { readStackSettings } from './stack/settings.js';
import { settingsHelp } from './stack/settingsHelp.js';
import { startStack } from './stack/startStack.js';

const started = performance.now();
const print = (line: string) => process.stdout.write(`${line}\n`);
const warn = (line: string) => process.stderr.write(`${line}\n`);

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  print(settingsHelp(process.env, process.cwd()));
  process.exit(0);
}
if (args.length > 0) {
  warn(
    `npm start: unknown argument${args.length > 1 ? 's' : ''} ${args.join(' ')}; it takes only --help (settings are environment variables: npm start -- --help lists them)`,
  );
  process.exit(2);
}

try {
  const settings = readStackSettings();
  const stack = await startStack(settings, { print, warn });
  const { info } = stack;
  print(
    [
      '',
      `Stack ready in ${((performance.now() - started) / 1000).toFixed(1)} s (stage ${settings.stage}, ${info.region})`,
      `  HTTP API          ${info.httpApi}`,
      ...stack.httpRoutes.map((routeKey) => `                      ${routeKey}`),
      `  API reference     ${info.apiReference.page} (document: ${info.apiReference.openapi})`,
      `  request queue     ${info.sqs.requestQueueUrl}`,
      `  dead-letter queue ${info.sqs.deadLetterQueueUrl}`,
      `  outcomes topic    ${info.sns.outcomesTopicArn}`,
      `  SQS/SNS           ${info.sqs.endpoint}`,
      `  DynamoDB          ${info.dynamodb.endpoint} (table ${info.dynamodb.idempotencyTable})`,
      `  Image Builder / AppStream emulator ${info.emulator.endpoint}`,
      `  stack control     ${info.control.endpoint}/_stack/parts`,
      `  endpoints written to ${stack.stackFile}`,
      settings.externalDynamoDb
        ? 'In memory: queued messages and emulated resources are lost when the stack stops (records stay in AWS_ENDPOINT_URL_DYNAMODB).'
        : 'In memory: queued messages, table records and emulated resources are lost when the stack stops.',
      'Outcomes print below as they are published. Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    (code === 0 ? print : warn)(`\n${reason}: stopping the stack...`);
    await stack.stop();
    print('Stack stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  // A part that dies leaves a stack that only half works: it stops, naming the part. Ctrl-C
  // reaches serverless-offline too, so its exit waits a moment for a SIGINT to be seen first.
  void stack.died.then(async (part) => {
    await new Promise((resume) => setTimeout(resume, 250));
    await shutdown(`${part}; the stack cannot work without it`, 1);
  });
} catch (error) {
  warn(`Could not start the stack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
