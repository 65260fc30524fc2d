import './stack/dotEnv.js';
import { readFileSync, statSync } from 'node:fs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from './engines/credentials.js';
import { readRunningStack } from './stack/runningStack.js';

/**
 * Sends one message to the running stack's request queue:
 *   npm run send -- '{"operation": "...", "request": {...}}'
 *   npm run send -- path/to/message.json
 */
const USAGE = "usage: npm run send -- '<message JSON>' | <path to a .json file>";

/** A wrong argument: what was wrong, the usage, exit 2. */
function refuse(problem: string): never {
  process.stderr.write(`${problem}; ${USAGE}\n`);
  process.exit(2);
}

/** The text of `argument` for display: one line, at most 80 characters. */
const quoted = (argument: string): string => {
  const line = JSON.stringify(argument);
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
};

const parseError = (text: string): string | undefined => {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
};

/** The message body `argument` stands for: JSON itself, or a file holding it. */
const readMessage = (argument: string): string => {
  if (argument.trim().startsWith('{') || argument.trim().startsWith('[')) {
    const problem = parseError(argument);
    return problem === undefined
      ? argument
      : refuse(`not valid JSON (${problem}): ${quoted(argument)}`);
  }
  const isFile = (() => {
    try {
      return statSync(argument).isFile();
    } catch {
      return false;
    }
  })();
  if (!isFile) return refuse(`not JSON and no such file: ${quoted(argument)}`);
  const body = readFileSync(argument, 'utf8');
  const problem = parseError(body);
  return problem === undefined ? body : refuse(`${argument} is not valid JSON (${problem})`);
};

const args = process.argv.slice(2);
const [argument] = args;
if (argument === undefined) refuse('no message given');
if (args.length > 1) {
  refuse(`one message expected, got ${args.length} arguments (quote the JSON in single quotes)`);
}
const body = readMessage(argument);
const info = readRunningStack();
const sqs = new SQSClient({
  region: info.region,
  endpoint: info.sqs.endpoint,
  credentials: LOCAL_CREDENTIALS,
});
try {
  const { MessageId } = await sqs.send(
    new SendMessageCommand({ QueueUrl: info.sqs.requestQueueUrl, MessageBody: body }),
  );
  process.stdout.write(`sent ${MessageId} to ${info.sqs.requestQueueUrl}\n`);
} catch (error) {
  process.stderr.write(
    `could not send to ${info.sqs.requestQueueUrl}: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  sqs.destroy();
}
