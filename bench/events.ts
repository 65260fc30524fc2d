import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './build.js';

/**
 * The events every run invokes both sides with: the sample events of `events/`, with a request
 * the stage's guardrails admit. `@TOKEN@` stands for a clientToken the invoking process makes
 * fresh for every create, so each one calls AWS rather than replaying.
 */

export const TOKEN_PLACEHOLDER = '@TOKEN@';

const sample = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(projectRoot, 'events', path), 'utf8')) as Record<string, unknown>;

/** A CreateInfrastructureConfiguration request within the dev guardrails. */
const CREATE_REQUEST = {
  name: 'bench-infrastructure',
  description: 'Build instances for the benchmark',
  instanceTypes: ['m7i.large'],
  instanceProfileName: 'ImageBuilderInstanceProfile',
  terminateInstanceOnFailure: true,
  instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 2 },
  tags: { team: 'platform', environment: 'dev' },
};

/** The configuration the reads ask for: one of the stage's own account, as the guardrails want. */
const READ_ARN = 'arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/bench';

export interface BenchEvents {
  /** POST /infrastructure-configurations, the clientToken in the body. */
  create: unknown;
  /** GET /infrastructure-configurations/{arn}. */
  get: unknown;
  /** One SQS record of a CreateInfrastructureConfiguration message. */
  record: unknown;
}

export const benchEvents = (): BenchEvents => {
  const create = sample('http/create-infrastructure-configuration.json');
  const body = JSON.stringify({ ...CREATE_REQUEST, clientToken: TOKEN_PLACEHOLDER });
  const headers = { ...(create.headers as Record<string, string>) };
  headers['content-length'] = String(Buffer.byteLength(body));
  const get = sample('http/get-infrastructure-configuration.json');
  const sqs = sample('sqs/create-infrastructure-configuration.json') as { Records: unknown[] };
  const [record] = sqs.Records as Record<string, unknown>[];
  return {
    create: { ...create, headers, body },
    get: {
      ...get,
      rawPath: `/infrastructure-configurations/${encodeURIComponent(READ_ARN)}`,
      pathParameters: { arn: READ_ARN },
    },
    record: {
      ...record,
      body: JSON.stringify({
        operation: 'CreateInfrastructureConfiguration',
        clientToken: TOKEN_PLACEHOLDER,
        correlationId: 'bench-queue',
        request: CREATE_REQUEST,
      }),
    },
  };
};
