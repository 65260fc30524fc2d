import { readStackSettings } from './stack/settings.js';
import { startStack } from './stack/startStack.js';

const started = performance.now();
const settings = readStackSettings();
const print = (line: string) => process.stdout.write(`${line}\n`);
const warn = (line: string) => process.stderr.write(`${line}\n`);

try {
  const stack = await startStack(settings, { print, warn });
  const { info } = stack;
  print(
    [
      '',
      `Stack ready in ${((performance.now() - started) / 1000).toFixed(1)} s (stage ${settings.stage}, ${info.region})`,
      `  HTTP API          ${info.httpApi}`,
      ...stack.httpRoutes.map((routeKey) => `                      ${routeKey}`),
      `  request queue     ${info.sqs.requestQueueUrl}`,
      `  dead-letter queue ${info.sqs.deadLetterQueueUrl}`,
      `  outcomes topic    ${info.sns.outcomesTopicArn}`,
      `  SQS/SNS           ${info.sqs.endpoint}`,
      `  DynamoDB          ${info.dynamodb.endpoint} (table ${info.dynamodb.idempotencyTable})`,
      `  Image Builder / AppStream emulator ${info.emulator.endpoint}`,
      `  stack control     ${info.control.endpoint}/_stack/parts`,
      `  endpoints written to ${stack.stackFile}`,
      'Outcomes print below as they are published. Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    print(`\n${signal}: stopping the stack...`);
    await stack.stop();
    print('Stack stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  warn(`Could not start the stack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
