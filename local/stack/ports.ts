import { createServer } from 'node:net';
import { isAddressInUse, portTakenError } from '../engines/listen.js';

/**
 * Resolves to the port to use: a free one for 0, else `port` once it is known to be free. A taken
 * port is `portTakenError(variable)`.
 */
export const claimPort = (port: number, variable: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? portTakenError(variable, port) : error);
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const claimed = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(claimed));
    });
  });

/**
 * Checks every fixed port (0 is left out: a free one is picked later) before anything starts, so
 * a start on taken ports names each of them at once, one line per port.
 */
export const checkPortsFree = async (ports: Readonly<Record<string, number>>): Promise<void> => {
  const problems: string[] = [];
  const byPort = new Map<number, string>();
  for (const [variable, port] of Object.entries(ports)) {
    if (port === 0) continue;
    const other = byPort.get(port);
    if (other !== undefined) {
      problems.push(`${other} and ${variable} are both ${port}: set one of them to another port`);
      continue;
    }
    byPort.set(port, variable);
    try {
      await claimPort(port, variable);
    } catch (error) {
      if (!isAddressInUse(error)) throw error;
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
};
