import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../../local/engines/credentials.js';
import { type RunningMessaging, startMessaging } from '../../../local/engines/messaging.js';

/*
 * Debian's AWS CLI (2.9, botocore's Query protocol for SQS: form-encoded requests, XML answers)
 * against the local messaging endpoint: an independent Query client, next to the JSON SDK.
 */

const AWS_CLI = '/usr/bin/aws';
const CLI = existsSync(AWS_CLI);
const REGION = 'eu-west-1';
const md5 = (value: string) => createHash('md5').update(value).digest('hex');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let messaging: RunningMessaging;
let sqs: SQSClient;
let home: string;

/** One `aws` run against the local endpoint, with nothing of the machine's own AWS settings. */
const aws = (...args: string[]): Promise<CliResult> =>
  new Promise((resolve) => {
    execFile(
      AWS_CLI,
      ['--endpoint-url', messaging.endpoint, '--output', 'json', '--no-cli-pager', ...args],
      {
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: home,
          AWS_CONFIG_FILE: join(home, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          AWS_DEFAULT_REGION: REGION,
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_PAGER: '',
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });

const json = (result: CliResult): Record<string, unknown> => {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
};

describe.skipIf(!CLI)(
  // Named so that a skipped run says why in the report.
  CLI
    ? "Debian's AWS CLI (a Query-protocol client) against the local SQS"
    : `Debian's AWS CLI against the local SQS (skipped: ${AWS_CLI} is not installed; apt-get install awscli)`,
  () => {
    let queueUrl: string;

    beforeAll(async () => {
      home = await mkdtemp(join(tmpdir(), 'aws-cli-home-'));
      messaging = await startMessaging(0, REGION);
      sqs = new SQSClient({
        region: REGION,
        endpoint: messaging.endpoint,
        credentials: LOCAL_CREDENTIALS,
      });
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'aws-cli' }));
      if (!QueueUrl) throw new Error('CreateQueue answered no QueueUrl');
      queueUrl = QueueUrl;
    });

    afterAll(async () => {
      sqs?.destroy();
      await messaging?.close();
      if (home) await rm(home, { recursive: true, force: true });
    });

    it('send-message, receive-message and delete-message; the JSON SDK receives what it sends', async () => {
      const body = '{"operation":"CreateImageBuilder","clientToken":"cli-1"}';
      const sent = json(
        await aws(
          'sqs',
          'send-message',
          '--queue-url',
          queueUrl,
          '--message-body',
          body,
          '--message-attributes',
          '{"kind":{"DataType":"String","StringValue":"cli"}}',
        ),
      );
      expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(sent.MD5OfMessageBody).toBe(md5(body));

      const received = json(
        await aws(
          'sqs',
          'receive-message',
          '--queue-url',
          queueUrl,
          '--attribute-names',
          'All',
          '--message-attribute-names',
          'All',
          '--wait-time-seconds',
          '1',
        ),
      );
      const messages = received.Messages as Record<string, unknown>[] | undefined;
      expect(messages).toHaveLength(1);
      const message = messages?.[0] ?? {};
      expect(message.MessageId).toBe(sent.MessageId);
      expect(message.Body).toBe(body);
      expect(message.MD5OfBody).toBe(md5(body));
      expect(message.MessageAttributes).toEqual({
        kind: { DataType: 'String', StringValue: 'cli' },
      });
      expect((message.Attributes as Record<string, string>).ApproximateReceiveCount).toBe('1');

      const deleted = await aws(
        'sqs',
        'delete-message',
        '--queue-url',
        queueUrl,
        '--receipt-handle',
        String(message.ReceiptHandle),
      );
      expect(deleted.code, deleted.stderr).toBe(0);

      const again = json(
        await aws('sqs', 'send-message', '--queue-url', queueUrl, '--message-body', 'to the SDK'),
      );
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
      );
      expect(Messages?.map((m) => [m.MessageId, m.Body])).toEqual([
        [again.MessageId, 'to the SDK'],
      ]);
    });

    it('receives what the JSON SDK sends, and finds the queue by name', async () => {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'aws-cli-sdk' }));
      const fromSdk = await sqs.send(
        new SendMessageCommand({ QueueUrl, MessageBody: 'from the SDK' }),
      );
      const found = json(await aws('sqs', 'get-queue-url', '--queue-name', 'aws-cli-sdk'));
      expect(found.QueueUrl).toBe(QueueUrl);
      const received = json(
        await aws(
          'sqs',
          'receive-message',
          '--queue-url',
          String(found.QueueUrl),
          '--wait-time-seconds',
          '1',
        ),
      );
      const messages = received.Messages as Record<string, unknown>[] | undefined;
      expect(messages?.map((m) => [m.MessageId, m.Body, m.MD5OfBody])).toEqual([
        [fromSdk.MessageId, 'from the SDK', fromSdk.MD5OfMessageBody],
      ]);
    });

    it('reports an unknown queue with the Query error code', async () => {
      const missing = await aws('sqs', 'get-queue-url', '--queue-name', 'no-such-queue');
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain('AWS.SimpleQueueService.NonExistentQueue');
    });
  },
);
