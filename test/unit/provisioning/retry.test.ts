import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, withRetries } from '../../../src/provisioning/retry.js';

const throttle = Object.assign(new Error('slow down'), { name: 'Throttle' });
const permanent = Object.assign(new Error('bad'), { name: 'Permanent' });

/** A clock that only moves when the code under test sleeps. */
const fakeTime = () => {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
};

describe('withRetries', () => {
  it('retries retryable failures with growing, jittered delays until one succeeds', async () => {
    const time = fakeTime();
    let calls = 0;

    const result = await withRetries(
      async () => {
        calls++;
        if (calls < 3) throw throttle;
        return 'done';
      },
      {
        policy: DEFAULT_RETRY_POLICY,
        retryable: (e) => e === throttle,
        deadline: 60_000,
        random: () => 0.5,
        ...time,
      },
    );

    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(time.sleeps).toEqual([50, 100]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const time = fakeTime();
    let calls = 0;

    const outcome = withRetries(
      async () => {
        calls++;
        throw throttle;
      },
      {
        policy: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
        retryable: () => true,
        deadline: 60_000,
        random: () => 1,
        ...time,
      },
    );

    await expect(outcome).rejects.toBe(throttle);
    expect(calls).toBe(3);
    expect(time.sleeps).toEqual([10, 20]);
  });

  it('never retries a permanent failure', async () => {
    let calls = 0;

    await expect(
      withRetries(
        async () => {
          calls++;
          throw permanent;
        },
        { policy: DEFAULT_RETRY_POLICY, retryable: (e) => e === throttle, deadline: 60_000 },
      ),
    ).rejects.toBe(permanent);
    expect(calls).toBe(1);
  });

  it('stops retrying when the next attempt could not end before the deadline', async () => {
    const time = fakeTime();
    let calls = 0;

    await expect(
      withRetries(
        async () => {
          calls++;
          throw throttle;
        },
        {
          policy: { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1_000 },
          retryable: () => true,
          deadline: 350,
          random: () => 1,
          ...time,
        },
      ),
    ).rejects.toBe(throttle);
    // After one sleep (t=100), a second of 200 plus one more attempt would overrun 350.
    expect(time.sleeps).toEqual([100]);
    expect(calls).toBe(2);
  });

  it('caps the delay at maxDelayMs', async () => {
    const time = fakeTime();
    let calls = 0;

    await withRetries(
      async () => {
        calls++;
        if (calls < 6) throw throttle;
        return calls;
      },
      {
        policy: { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 300 },
        retryable: () => true,
        deadline: 60_000,
        random: () => 1,
        ...time,
      },
    );

    expect(time.sleeps).toEqual([100, 200, 300, 300, 300]);
  });

  it('hands each attempt a signal that aborts at the deadline', async () => {
    const seen = await withRetries(
      async (signal) => {
        const atStart = signal.aborted;
        await new Promise((resolve) => setTimeout(resolve, 60));
        return { atStart, atEnd: signal.aborted, reason: (signal.reason as Error).name };
      },
      { policy: DEFAULT_RETRY_POLICY, retryable: () => false, deadline: Date.now() + 20 },
    );

    expect(seen).toEqual({ atStart: false, atEnd: true, reason: 'TimeoutError' });
  });

  it('leaves no timer behind once an attempt is over', async () => {
    const signal = await withRetries(async (s) => s, {
      policy: DEFAULT_RETRY_POLICY,
      retryable: () => false,
      deadline: Date.now() + 20,
    });

    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(signal.aborted).toBe(false);
  });
});
