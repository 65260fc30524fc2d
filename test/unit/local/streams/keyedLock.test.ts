import { describe, expect, it } from 'vitest';
import { KeyedLock } from '../../../../local/streams/keyedLock.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('KeyedLock', () => {
  it('runs tasks on one key one at a time, in the order they asked', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name} starts`);
      await tick();
      log.push(`${name} ends`);
    };

    await Promise.all([
      lock.run(['k'], task('a')),
      lock.run(['k'], task('b')),
      lock.run(['k'], task('c')),
    ]);

    expect(log).toEqual(['a starts', 'a ends', 'b starts', 'b ends', 'c starts', 'c ends']);
    expect(lock.size).toBe(0);
  });

  it('lets tasks on other keys run alongside', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    let release = () => {};
    const held = lock.run(['k1'], () => new Promise<void>((resolve) => (release = resolve)));

    await lock.run(['k2'], async () => {
      log.push('k2 ran while k1 was held');
    });
    release();
    await held;

    expect(log).toEqual(['k2 ran while k1 was held']);
  });

  it('waits for every key of a task, and frees them when it fails', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const first = lock.run(['a'], async () => {
      await tick();
      log.push('a');
    });
    const both = lock.run(['a', 'b'], async () => {
      log.push('a+b');
      throw new Error('task failed');
    });
    const second = lock.run(['b'], async () => {
      log.push('b');
    });

    await first;
    await expect(both).rejects.toThrow('task failed');
    await second;

    expect(log).toEqual(['a', 'a+b', 'b']);
    expect(lock.size).toBe(0);
  });
});
