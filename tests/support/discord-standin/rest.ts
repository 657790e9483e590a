// REST half of the Discord stand-in: the routes that ragbot calls under
// /api/v10, with Discord's status codes, error bodies and rate-limit headers.
// Every call is recorded; faults (403, 404, 429, 5xx) can be injected.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InteractionResponseType, MessageFlags } from 'discord.js';
import type { StandinIds } from './fixtures.js';
import { MessageStore, type StoredMessage } from './messages.js';
import { RateBucket, type BucketLimit } from './rate-buckets.js';

/** One REST call as the stand-in received and responded to it. */
export interface RecordedCall {
  method: string;
  /** Path below `/api/v10`, without the query, e.g. `/channels/1/messages/2`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  status: number;
  /** Epoch milliseconds when the request arrived. */
  at: number;
  /** Name of the rate-limit bucket that the call counted against. */
  bucket: string;
}

/** A response that replaces the normal one for matching requests. */
export interface InjectedFault {
  method?: string;
  path: RegExp;
  status: number;
  body: Record<string, unknown>;
  /** How many matching requests get the fault; unlimited when omitted. */
  times?: number;
  /** Headers that replace the bucket's headers, e.g. those of a 429. */
  headers?: Record<string, string>;
}

/** Names of the stand-in's rate-limit buckets. */
export type BucketName = 'messageCreate' | 'messageEdit' | 'messageDelete' | 'typing' | 'webhookCreate' | 'webhookEdit' | 'interactionCallback' | 'other';

/** A generous default, so that only buckets a test sizes can run out. */
const roomyLimit: BucketLimit = { limit: 1000, windowMs: 1000 };

/** Options of the REST half. */
export interface StandinRestOptions {
  ids: StandinIds;
  token: string;
  gatewayUrl: () => string;
  limits?: Partial<Record<BucketName, BucketLimit>>;
  /** Called with each message the bot creates in a channel, so the gateway can echo it. */
  onBotMessage?: (message: StoredMessage) => void;
}

interface RouteContext {
  method: string;
  params: string[];
  body: Record<string, unknown>;
  query: URLSearchParams;
}

interface RouteResult {
  status: number;
  body?: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  bucket: BucketName;
  /** Index of the capture group whose value keys the bucket window (channel id or webhook token). */
  major?: number;
  /** Whether the token in the path authenticates the call, so no bot token is needed (webhook and interaction routes). */
  tokenInPath?: boolean;
  handle(context: RouteContext): RouteResult;
}

/** Discord's JSON error body. */
function apiError(status: number, code: number, message: string): RouteResult {
  return { status, body: { message, code } };
}

/** The REST API of the stand-in. */
export class StandinRest {
  readonly calls: RecordedCall[] = [];
  readonly messages: MessageStore;
  readonly commands: Array<{ scope: string; body: Record<string, unknown> }> = [];
  rateLimitedResponses = 0;

  private readonly faults: InjectedFault[] = [];
  private readonly buckets = new Map<BucketName, RateBucket>();
  private readonly routes: Route[];

  constructor(private readonly options: StandinRestOptions) {
    this.messages = new MessageStore(options.ids);
    this.routes = this.buildRoutes();
  }

  /** Adds a fault; the newest matching fault wins. */
  injectFault(fault: InjectedFault): void {
    this.faults.unshift({ ...fault });
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Handles one HTTP request that starts with `/api/`. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    // Clients percent-encode path segments such as `@original`.
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, '');
    const method = (request.method ?? 'GET').toUpperCase();
    const body = await readJson(request);

    const { result, bucket, headers } = this.dispatch(method, path, url.searchParams, body, request.headers.authorization);
    this.calls.push({ method, path, query: url.searchParams, body, status: result.status, at, bucket });
    if (result.status === 429) this.rateLimitedResponses += 1;

