import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The part of the offline stack that listens on the port each variable sets. */
export const PORT_PARTS: Readonly<Record<string, string>> = {
  HTTP_PORT: 'HTTP API',
  LAMBDA_PORT: "serverless-offline's Lambda API",
  SQS_SNS_PORT: 'SQS/SNS (fauxqs)',
  DYNAMODB_PORT: 'DynamoDB',
  EMULATOR_PORT: 'Image Builder / AppStream emulator',
  STACK_CONTROL_PORT: 'stack control API',
};

/**
 * The error for a port another process holds: `<part> could not listen on <port>: set
 * <VARIABLE> ...` when `what` is one of the stack's port variables, else `<what> could not listen
 * on <port>`.
 */
export const portTakenError = (what: string, port: number): Error => {
  const part = PORT_PARTS[what];
  const taken = `port ${port} on 127.0.0.1 is already in use`;
  return new Error(
    part === undefined
      ? `${what} could not listen on ${port}: ${taken}`
      : `${part} could not listen on ${port}: set ${what} to a free port, or 0 to pick one (${taken})`,
  );
};

/** Whether `error` says an address was in use, as Node's listen or a wrapper of it reports it. */
export const isAddressInUse = (error: unknown): boolean =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE' ||
  (error instanceof Error && /EADDRINUSE|already in use/.test(error.message));

/** Runs `start` (which listens on `port`), turning a taken port into `portTakenError(what)`. */
export const listeningOn = async <T>(
  what: string,
  port: number,
  start: () => Promise<T>,
): Promise<T> => {
  try {
    return await start();
  } catch (error) {
    throw isAddressInUse(error) ? portTakenError(what, port) : error;
  }
};

/**
 * Listens on loopback only; port 0 picks a free one. `what` is the port's variable (or the part's
 * name when no variable sets it): a taken port is an error naming it (`portTakenError`).
 */
export const listenOnLoopback = (server: Server, port: number, what: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? portTakenError(what, port) : error);
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });

export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve, reject) => {
    server.closeAllConnections?.();
    server.close((error) => (error ? reject(error) : resolve()));
  });
