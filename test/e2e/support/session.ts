import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { Api } from './api.js';
import { OutcomeInbox } from './outcomes.js';
import { Queues } from './queues.js';
import { type RunningStack, startStack } from './stack.js';

/** What the tests of one file share: the stack and a portal's view of it. */
export interface Session {
  stack: RunningStack;
  api: Api;
  outcomes: OutcomeInbox;
  queues: Queues;
  /** Image Builder as anyone with an SDK reaches it (one attempt: what the emulator answers). */
  imagebuilder: ImagebuilderClient;
}

/**
 * Starts a stack for the calling file's tests (with `extraEnv`), prints its output after a
 * failed test, and stops it after the last one. Its members are there once `beforeAll` ran.
 */
export const useStack = (
  extraEnv: Record<string, string>,
  { startTimeoutMs = 90_000 } = {},
): Session => {
  const session = {} as Session;
  beforeAll(async () => {
    const stack = await startStack(extraEnv);
    session.stack = stack;
    session.api = new Api(stack.info.httpApi);
    session.outcomes = await OutcomeInbox.subscribe(stack);
    session.queues = new Queues(stack);
    session.imagebuilder = new ImagebuilderClient({
      region: stack.info.region,
      endpoint: stack.info.imagebuilder.endpoint,
      credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
      maxAttempts: 1,
    });
  }, startTimeoutMs);
  afterEach((context) => {
    if (context.task.result?.state === 'fail' && session.stack) {
      console.error(`stack output (last 6000 characters):\n${session.stack.output().slice(-6000)}`);
    }
  });
  afterAll(async () => {
    session.imagebuilder?.destroy();
    if (!session.stack) return;
    if (!session.stack.exited()) await session.outcomes?.close();
    await session.stack.stop();
  }, 30_000);
  return session;
};
