import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * Every AWS endpoint the functions reach, on one loopback port, answering at once: DynamoDB
 * (JSON 1.0), SQS (JSON 1.0), AppStream (JSON 1.1), Image Builder (REST-JSON) and SNS (Query,
 * XML). Answers are canned but well-formed, so the SDK parses them as it parses AWS's. The
 * idempotency table alone keeps state (conditional PutItem, UpdateItem `SET`, GetItem), so that a
 * replay is answered from the record as DynamoDB answers it. Only the cost of the caller remains.
 *
 * It speaks HTTPS, as AWS does: over plain HTTP the SDK would take a path it never takes in
 * Lambda (its HTTP agent, whose lazy `import("node:http")` makes Node evaluate undici), and both
 * sides would pay for it. The functions trust its certificate through NODE_EXTRA_CA_CERTS.
 */

/** A throwaway certificate for 127.0.0.1, valid a day, written to `dir` (cert.pem, key.pem). */
export const makeCertificate = (dir: string): { cert: string; key: string; certFile: string } => {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile };
};

type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

export interface StubRequest {
  /** The operation, `DynamoDB.PutItem`, `Imagebuilder.CreateInfrastructureConfiguration`, ... */
  call: string;
  /** Bytes of the request: headers and body, as sent. */
  bytes: number;
  body: string;
}

export interface Stub {
  url: string;
  /** Requests answered since the last `takeRequests`, in order of arrival. */
  takeRequests(): StubRequest[];
  close(): Promise<void>;
}

const ARN = 'arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/bench';
const DISTRIBUTION_ARN =
  'arn:aws:imagebuilder:us-east-1:123456789012:distribution-configuration/bench';

const IMAGE_BUILDER_ANSWERS: Record<string, unknown> = {
  CreateInfrastructureConfiguration: { requestId: 'r', infrastructureConfigurationArn: ARN },
  UpdateInfrastructureConfiguration: { requestId: 'r', infrastructureConfigurationArn: ARN },
  CreateDistributionConfiguration: {
    requestId: 'r',
    distributionConfigurationArn: DISTRIBUTION_ARN,
  },
  GetInfrastructureConfiguration: {
    requestId: 'r',
    infrastructureConfiguration: {
      arn: ARN,
      name: 'bench',
      instanceTypes: ['m7i.large'],
      instanceProfileName: 'ImageBuilderInstanceProfile',
      terminateInstanceOnFailure: true,
      dateCreated: '2026-11-30T00:00:00.000Z',
      tags: { team: 'platform' },
    },
  },
};

const json = (res: ServerResponse, status: number, body: unknown, type: string): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': 'bench',
  });
  res.end(text);
};

/** Values of an UpdateExpression `SET #a = :a, #b = :b` (the idempotency record's form). */
const applySet = (item: Item, input: Record<string, unknown>): void => {
  const expression = String(input.UpdateExpression ?? '');
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Item;
  if (!expression.trim().toUpperCase().startsWith('SET ')) return;
  for (const assignment of expression.trim().slice(4).split(',')) {
    const [path = '', value = ''] = assignment.split('=').map((part) => part.trim());
    const name = names[path] ?? path;
    const given = values[value];
    if (given) item[name] = given;
  }
};

const createDynamo = (idempotencyTable: string) => {
  const records = new Map<string, Item>();
  const keyOf = (key: unknown): string => JSON.stringify(key);
  return (operation: string, input: Record<string, unknown>, res: ServerResponse): void => {
    const answer = (status: number, body: unknown) =>
      json(res, status, body, 'application/x-amz-json-1.0');
    const own = input.TableName === idempotencyTable;
    if (operation === 'PutItem' && own) {
      const item = input.Item as Item;
      const key = keyOf(item.id);
      const existing = records.get(key);
      if (existing && input.ConditionExpression) {
        answer(400, {
          __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
          message: 'The conditional request failed',
          ...(input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? { Item: existing } : {}),
        });
        return;
      }
      records.set(key, { ...item });
      answer(200, {});
      return;
    }
    if (operation === 'UpdateItem' && own) {
      const key = keyOf((input.Key as Item).id);
      const item = records.get(key) ?? { ...(input.Key as Item) };
      applySet(item, input);
      records.set(key, item);
      answer(200, {});
      return;
    }
    if (operation === 'GetItem' && own) {
      const item = records.get(keyOf((input.Key as Item).id));
      answer(200, item ? { Item: item } : {});
      return;
    }
    if (operation === 'DeleteItem' && own) {
      records.delete(keyOf((input.Key as Item).id));
      answer(200, {});
      return;
    }
    // The request ledger and anything else: written, nothing returned.
    answer(200, {});
  };
};

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const SNS_PUBLISH =
  '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
  '<MessageId>00000000-0000-0000-0000-000000000000</MessageId></PublishResult>' +
  '<ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></PublishResponse>';

export const startStub = async ({
  idempotencyTable,
  tls,
}: {
  idempotencyTable: string;
  tls: { cert: string; key: string };
}): Promise<Stub> => {
  let requests: StubRequest[] = [];
  const dynamo = createDynamo(idempotencyTable);
  const server = createServer(tls, async (req, res) => {
    const text = await readBody(req);
    const headerBytes = req.rawHeaders.reduce((sum, part) => sum + part.length + 2, 0);
    const calls = {
      push: (call: string) => {
        requests.push({ call, bytes: headerBytes + Buffer.byteLength(text), body: text });
      },
    };
    const target = String(req.headers['x-amz-target'] ?? '');
    const [prefix = '', operation = ''] = target.split('.');
    if (prefix.startsWith('DynamoDB_')) {
      calls.push(`DynamoDB.${operation}`);
      return dynamo(operation, JSON.parse(text || '{}'), res);
    }
    if (prefix === 'PhotonAdminProxyService') {
      calls.push(`AppStream.${operation}`);
      const body =
        operation === 'CreateImageBuilder'
          ? {
              ImageBuilder: {
                Name: 'bench',
                Arn: 'arn:aws:appstream:us-east-1:1:image-builder/bench',
                State: 'PENDING',
              },
            }
          : {};
      return json(res, 200, body, 'application/x-amz-json-1.1');
    }
    if (prefix === 'AmazonSQS') {
      calls.push(`SQS.${operation}`);
      return json(res, 200, {}, 'application/x-amz-json-1.0');
    }
    const action = /(?:^|&)Action=([A-Za-z]+)/.exec(text)?.[1];
    if (action) {
      calls.push(`SNS.${action}`);
      res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'bench' });
      return res.end(action === 'Publish' ? SNS_PUBLISH : `<${action}Response/>`);
    }
    const path = new URL(req.url ?? '/', 'http://stub').pathname.slice(1);
    const answer = IMAGE_BUILDER_ANSWERS[path];
    calls.push(`Imagebuilder.${path}`);
    if (!answer) return json(res, 404, { message: `no ${path} here` }, 'application/json');
    return json(res, 200, answer, 'application/json');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    takeRequests: () => {
      const taken = requests;
      requests = [];
      return taken;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
