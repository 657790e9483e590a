// The service's one HTTP server (node:http): a small exact-path router that
// serves the health, readiness, metrics and admin endpoints and the routes that
// adapters mount later (Slack's `/slack/events`). It listens before anything
// heavy loads, so that a platform probe sees `/healthz` answer at once.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRoute } from '../bots/adapter.js';
import type { Logger } from '../observability/logger.js';

/** Raised when the server cannot listen on the configured host and port. */
export class ListenError extends Error {
  override readonly name = 'ListenError';

  constructor(
    readonly host: string,
    readonly port: number,
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(listenMessage(host, port, code), { cause });
  }
}

function listenMessage(host: string, port: number, code: string | undefined): string {
  if (code === 'EADDRINUSE') return `Port ${port} on ${host} is already in use. Stop the other process or set PORT to a free port.`;
  if (code === 'EACCES') return `No permission to listen on port ${port}. Set PORT to a number above 1023.`;
  if (code === 'EADDRNOTAVAIL') return `Address ${host} is not available on this machine. Set HOST to 0.0.0.0 or 127.0.0.1.`;
  return `Failed to listen on ${host}:${port} (${code ?? 'unknown error'}). Check the PORT and HOST settings.`;
}

/** Options of `createHttpServer`. */
export interface HttpServerOptions {
  logger: Logger;
  /** Milliseconds to wait for open requests when closing before cutting them. */
  closeTimeoutMs?: number;
}

/** The shared server: mount routes, listen, close. */
export interface HttpServer {
  /** Adds or replaces routes; a later route with the same method and path wins. */
  mount(routes: readonly HttpRoute[]): void;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting connections, waits for open requests up to the close timeout, then cuts the rest. */
  close(): Promise<void>;
  /** The underlying node:http server, for tests. */
  readonly server: Server;
}

/** Sends a JSON body with the given status and optional extra headers. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/** Creates the router and server; call `listen` to start it. */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const logger = options.logger.child({ component: 'http' });
  const routes = new Map<string, HttpRoute>();
  const key = (method: string, path: string) => `${method} ${path}`;

  let closing = false;

  const server = createServer((request, response) => {
    // A keep-alive connection that goes idle while the server closes is closed at once.
    response.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    void dispatch(request, response);
  });

  async function dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    // HEAD gets the GET handler; node:http leaves the body out of HEAD responses.
    const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
    const route = routes.get(key(method, path));

    if (route === undefined) {
      const allowed = [...routes.values()].filter((r) => r.path === path).map((r) => r.method);
      if (allowed.length > 0) {
        sendJson(response, 405, { error: `Method ${method} is not allowed on ${path}.` }, { allow: allowed.join(', ') });
      } else {
        sendJson(response, 404, { error: `No route for ${path}.` });
      }
      return;
    }

    try {
      await route.handle(request, response);
    } catch (error) {
      logger.error({ err: error, method, path }, 'Route handler failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'Internal error; see the service log.' });
      else response.destroy();
    }
  }

  return {
    server,

    mount(newRoutes) {
      for (const route of newRoutes) routes.set(key(route.method, route.path), route);
    },

    listen(port, host) {
      return new Promise((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) => reject(new ListenError(host, port, error.code, error));
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          server.on('error', (error) => logger.error({ err: error }, 'HTTP server error'));
          resolve((server.address() as AddressInfo).port);
        });
      });
    },

    close() {
      closing = true;
      return closeServer(server, options.closeTimeoutMs ?? 5_000);
    },
  };
}

/** Closes `server`: idle keep-alive connections at once, busy ones after `timeoutMs`. */
function closeServer(server: Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
