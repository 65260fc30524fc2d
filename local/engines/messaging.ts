import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { buildApp } from 'fauxqs';
import { closeServer, listenOnLoopback } from './listen.js';
import {
  type EngineCall,
  isMoveTaskAction,
  type JsonAnswer,
  MessageMoveTasks,
  type MoveTaskAction,
} from './messageMoveTasks.js';
import { queryErrorFromJson } from './sqsQuery.js';
import { type EngineAnswer, sqsQueryFront } from './sqsQueryFront.js';

/** The account fauxqs writes into every ARN; the whole offline stack lives in it. */
export const LOCAL_ACCOUNT_ID = '000000000000';

export interface RunningMessaging {
  /** One endpoint for SQS (its JSON and its Query protocol) and SNS. */
  endpoint: string;
  close(): Promise<void>;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

/** The move-task action a JSON-protocol request's `X-Amz-Target` names, if it names one. */
const moveTaskTarget = (target: string | string[] | undefined): MoveTaskAction | undefined => {
  const action = typeof target === 'string' ? target.replace(/^AmazonSQS\./, '') : '';
  return typeof target === 'string' && target.startsWith('AmazonSQS.') && isMoveTaskAction(action)
    ? action
    : undefined;
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** A move-task answer as the engine's answers look (SQS's JSON protocol). */
const jsonAnswer = ({ status, body }: JsonAnswer): EngineAnswer => {
  const type = typeof body.__type === 'string';
  return {
    status,
    headers: {
      'content-type': JSON_CONTENT_TYPE,
      'x-amzn-requestid': randomUUID(),
      // As SQS answers a JSON client: the error's Query code and its fault.
      ...(type ? { 'x-amzn-query-error': `${queryErrorFromJson(status, body).code};Sender` } : {}),
    },
    body: Buffer.from(JSON.stringify(body), 'utf8'),
  };
};

const readText = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const sendAnswer = (response: ServerResponse, answer: EngineAnswer): void => {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
  response.end(answer.body);
};

/**
 * fauxqs (SQS + SNS emulator) in-process, behind the SQS Query front (`sqsQueryFront.ts`) on one
 * port: fauxqs answers SQS's JSON protocol only, the front adds the Query protocol. The message
 * move tasks fauxqs lacks (`messageMoveTasks.ts`) are answered before it, in either protocol.
 * Bound here because fauxqs's own starter listens on every interface.
 */
export const startMessaging = async (port = 0, region = 'us-east-1'): Promise<RunningMessaging> => {
  const app = buildApp({ logger: false, defaultRegion: region });
  await app.ready();
  const engineCall: EngineCall = async (action, input) => {
    const answer = await app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amz-target': `AmazonSQS.${action}` },
      payload: JSON.stringify(input),
    });
    const body = parseJson(answer.body);
    return {
      status: answer.statusCode,
      body: typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {},
    };
  };
  const moveTasks = new MessageMoveTasks({ call: engineCall });
  const server = createServer(
    sqsQueryFront({
      handle: (request, response) => {
        const action = moveTaskTarget(request.headers['x-amz-target']);
        if (action === undefined) {
          app.routing(request, response);
          return;
        }
        readText(request)
          .then((text) => moveTasks.handle(action, parseJson(text)))
          .then((answer) => sendAnswer(response, jsonAnswer(answer)))
          .catch((error: unknown) =>
            sendAnswer(
              response,
              jsonAnswer({
                status: 500,
                body: { __type: 'com.amazonaws.sqs#InternalFailure', message: String(error) },
              }),
            ),
          );
      },
      call: async (request) => {
        const action = moveTaskTarget(request.headers['x-amz-target']);
        if (action !== undefined) {
          return jsonAnswer(await moveTasks.handle(action, parseJson(String(request.payload))));
        }
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
      await moveTasks.close();
      await closeServer(server);
      await app.close();
    },
  };
};
