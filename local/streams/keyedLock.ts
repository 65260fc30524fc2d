/**
 * Runs tasks one at a time per key, in the order they asked, while tasks on other keys run
 * alongside. A task holding several keys waits for each; since a task takes all its places in
 * one step, two tasks cannot wait for each other.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  public async run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const before = unique.map((key) => this.tails.get(key) ?? Promise.resolve());
    for (const key of unique) this.tails.set(key, held);
    try {
      await Promise.all(before);
      return await task();
    } finally {
      release();
      for (const key of unique) {
        if (this.tails.get(key) === held) this.tails.delete(key);
      }
    }
  }

  /** How many keys are held or waited for (for tests: 0 once everything is done). */
  public get size(): number {
    return this.tails.size;
  }
}