    const payload = result.body === undefined ? '' : JSON.stringify(result.body);
    response.writeHead(result.status, {
      ...headers,
      ...(payload ? { 'content-type': 'application/json' } : {}),
    });
    response.end(payload);
  }

  /** Routes a request through auth, faults and the rate-limit bucket to its handler. */
  private dispatch(method: string, path: string, query: URLSearchParams, body: unknown, authorization: string | undefined) {
    const match = this.match(method, path);
    if (match === undefined) {
      return { result: apiError(404, 0, '404: Not Found'), bucket: 'none', headers: {} };
    }
    const { route, params } = match;
    if (!route.tokenInPath && authorization !== `Bot ${this.options.token}`) {
      return { result: apiError(401, 0, '401: Unauthorized'), bucket: route.bucket, headers: {} };
    }

    const bucket = this.bucket(route.bucket);
    const major = route.major === undefined ? 'global' : (params[route.major] ?? 'global');
    const decision = bucket.take(major);
    if (decision.limited) {
      const result = { status: 429, body: { message: 'You are being rate limited.', retry_after: decision.retryAfterSeconds, global: false } };
      return { result, bucket: route.bucket, headers: decision.headers };
    }

    const fault = this.takeFault(method, path);
    if (fault) return { result: { status: fault.status, body: fault.body }, bucket: route.bucket, headers: { ...decision.headers, ...fault.headers } };

    const context: RouteContext = { method, params, query, body: isObject(body) ? body : {} };
    return { result: route.handle(context), bucket: route.bucket, headers: decision.headers };
  }

  private match(method: string, path: string): { route: Route; params: string[] } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (found) return { route, params: found.slice(1) };
    }
    return undefined;
  }

  private bucket(name: BucketName): RateBucket {
    let bucket = this.buckets.get(name);
    if (bucket === undefined) {
      bucket = new RateBucket(name, this.options.limits?.[name] ?? roomyLimit);
      this.buckets.set(name, bucket);
    }
    return bucket;
  }

  private takeFault(method: string, path: string): InjectedFault | undefined {
    const fault = this.faults.find((f) => (f.method === undefined || f.method === method) && f.path.test(path) && (f.times ?? 1) > 0);
    if (fault && fault.times !== undefined) fault.times -= 1;
    return fault;
  }

  private buildRoutes(): Route[] {
    const { ids } = this.options;
    const store = this.messages;
    const id = '(\\d+)';
    const token = '([^/]+)';
    const exact = (source: string) => new RegExp(`^${source}$`);

    const guildOf = (channelId: string) => (channelId === ids.dmChannel ? undefined : ids.guild);
    const knownChannel = (channelId: string) => [ids.channel, ids.otherChannel, ids.thread, ids.dmChannel].includes(channelId);
    const interaction = (interactionToken: string) => [...store.interactions.values()].find((i) => i.token === interactionToken);

    return [
      {
        method: 'GET',
        pattern: exact('/gateway/bot'),
        bucket: 'other',
        handle: () => ({
          status: 200,
          body: {
            url: this.options.gatewayUrl(),
            shards: 1,
            session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
          },
        }),
      },
      {
        method: 'POST',
        pattern: exact(`/channels/${id}/messages`),
        bucket: 'messageCreate',
        major: 0,
        handle: ({ params, body }) => {
          const channelId = params[0] as string;
          if (!knownChannel(channelId)) return apiError(404, 10003, 'Unknown Channel');
          const reference = isObject(body.message_reference) ? body.message_reference : undefined;
          const message = store.create({ kind: 'channel', channelId, guildId: guildOf(channelId), reference, interactionToken: undefined, body });
          this.options.onBotMessage?.(message);
          return { status: 200, body: store.toPayload(message) };
        },
      },
      {
        method: 'GET',
        pattern: exact(`/channels/${id}/messages/${id}`),
        bucket: 'other',
        major: 0,
        handle: ({ params }) => {
          const message = store.find(params[1] as string, params[0]);
          return message ? { status: 200, body: store.toPayload(message) } : apiError(404, 10008, 'Unknown Message');
        },
      },
      {
        method: 'PATCH',
        pattern: exact(`/channels/${id}/messages/${id}`),
        bucket: 'messageEdit',
        major: 0,
        handle: ({ params, body }) => {
          const message = store.find(params[1] as string, params[0]);
          if (message === undefined) return apiError(404, 10008, 'Unknown Message');
          store.edit(message, body);
          return { status: 200, body: store.toPayload(message) };
        },
      },
      {
        method: 'DELETE',
        pattern: exact(`/channels/${id}/messages/${id}`),
        bucket: 'messageDelete',
        major: 0,
        handle: ({ params }) => {
          const message = store.find(params[1] as string, params[0]);
          if (message === undefined) return apiError(404, 10008, 'Unknown Message');
          message.deleted = true;
          return { status: 204 };
        },
      },
      {
        method: 'POST',
        pattern: exact(`/channels/${id}/typing`),
        bucket: 'typing',
        major: 0,
        handle: ({ params }) => (knownChannel(params[0] as string) ? { status: 204 } : apiError(404, 10003, 'Unknown Channel')),
      },
      {
        method: 'POST',
        pattern: exact(`/interactions/${id}/${token}/callback`),
        tokenInPath: true,
        bucket: 'interactionCallback',
        major: 1,
        handle: ({ params, body, query }) => this.interactionCallback(params[0] as string, params[1] as string, body, query),
      },
      {
        method: 'PATCH',
        pattern: exact(`/webhooks/${id}/${token}/messages/(@original|\\d+)`),
        tokenInPath: true,
        bucket: 'webhookEdit',
        major: 1,
        handle: ({ params, body }) => {
          const found = interaction(params[1] as string);
          if (found === undefined) return apiError(404, 10015, 'Unknown Webhook');
          const messageId = params[2] === '@original' ? found.originalMessageId : params[2];
          const message = messageId === undefined ? undefined : store.find(messageId);
          if (message === undefined || message.interactionToken !== found.token) return apiError(404, 10008, 'Unknown Message');
          store.edit(message, body);
          return { status: 200, body: store.toPayload(message) };
        },
      },
      {
        method: 'POST',
        pattern: exact(`/webhooks/${id}/${token}`),
        tokenInPath: true,
        bucket: 'webhookCreate',
        major: 1,
        handle: ({ params, body }) => {
          const found = interaction(params[1] as string);
          if (found === undefined) return apiError(404, 10015, 'Unknown Webhook');
          const message = store.create({ kind: 'followup', channelId: found.channelId, guildId: found.guildId, reference: undefined, interactionToken: found.token, body });
          return { status: 200, body: store.toPayload(message) };
        },
      },
      {
        method: 'DELETE',
        pattern: exact(`/webhooks/${id}/${token}/messages/(@original|\\d+)`),
        tokenInPath: true,
        bucket: 'messageDelete',
        major: 1,
        handle: ({ params }) => {
          const found = interaction(params[1] as string);
          const messageId = params[2] === '@original' ? found?.originalMessageId : params[2];
          const message = messageId === undefined ? undefined : store.find(messageId);
          if (message === undefined) return apiError(404, 10008, 'Unknown Message');
          message.deleted = true;
          return { status: 204 };
        },
      },
      ...this.commandRoutes(),
    ];
  }

  /** Command registration: create (upsert by name) and bulk overwrite, global or per guild. */
  private commandRoutes(): Route[] {
    const id = '(\\d+)';
    const scopeOf = (params: string[]) => params[1] ?? 'global';
    const upsert = (scope: string, body: Record<string, unknown>) => {
      const index = this.commands.findIndex((c) => c.scope === scope && c.body.name === body.name);
      if (index >= 0) this.commands.splice(index, 1);
      this.commands.push({ scope, body });
      return { status: 201, body: { id: String(this.commands.length), application_id: this.options.ids.application, version: '1', ...body } };
    };
    return [
      { method: 'POST', pattern: new RegExp(`^/applications/${id}/commands$`), bucket: 'other', handle: ({ params, body }) => upsert(scopeOf(params), body) },
      { method: 'POST', pattern: new RegExp(`^/applications/${id}/guilds/${id}/commands$`), bucket: 'other', handle: ({ params, body }) => upsert(scopeOf(params), body) },
      { method: 'GET', pattern: new RegExp(`^/applications/${id}/(?:guilds/${id}/)?commands$`), bucket: 'other', handle: ({ params }) => ({ status: 200, body: this.commands.filter((c) => c.scope === scopeOf(params)).map((c) => c.body) }) },
    ];
  }

  /** POST /interactions/:id/:token/callback: message (4) or deferred message (5). */
  private interactionCallback(interactionId: string, interactionToken: string, body: Record<string, unknown>, query: URLSearchParams): RouteResult {
    const found = this.messages.interactions.get(interactionId);
    if (found === undefined || found.token !== interactionToken) return apiError(404, 10062, 'Unknown interaction');
    if (found.callbackType !== undefined) return apiError(400, 40060, 'Interaction has already been acknowledged.');

    const type = Number(body.type);
    if (type !== InteractionResponseType.ChannelMessageWithSource && type !== InteractionResponseType.DeferredChannelMessageWithSource) {
      return apiError(400, 50035, `Invalid Form Body: callback type ${type} is not supported by the stand-in`);
    }
    found.callbackType = type;
    const data = isObject(body.data) ? body.data : {};
    const messageBody = type === InteractionResponseType.DeferredChannelMessageWithSource ? { ...data, content: '', flags: (Number(data.flags) || 0) | MessageFlags.Loading } : data;
    const message = this.messages.create({ kind: 'interaction-original', channelId: found.channelId, guildId: found.guildId, reference: undefined, interactionToken, body: messageBody });
    found.originalMessageId = message.id;

    if (query.get('with_response') !== 'true') return { status: 204 };
    return {
      status: 200,
      body: {
        interaction: { id: found.id, type: 2, activity_instance_id: null, response_message_id: message.id, response_message_loading: type === 5, response_message_ephemeral: false },
        resource: { type, message: this.messages.toPayload(message) },
      },
    };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a JSON request body; other bodies (e.g. multipart) are recorded as undefined. */
async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (chunks.length === 0 || !String(request.headers['content-type'] ?? '').includes('application/json')) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
