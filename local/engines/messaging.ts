import type { Server } from 'node:http';
import { buildApp } from 'fauxqs';
import { closeServer } from './listen.js';

/** The account fauxqs writes into every ARN; the whole offline stack lives in it. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface RunningMessaging {
  /** One endpoint for SQS and SNS. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * fauxqs (SQS + SNS emulator) in-process. Built and bound here because its own starter
 * listens on every interface.
 */
export const startMessaging = async (port = 0, region = 'us-east-1'): Promise<RunningMessaging> => {
  const app = buildApp({ logger: false, defaultRegion: region });
  try {
    await app.listen({ port, host: '127.0.0.1' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`SQS/SNS (fauxqs): port ${port} on 127.0.0.1 is already in use`);
    }
    throw error;
  }
  const { port: actualPort } = (app.server as Server).address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    close: async () => {
      await app.close();
      if (app.server.listening) await closeServer(app.server);
    },
  };
};
