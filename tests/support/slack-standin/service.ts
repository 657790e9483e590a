// A plain node:http server on 127.0.0.1 that dispatches requests to adapter
// routes by method and path, as the service's one HTTP server does. It
// remembers each response object so tests can check what was sent when.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRoute } from '../../../src/bots/adapter.js';

/** A running route server. */
export interface RouteServer {
  url: string;
  /** Responses in the order their requests arrived. */
  responses: ServerResponse[];
  close(): Promise<void>;
}

/** Serves `routes` on 127.0.0.1; unknown paths get 404. */
export async function serveRoutes(routes: HttpRoute[]): Promise<RouteServer> {
  const responses: ServerResponse[] = [];
  const server: Server = createServer((request, response) => {
    responses.push(response);
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const route = routes.find((r) => r.method === request.method && r.path === path);
    if (route === undefined) {
      request.resume();
      response.writeHead(404).end();
      return;
    }
    void Promise.resolve(route.handle(request, response)).catch(() => {
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    responses,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
