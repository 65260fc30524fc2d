import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type {
  DynamoDBRecord,
  DynamoDBStreamEvent,
  AttributeValue as StreamAttributeValue,
} from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createOutboxHandler } from '../../../src/channels/ledgerStream.js';
import { ledgerKey } from '../../../src/ledger/dynamoLedger.js';
import type { LedgerOutcome, LedgerRecord } from '../../../src/ledger/record.js';
import { createOutboxRelay, type LedgerChange } from '../../../src/outbox/relay.js';
import type { ServiceEvent } from '../../../src/outcomes/outcome.js';
import { lambdaContext } from '../../support/lambda.js';
import { recordingMetrics } from '../../support/metrics.js';
import { silentLogger } from '../../support/provisioningFakes.js';

/** The changes here begin no watch: a check scheduled is a failure. */
const NO_WATCH = {
  schedule: async () => {
    throw new Error('no change here schedules a check');
  },
};

const SOURCE = 'image-provisioner.dev';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/image-provisioner-dev-requests';

/** An attribute as Lambda's stream event carries it: binaries in base64. */
const toEventValue = (value: SdkAttributeValue): StreamAttributeValue => {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined)
    return { BS: value.BS.map((bytes) => Buffer.from(bytes).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toEventValue) };
  if (value.M !== undefined) return { M: toEventImage(value.M) };
  return value as StreamAttributeValue;
};

const toEventImage = (
  item: Record<string, SdkAttributeValue>,
): Record<string, StreamAttributeValue> =>
  Object.fromEntries(Object.entries(item).map(([name, value]) => [name, toEventValue(value)]));

/** The item DynamoDB holds for a record (key and bookkeeping included), in the event's shape. */
const imageOf = (record: LedgerRecord | undefined) =>
  record &&
  toEventImage({
    ...marshall(
      {
        ...record,
        // What settle adds alongside each outcome; DynamoDB holds no empty set.
        ...(record.outcomes.length > 0
          ? { outcomeIds: new Set(record.outcomes.map(({ id }) => id)) }
          : {}),
      },
      { removeUndefinedValues: true },
    ),
    ...ledgerKey(record.operation, record.clientToken),
  });

let sequence = 4_200_000_000_000_000_000;

