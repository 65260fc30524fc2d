import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LOCAL_CREDENTIALS } from './engines/dynamodb.js';
import type { StackInfo } from './stack/startStack.js';

/**
 * `sls invoke local` against the running stack's stand-ins:
 *   npm run invoke -- http events/http/create-infrastructure-configuration.json
 */
const [fn, eventFile] = process.argv.slice(2);
if (!fn || !eventFile) {
  process.stderr.write('usage: npm run invoke -- <http|queue> <event file>\n');
  process.exit(2);
}
const stackFile = resolve(process.env.STACK_DIR || '.local', 'stack.json');
let info: StackInfo;
try {
  info = JSON.parse(readFileSync(stackFile, 'utf8')) as StackInfo;
} catch {
  process.stderr.write(`No running stack found (${stackFile}): start it with npm start\n`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  [
    resolve('node_modules/osls/bin/serverless.js'),
    'invoke',
    'local',
    '--stage',
    'local',
    '-f',
    fn,
    '-p',
    eventFile,
  ],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      AWS_REGION: info.region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_IMAGEBUILDER: info.imagebuilder.endpoint,
      AWS_ENDPOINT_URL_APPSTREAM: info.appstream.endpoint,
      AWS_ENDPOINT_URL_SQS: info.sqs.endpoint,
      AWS_ENDPOINT_URL_SNS: info.sns.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: info.dynamodb.endpoint,
    },
  },
);
process.exit(result.status ?? 1);
