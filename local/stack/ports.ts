import { createServer } from 'node:net';

/** Resolves to the port to use: a free one for 0, else `port` once it is known to be free. */
export const claimPort = (port: number, variable: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`${variable}: port ${port} on 127.0.0.1 is already in use`)
          : error,
      );
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const claimed = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(claimed));
    });
  });
