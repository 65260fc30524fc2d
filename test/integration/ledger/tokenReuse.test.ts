// A request reusing a token (another body, or none that is valid) is announced without touching the record of the request that went ahead.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRequestsTable,
  localDynamoDbClient,
  type RunningDynamoDb,
  startDynalite,
} from '../../../local/engines/dynamodb.js';
import { createGuardrails } from '../../../src/guardrails/evaluate.js';
import { createDynamoLedger } from '../../../src/ledger/dynamoLedger.js';
import type { RequestLedger } from '../../../src/ledger/record.js';
import { createRequestLookup } from '../../../src/provisioning/lookup.js';
import { createPipeline, type ProvisioningRequest } from '../../../src/provisioning/pipeline.js';
import { validRequests } from '../../fixtures/requests.js';
import { recordingMetrics } from '../../support/metrics.js';
import {
  fakeIdempotencyStore,
  mockedAwsClients,
  silentLogger,
} from '../../support/provisioningFakes.js';

const infra = validRequests.CreateInfrastructureConfiguration;

/** A queue message on its final receive (the queue announces rejections). */
const message = (token: string, input: unknown): ProvisioningRequest => ({
  channel: 'sqs',
  operation: 'CreateInfrastructureConfiguration',
  input,
  inputPointer: '/request',
  clientToken: { value: token, label: 'the message clientToken', path: '/clientToken' },
  fallbackToken: () => 'message-id',
  correlationId: undefined,
  requestedBy: undefined,
  finalAttempt: true,
  announcesRejections: true,
  idempotentReads: true,
  remainingTimeMs: 30_000,
});

describe('a clientToken reused by another queue message after its request succeeded', () => {
  let engine: RunningDynamoDb;
  let dynamodb: DynamoDBClient;
  let ledger: RequestLedger;

  beforeAll(async () => {
    engine = await startDynalite();
    dynamodb = localDynamoDbClient(engine.endpoint, 'us-east-1');
    await createRequestsTable(dynamodb, 'requests', { stream: false });
    ledger = createDynamoLedger({ dynamodb, tableName: 'requests', retentionSeconds: 3_600 });
  });

  afterAll(async () => {
    dynamodb.destroy();
    await engine.close();
  });

  it.each([
    [
      'with another request (422 IdempotentParameterMismatchException)',
      'reused-1',
      { ...infra, description: 'another' },
    ],
    ['with an invalid request (400 ValidationException)', 'reused-2', { ...infra, name: '' }],
  ])(
    'leaves the succeeded request SUCCEEDED, with its response, in the ledger: %s',
    async (_, token, other) => {
      const { clients } = mockedAwsClients();
      const pipeline = createPipeline({
        clients,
        ledger,
        idempotency: fakeIdempotencyStore(),
        metrics: recordingMetrics(),
        logger: silentLogger(),
        guardrails: createGuardrails({}, { accountId: '123456789012' }),
      });
      const lookup = createRequestLookup(ledger);
      const first = await pipeline.run(message(token, infra));
      const before = await lookup.find('CreateInfrastructureConfiguration', token);

      const reused = await pipeline.run(message(token, other));
      const replay = await pipeline.run(message(token, infra));
      const after = await lookup.find('CreateInfrastructureConfiguration', token);

      expect(first.status).toBe('SUCCEEDED');
      expect(reused.status).toBe('FAILED');
      expect(replay).toMatchObject({ status: 'SUCCEEDED', replayed: true });
      expect(before).toMatchObject({ found: true, request: { status: 'SUCCEEDED' } });
      // The request the token names succeeded, and its replay still answers so.
      expect(after).toMatchObject({
        found: true,
        request: {
          status: 'SUCCEEDED',
          response: first.status === 'SUCCEEDED' ? first.response : {},
        },
      });
    },
  );
});
