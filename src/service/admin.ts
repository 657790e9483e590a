// Admin endpoint: `POST /admin/reingest`, off unless ADMIN_TOKEN is set, and
// then guarded by that token as a bearer token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpRoute } from '../bots/adapter.js';
import { sendJson } from './http-server.js';

/** Result of asking the service to start a re-ingest. */
export type ReingestStart = { started: true } | { started: false; status: 409 | 503; reason: string };

/** Options of `adminRoutes`. */
export interface AdminRouteOptions {
  /** The configured ADMIN_TOKEN; undefined turns the endpoint off (404). */
  adminToken: string | undefined;
  /** Starts a re-ingest in the background, or returns why it cannot start now. */
  startReingest(): ReingestStart;
}

/**
 * Returns true when `header` is `Bearer <token>` with the expected token.
 * Both sides are hashed first so that the comparison takes the same time
 * whatever the length or content of the guess.
 */
export function isAuthorized(header: string | undefined, expected: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const presented = match?.[1] ?? '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(presented), digest(expected)) && presented.length > 0;
}

/** Routes of the admin API. */
export function adminRoutes(options: AdminRouteOptions): HttpRoute[] {
  return [
    {
      method: 'POST',
      path: '/admin/reingest',
      handle(request, response) {
        discardBody(request);
        if (options.adminToken === undefined) {
          sendJson(response, 404, { error: 'No route for /admin/reingest. Set ADMIN_TOKEN to turn on the admin API.' });
          return;
        }
        if (!isAuthorized(request.headers.authorization, options.adminToken)) {
          sendJson(response, 401, { error: 'Missing or wrong bearer token. Send "Authorization: Bearer <ADMIN_TOKEN>".' }, { 'www-authenticate': 'Bearer realm="ragbot-admin"' });
          return;
        }

        const result = options.startReingest();
        if (result.started) {
          sendJson(response, 202, { status: 'started', progress: 'GET /readyz shows the re-ingest state under "reingest".' });
        } else {
          sendJson(response, result.status, { error: result.reason });
        }
      },
    },
  ];
}

/** Reads and drops a request body that the route does not use, so the connection can be reused. */
function discardBody(request: IncomingMessage): void {
  request.resume();
}
