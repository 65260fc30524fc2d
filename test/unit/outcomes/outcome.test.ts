import { describe, expect, it } from 'vitest';
import { OUTCOME_EVENT_TYPE, toOutcomeEvent } from '../../../src/outcomes/outcome.js';

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

  it('omits the subject when none is known', () => {
    const data = { operation: 'Unknown', channel: 'sqs' as const, status: 'FAILED' as const };

    expect(toOutcomeEvent(data, { source: 's' })).not.toHaveProperty('subject');
  });

  it('gives the same outcome the same id, and another outcome another id', () => {
    const succeeded = {
      operation: 'CreateImageBuilder',
      clientToken: 't-1',
      channel: 'sqs' as const,
      status: 'SUCCEEDED' as const,
    };
    const failed = {
      ...succeeded,
      status: 'FAILED' as const,
      error: { code: 'X', message: 'm', retryable: true },
    };

    const first = toOutcomeEvent(succeeded, { source: 's' });
    const again = toOutcomeEvent({ ...succeeded, channel: 'http' }, { source: 's' });
    const other = toOutcomeEvent(failed, { source: 's' });
    const otherToken = toOutcomeEvent({ ...succeeded, clientToken: 't-2' }, { source: 's' });

    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
    expect(otherToken.id).not.toBe(first.id);
  });
});
