// Signed Slack requests, built the way Slack builds them: a v0 HMAC-SHA256
// signature over `v0:<timestamp>:<raw body>` with the signing secret, sent as
// x-slack-signature with x-slack-request-timestamp. Slash commands are
// form-encoded; Events API payloads are JSON.
import { createHmac } from 'node:crypto';

/** Reply of the adapter to one request, with the time it arrived. */
export interface SlackReply {
  status: number;
  body: string;
  receivedAt: number;
}

/** Options of a signed request. */
export interface SignOptions {
  /** Unix seconds; default now. A value more than five minutes old is stale. */
  timestamp?: number;
  /** Signs with this secret instead (a bad signature). */
  secret?: string;
  headers?: Record<string, string>;
}

/** Returns the x-slack-signature value for `body` at `timestamp`. */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Sends a signed POST and returns the reply. */
export async function sendSigned(url: string, secret: string, body: string, contentType: string, options: SignOptions = {}): Promise<SlackReply> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(options.secret ?? secret, timestamp, body),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text, receivedAt: performance.now() };
}

/** Fields of a slash command request, with test defaults for the ones not given. */
export function slashCommandFields(fields: Record<string, string>): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    team_id: 'T0STANDIN',
    team_domain: 'standin',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: 'U0ASKER',
    user_name: 'asker',
    command: '/ask',
    text: '',
    api_app_id: 'A0APP',
    response_url: 'http://127.0.0.1:9/response/unused',
    trigger_id: '1.2.3',
    ...fields,
  };
}

/** Sends a signed, form-encoded slash command. */
export function sendSlashCommand(url: string, secret: string, fields: Record<string, string>, options?: SignOptions): Promise<SlackReply> {
  const body = new URLSearchParams(slashCommandFields(fields)).toString();
  return sendSigned(url, secret, body, 'application/x-www-form-urlencoded', options);
}

/** Wraps an event in an Events API event_callback envelope. */
export function eventCallback(event: Record<string, unknown>, eventId: string, teamId = 'T0STANDIN'): Record<string, unknown> {
  return {
    token: 'deprecated-verification-token',
    team_id: teamId,
    api_app_id: 'A0APP',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: teamId, user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
  };
}

/** Sends a signed JSON Events API payload; `retryNum` adds Slack's redelivery headers. */
export function sendEvent(url: string, secret: string, payload: Record<string, unknown>, options: SignOptions & { retryNum?: number } = {}): Promise<SlackReply> {
  const headers = { ...options.headers };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  return sendSigned(url, secret, JSON.stringify(payload), 'application/json', { ...options, headers });
}
