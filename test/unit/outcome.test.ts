import { describe, expect, it } from 'vitest';
import { OUTCOME_EVENT_TYPE, toOutcomeEvent } from '../../src/outcomes/outcome.js';

describe('toOutcomeEvent', () => {
  it('builds a CloudEvents 1.0 structured event around the outcome', () => {
    const now = new Date('2026-11-21T12:00:00.000Z');
    const data = {
      operation: 'CreateImageBuilder',
      clientToken: 't',
      channel: 'sqs' as const,
      status: 'SUCCEEDED' as const,
      response: { ok: true },
    };

    const event = toOutcomeEvent(data, {
      source: 'image-provisioner.dev',
      subject: 'arn:aws:appstream:us-east-1:123456789012:image-builder/b',
      now,
      id: 'id-1',
    });

    expect(event).toEqual({
      specversion: '1.0',
      id: 'id-1',
      source: 'image-provisioner.dev',
      type: OUTCOME_EVENT_TYPE,
      subject: 'arn:aws:appstream:us-east-1:123456789012:image-builder/b',
      time: '2026-11-21T12:00:00.000Z',
      datacontenttype: 'application/json',
      data,
    });
  });

  it('omits the subject when none is known and gives every event its own id', () => {
    const data = { operation: 'Unknown', channel: 'sqs' as const, status: 'FAILED' as const };

    const first = toOutcomeEvent(data, { source: 's' });
    const second = toOutcomeEvent(data, { source: 's' });

    expect(first).not.toHaveProperty('subject');
    expect(first.id).not.toBe(second.id);
  });
});
