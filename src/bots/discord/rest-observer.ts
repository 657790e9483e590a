// Watches every response of discord.js REST: counts calls and rate-limit
// responses in the metrics, and feeds the X-RateLimit-* figures of message
// edits to the edit pacer, so that edits are paced by what Discord reports.
import { createHash } from 'node:crypto';
import type { APIRequest, REST, RateLimitData, ResponseLike } from 'discord.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { EditPacer } from '../shared/edit-pacer.js';

const channelEditPath = /^\/channels\/(\d+)\/messages\/\d+$/;
// discord-api-types' Routes percent-encode `@original` as `%40original`.
const webhookEditPath = /^\/webhooks\/\d+\/([^/]+)\/messages\/(?:@original|%40original|\d+)$/;

/** Bucket routes (as discord.js names them) of the message edits that the pacer owns. */
const pacedEditRoute = /^\/(?:channels\/:id|webhooks\/:id\/:token)\/messages\/(?::id|@original|%40original)$/;

/** Lane key of message edits in a channel: Discord limits them per channel, for every message in it. */
export function channelEditLane(channelId: string): string {
  return `channel:${channelId}`;
}

/**
 * Lane key of edits through an interaction's webhook, keyed by a hash so that the token never shows in logs.
 * NOTE: this assumes Discord's bucket for these edits is per interaction token (discord.js uses the webhook
 * id and token as the major parameter); if Discord shared it per channel, concurrent /ask answers in one
 * channel would share a budget that the pacer tracks as separate lanes.
 */
export function webhookEditLane(interactionToken: string): string {
  return `webhook:${createHash('sha256').update(interactionToken).digest('hex').slice(0, 16)}`;
}

/** Returns the lane key of a PATCH request path, or undefined when the path is not a message edit. */
export function editLaneOf(path: string): string | undefined {
  const channel = channelEditPath.exec(path);
  if (channel) return channelEditLane(channel[1] as string);
  const webhook = webhookEditPath.exec(path);
  if (webhook) return webhookEditLane(webhook[1] as string);
  return undefined;
}

/**
 * Tells discord.js REST to reject, rather than wait out, a rate limit on a
 * message edit: the pacer then retries the newest text (a bounded number of
 * times) instead of discord.js sending a stale one after an unbounded wait.
 */
export function rejectPacedEdits(data: RateLimitData): boolean {
  return data.method.toUpperCase() === 'PATCH' && pacedEditRoute.test(data.route);
}

/** Reads a numeric header, or undefined when it is missing or not a number. */
function numberHeader(headers: Headers, name: string): number | undefined {
  const value = headers.get(name);
  if (value === null || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** Options of `observeRest`. */
export interface RestObserverOptions {
  pacer: EditPacer;
  logger: Logger;
  metrics?: Metrics;
}

/** Subscribes to `rest`'s response events; returns a function that unsubscribes. */
export function observeRest(rest: REST, options: RestObserverOptions): () => void {
  const { pacer, logger, metrics } = options;

  const listener = (request: APIRequest, response: ResponseLike) => {
    const method = request.method.toUpperCase();
    // The bucket route has ids and webhook tokens replaced, so it is a safe, bounded label.
    const label = `${method} ${request.route}`;
    metrics?.platformCalls.inc({ platform: 'discord', method: label, status: String(response.status) });

    const retryAfterSeconds = numberHeader(response.headers, 'retry-after');
    if (response.status === 429) {
      metrics?.platformRateLimited.inc({ platform: 'discord', method: label });
      logger.warn(
        { route: label, retryAfterSeconds, bucket: response.headers.get('x-ratelimit-bucket'), scope: response.headers.get('x-ratelimit-scope') },
        'Discord answered 429 Too Many Requests; the request waits and retries.',
      );
    }

    const lane = method === 'PATCH' ? editLaneOf(request.path) : undefined;
    if (lane === undefined) return;

    const remaining = numberHeader(response.headers, 'x-ratelimit-remaining');
    const resetAfterSeconds = numberHeader(response.headers, 'x-ratelimit-reset-after');
    if (remaining !== undefined && resetAfterSeconds !== undefined) {
      pacer.observe(lane, { remaining, resetAfterMs: resetAfterSeconds * 1000 });
    }
    if (response.status === 429 && retryAfterSeconds !== undefined) pacer.pause(lane, retryAfterSeconds * 1000);
  };

  // discord.js delays (or, for paced edits, rejects) a request whose bucket it knows to be empty.
  // Edits should never get here, because the pacer waits for the reset first.
  const onRateLimited = (info: RateLimitData) => {
    logger.debug({ route: `${info.method.toUpperCase()} ${info.route}`, timeToResetMs: info.timeToReset, global: info.global }, 'discord.js held a request until its rate-limit bucket resets.');
  };

  rest.on('response', listener);
  rest.on('rateLimited', onRateLimited);
  return () => {
    rest.off('response', listener);
    rest.off('rateLimited', onRateLimited);
  };
}