/** A stream record of the ledger's table as Lambda delivers it (NEW_AND_OLD_IMAGES). */
const streamRecord = (
  before: LedgerRecord | undefined,
  after: LedgerRecord | undefined,
): DynamoDBRecord => {
  sequence += 100;
  const anyImage = after ?? before;
  return {
    eventID: `event-${sequence}`,
    eventName: !before ? 'INSERT' : !after ? 'REMOVE' : 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: `${TABLE_ARN}/stream/2026-11-21T00:00:00.000`,
    dynamodb: {
      ApproximateCreationDateTime: 1_795_000_000,
      Keys: anyImage
        ? toEventImage(ledgerKey(anyImage.operation, anyImage.clientToken))
        : undefined,
      ...(after ? { NewImage: imageOf(after) } : {}),
      ...(before ? { OldImage: imageOf(before) } : {}),
      SequenceNumber: String(sequence),
      SizeBytes: 512,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
};

const outcome = (n: number, status: LedgerOutcome['status'] = 'SUCCEEDED'): LedgerOutcome => ({
  id: `bbbbbbbb-0000-4000-8000-00000000000${n}`,
  status,
  time: `2026-11-21T10:00:0${n}.000Z`,
  ...(status === 'FAILED'
    ? { error: { code: 'RequestLimitExceededException', message: 'slow down', retryable: true } }
    : {}),
});

const recordOf = (
  clientToken: string,
  outcomes: LedgerOutcome[],
  overrides: Partial<LedgerRecord> = {},
): LedgerRecord => ({
  operation: 'CreateImageBuilder',
  clientToken,
  channel: 'sqs',
  correlationId: 'portal-ticket-4712',
  status: outcomes.at(-1)?.status ?? 'IN_PROGRESS',
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T10:00:09.000Z',
  ...(outcomes.at(-1)?.status === 'SUCCEEDED' ? { response: { ImageBuilder: { Name: 'b' } } } : {}),
  outcomes,
  expiresAt: 1_795_604_800,
  ...overrides,
});

const eventOf = (...Records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records });

/** The outbox handler on the real relay, publishing to a list, failing where the test says. */
const setup = (failing: (event: ServiceEvent) => Error | undefined = () => undefined) => {
  const published: ServiceEvent[] = [];
  const relay = createOutboxRelay({
    publisher: {
      async publish(event) {
        const error = failing(event);
        if (error) throw error;
        published.push(event);
      },
    },
    checks: NO_WATCH,
    metrics: recordingMetrics(),
    source: SOURCE,
  });
  const relayed = vi.spyOn(relay, 'relay');
  const logger = silentLogger();
  const warn = vi.spyOn(logger, 'warn');
  const handler = createOutboxHandler({ relay, logger });
  const invoke = (event: DynamoDBStreamEvent) => handler(event, lambdaContext());
  return { published, relayed, warn, invoke };
};

describe('createOutboxHandler', () => {
  it('publishes the outcomes each record committed, record by record in stream order', async () => {
    // Prepare
    const { published, invoke } = setup();
    const first = recordOf('t-1', [outcome(1, 'FAILED')]);
    const firstThen = recordOf('t-1', [outcome(1, 'FAILED'), outcome(2)]);
    const second = recordOf('t-2', [outcome(3)]);

    // Act
    const answer = await invoke(
      eventOf(
        streamRecord(undefined, first),
        streamRecord(first, firstThen),
        streamRecord(undefined, second),
      ),
    );

    // Assess
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(published.map(({ id }) => id)).toEqual([outcome(1).id, outcome(2).id, outcome(3).id]);
    expect(
      published.map(({ data }) => [data.clientToken, 'status' in data ? data.status : data.event]),
    ).toEqual([
      ['t-1', 'FAILED'],
      ['t-1', 'SUCCEEDED'],
      ['t-2', 'SUCCEEDED'],
    ]);
    expect(published[1]).toMatchObject({
      source: SOURCE,
      time: outcome(2).time,
      data: {
        operation: 'CreateImageBuilder',
        correlationId: 'portal-ticket-4712',
        channel: 'sqs',
        response: { ImageBuilder: { Name: 'b' } },
      },
    });
  });

  it('answers the first record that fails as the batch item failure and leaves the rest of the batch alone', async () => {
    // Prepare
    const snsDown = new Error('SNS unavailable');
    const { published, relayed, warn, invoke } = setup((event) =>
      event.id === outcome(2).id ? snsDown : undefined,
    );
    const records = [
      streamRecord(undefined, recordOf('t-1', [outcome(1)])),
      streamRecord(undefined, recordOf('t-2', [outcome(2)])),
      streamRecord(undefined, recordOf('t-3', [outcome(3)])),
    ];

    // Act
    const answer = await invoke(eventOf(...records));

    // Assess
    expect(answer).toEqual({
      batchItemFailures: [{ itemIdentifier: records[1]?.dynamodb?.SequenceNumber }],
    });
    expect(published.map(({ id }) => id)).toEqual([outcome(1).id]);
    expect(relayed).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalledWith(
      'outcome not published yet',
      expect.objectContaining({
        clientToken: 't-2',
        sequenceNumber: records[1]?.dynamodb?.SequenceNumber,
        error: snsDown,
      }),
    );
  });

  it('publishes nothing for a batch none of whose records commits a new outcome', async () => {
    // Prepare
    const { published, invoke } = setup();
    const failed = recordOf('t-1', [outcome(1, 'FAILED')]);
    const begunAgain = { ...failed, status: 'IN_PROGRESS' as const };

    // Act
    const answer = await invoke(
      eventOf(
        streamRecord(undefined, recordOf('t-2', [])),
        streamRecord(failed, begunAgain),
        streamRecord(begunAgain, undefined),
      ),
    );

    // Assess
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(published).toEqual([]);
  });

  it('answers an empty batch with no failure', async () => {
    // Prepare
    const { published, invoke } = setup();

    // Act
    const answer = await invoke(eventOf());

    // Assess
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(published).toEqual([]);
  });

  it('converts images with number, set, list, map, binary, boolean and null attributes', async () => {
    // Prepare
    const { relayed, published, invoke } = setup();
    const response = {
      ImageBuilder: {
        Name: 'b',
        VcpuCount: 2,
        Ratio: 0.25,
        Enabled: true,
        Missing: null,
        Tags: ['a', 'b'],
        Checksum: new Uint8Array([0, 1, 2, 254, 255]),
        Chunks: new Set([new Uint8Array([7]), new Uint8Array([8, 9])]),
        Ports: new Set([443, 8443]),
        Zones: new Set(['us-east-1a', 'us-east-1b']),
        Nested: { Deep: [{ Level: 3 }] },
      },
    };
    const before = recordOf('t-1', []);
    const after = recordOf('t-1', [outcome(1)], { response });

    // Act
    await invoke(eventOf(streamRecord(before, after)));

    // Assess
    const change = relayed.mock.calls[0]?.[0] as LedgerChange;
    expect(change.before).toStrictEqual(before);
    const { response: received, ...rest } = change.after ?? {};
    const { response: _sent, ...expected } = after;
    expect(rest).toStrictEqual(expected);
    const builder = (received as typeof response).ImageBuilder;
    expect(builder).toMatchObject({
      Name: 'b',
      VcpuCount: 2,
      Ratio: 0.25,
      Enabled: true,
      Missing: null,
      Tags: ['a', 'b'],
      Ports: new Set([443, 8443]),
      Zones: new Set(['us-east-1a', 'us-east-1b']),
      Nested: { Deep: [{ Level: 3 }] },
    });
    expect([...builder.Checksum]).toEqual([0, 1, 2, 254, 255]);
    expect([...builder.Chunks].map((chunk) => [...chunk])).toEqual([[7], [8, 9]]);
    expect(published.map(({ id }) => id)).toEqual([outcome(1).id]);
  });
});
