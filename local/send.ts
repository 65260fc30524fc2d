import { readFileSync } from 'node:fs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from './engines/credentials.js';
import { readRunningStack } from './stack/runningStack.js';

/**
 * Sends one message to the running stack's request queue:
 *   npm run send -- '{"operation": "...", "request": {...}}'
 *   npm run send -- path/to/message.json
 */
const [argument] = process.argv.slice(2);
if (!argument) {
  process.stderr.write('usage: npm run send -- <message JSON | path to a .json file>\n');
  process.exit(2);
}
const info = readRunningStack();
const body = argument.trim().startsWith('{') ? argument : readFileSync(argument, 'utf8');
const sqs = new SQSClient({
  region: info.region,
  endpoint: info.sqs.endpoint,
  credentials: LOCAL_CREDENTIALS,
});
const { MessageId } = await sqs.send(
  new SendMessageCommand({ QueueUrl: info.sqs.requestQueueUrl, MessageBody: body }),
);
process.stdout.write(`sent ${MessageId} to ${info.sqs.requestQueueUrl}\n`);
sqs.destroy();
