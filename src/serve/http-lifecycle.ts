/**
 * Starting and stopping an HTTP service: listen (rejecting on a bind error), its URL, and a graceful close
 * that lets requests in flight finish before connections are cut. Shared by the reward and policy services.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listen on `host:port` and resolve with the bound port (a bind error such as EADDRINUSE rejects); later
 * server errors go to `log`.
 *
 * @example
 * const port = await listenOn(server, 0, '127.0.0.1', console.error);
 */
export async function listenOn(server: Server, port: number, host: string, log: (error: Error) => void): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', log);
  return (server.address() as AddressInfo).port;
}

/**
 * The base URL of a service on `host:port` (an IPv6 host in brackets).
 *
 * @example
 * serviceUrl('::1', 8000); // 'http://[::1]:8000'
 */
export function serviceUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * A close function for `server`: the first call runs `onClosing` (the service then answers with
 * `Connection: close` and a 503 health), stops accepting connections, closes idle ones, and cuts the rest
 * after `graceMs`; every call returns the same promise, resolved when the server has closed.
 *
 * @example
 * const close = gracefulClose(server, () => { closing = true; });
 * await close(5000);
 */
export function gracefulClose(server: Server, onClosing: () => void): (graceMs?: number) => Promise<void> {
  let closed: Promise<void> | undefined;
  return (graceMs = 10_000) => {
    closed ??= new Promise<void>((resolve) => {
      onClosing();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closed;
  };
}
