import { createServer } from 'node:http';
import { buildApp } from 'fauxqs';
import { closeServer, listenOnLoopback } from './listen.js';
import { sqsQueryFront } from './sqsQueryFront.js';

/** The account fauxqs writes into every ARN; the whole offline stack lives in it. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface RunningMessaging {
  /** One endpoint for SQS (its JSON and its Query protocol) and SNS. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * fauxqs (SQS + SNS emulator) in-process, behind the SQS Query front (`sqsQueryFront.ts`) on one
 * port: fauxqs answers SQS's JSON protocol only, the front adds the Query protocol. Bound here
 * because fauxqs's own starter listens on every interface.
 */
export const startMessaging = async (port = 0, region = 'us-east-1'): Promise<RunningMessaging> => {
  const app = buildApp({ logger: false, defaultRegion: region });
  await app.ready();
  const server = createServer(
    sqsQueryFront({
      handle: (request, response) => app.routing(request, response),
      call: async (request) => {
        const answer = await app.inject(request);
        return { status: answer.statusCode, headers: answer.headers, body: answer.rawPayload };
      },
    }),
  );
  // As fauxqs's own server (Fastify's default): longer than clients keep idle connections.
  server.keepAliveTimeout = 72_000;
  let actualPort: number;
  try {
    actualPort = await listenOnLoopback(server, port, 'SQS/SNS (fauxqs)');
  } catch (error) {
    await app.close();
    throw error;
  }
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    close: async () => {
      await closeServer(server);
      await app.close();
    },
  };
};
