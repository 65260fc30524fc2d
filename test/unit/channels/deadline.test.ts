import { describe, expect, it, vi } from 'vitest';
import { ANSWER_MARGIN_MS, beforeTimeout } from '../../../src/channels/deadline.js';

describe('beforeTimeout', () => {
  it('answers with the work when it settles in time', async () => {
    // Act
    const result = await beforeTimeout(Promise.resolve('done'), 5_000, () => 'late');

    // Assess
    expect(result).toBe('done');
  });

  it('answers late() a margin before the invocation runs out, without waiting for the work', async () => {
    // Prepare
    vi.useFakeTimers();
    const never = new Promise<string>(() => undefined);

    // Act
    const answer = beforeTimeout(never, ANSWER_MARGIN_MS + 500, () => 'late');
    await vi.advanceTimersByTimeAsync(499);
    const early = await Promise.race([answer, Promise.resolve('still waiting')]);
    await vi.advanceTimersByTimeAsync(1);

    // Assess
    expect(early).toBe('still waiting');
    await expect(answer).resolves.toBe('late');
    vi.useRealTimers();
  });

  it('answers late() at once when no time is left', async () => {
    const result = await beforeTimeout(new Promise<string>(() => undefined), 0, () => 'late');

    expect(result).toBe('late');
  });

  it('passes the work’s rejection on', async () => {
    await expect(
      beforeTimeout(Promise.reject(new Error('boom')), 5_000, () => 'late'),
    ).rejects.toThrow('boom');
  });
});
