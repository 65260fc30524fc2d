import './stack/dotEnv.js';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { LOCAL_CREDENTIALS } from './engines/credentials.js';
import { readRunningStack } from './stack/runningStack.js';

/**
 * `sls invoke local` against the running stack's stand-ins, reaching SNS and DynamoDB through
 * the same gates as the stack's functions (an outage set with `/_stack/parts` applies here too):
 *   npm run invoke -- http events/http/create-infrastructure-configuration.json
 */
const [fn, eventFile] = process.argv.slice(2);
if (!fn || !eventFile) {
  process.stderr.write('usage: npm run invoke -- <http|queue> <event file>\n');
  process.exit(2);
}
const info = readRunningStack();
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
    // The stack's own watch queue, as the stack's functions have it.
    '--param',
    `watchQueueUrl=${info.sqs.watchQueueUrl}`,
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
      AWS_ENDPOINT_URL_SNS: info.gates.sns,
      AWS_ENDPOINT_URL_DYNAMODB: info.gates.dynamodb,
    },
  },
);
process.exit(result.status ?? 1);
