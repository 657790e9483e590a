// The Slack adapter: a Bolt app that answers the slash command, mentions in
// channels (in the mention's thread) and direct messages with streamed, cited
// answers. In HTTP mode Bolt's HTTPReceiver verifies each request's signature
// and its request listener is mounted on the service's one HTTP server at
// POST /slack/events; with an app token it uses Socket Mode instead.
import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Config } from '../../config.js';
import type { AnswerEngine, AskRequest } from '../../engine/types.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { AdapterState, HttpRoute, PlatformAdapter } from '../adapter.js';
import { runAnswer } from './answer-runner.js';
import { boltLogger } from './bolt-logger.js';
import { SlackSetupError } from './errors.js';
import { defaultMaxMessageChars } from './format.js';
import { QuestionHandlers } from './handlers.js';
import { WorkspaceBudgets, type PacedMethod, type RateLimit } from './rate-budget.js';
import { ResponseUrlClient } from './response-url.js';
import { SlackApi, webClientOptions } from './web-api.js';
import { StreamingSupport, type AnswerWriter } from './writer.js';

/** Path of the Events API and slash command requests on the service's HTTP server. */
export const slackEventsPath = '/slack/events';

/** Options of `createSlackAdapter`. */
export interface SlackAdapterOptions {
  config: Config;
  logger: Logger;
  engine: AnswerEngine;
  metrics?: Metrics;
  /** Web API budgets per method and workspace; defaults follow Slack's rate-limit tiers (`defaultRateLimits`). */
  rateLimits?: Partial<Record<PacedMethod, RateLimit>>;
  /** Minimum time between two live edits of one message, in milliseconds; default 1000. */
  editIntervalMs?: number;
  /** Maximum characters of one answer message before it continues in the thread; default 3900. */
  maxMessageChars?: number;
  /** Timeout of one Web API request, in milliseconds; default 10,000. */
  apiTimeoutMs?: number;
  /** Timeout of one response_url post, in milliseconds; default 10,000. */
  responseUrlTimeoutMs?: number;
  /**
   * Time before the stop deadline at which unfinished answers are cut, so that
   * their last edit lands in time; default 2000 ms, which covers the wait for
   * one chat.update token at the default budget (about 1.3 s).
   */
  stopMarginMs?: number;
  /** fetch used for response_url posts; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** Creates the Slack adapter; throws `SlackSetupError` when the token or the signing secret is missing. */
export function createSlackAdapter(options: SlackAdapterOptions): PlatformAdapter {
  return new SlackAdapter(options);
}

/** Slack adapter over Bolt, in HTTP mode or Socket Mode. */
class SlackAdapter implements PlatformAdapter {
  readonly platform = 'slack';
  readonly routes?: HttpRoute[];
  private currentState: AdapterState = 'starting';
  private readonly app: App;
  private readonly receiver: HTTPReceiver | SocketModeReceiver;
  private readonly logger: Logger;
  private readonly tasks = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private accepting = true;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: SlackAdapterOptions) {
    const { config } = options;
    this.logger = options.logger.child({ component: 'slack' });
    const settings = validateOptions(options);
    // Every answer in flight listens on the shutdown signal.
    setMaxListeners(0, this.shutdown.signal);

    const log = boltLogger(options.logger);
    const clientOptions = webClientOptions({ slackApiUrl: config.slackApiUrl, timeoutMs: settings.apiTimeoutMs });
    this.receiver = config.slackAppToken
      ? new SocketModeReceiver({ appToken: config.slackAppToken, logger: log, installerOptions: { clientOptions } })
      : new HTTPReceiver({ signingSecret: config.slackSigningSecret!, endpoints: slackEventsPath, logger: log, processBeforeResponse: false });
    this.app = new App({ token: config.slackBotToken, receiver: this.receiver, logger: log, clientOptions, deferInitialization: true });

    const api = new SlackApi({ client: this.app.client, budgets: new WorkspaceBudgets({ rateLimits: options.rateLimits }), logger: this.logger, metrics: options.metrics });
    const responseUrls = new ResponseUrlClient({ logger: this.logger, metrics: options.metrics, timeoutMs: settings.responseUrlTimeoutMs, fetch: options.fetch });
    const handlers = new QuestionHandlers({
      command: config.slackCommand,
      writerContext: { api, logger: this.logger, maxMessageChars: settings.maxMessageChars, editIntervalMs: settings.editIntervalMs },
      responseUrls,
      streaming: new StreamingSupport(this.logger),
      logger: this.logger,
      accepting: () => this.accepting,
      launch: (request, writer, ids) => this.launch(request, writer, ids),
    });
    handlers.register(this.app);
    this.app.error(async (error) => {
      this.logger.error({ err: error }, 'A Slack listener failed');
    });

    if (this.receiver instanceof HTTPReceiver) {
      const receiver = this.receiver;
      this.routes = [{ method: 'POST', path: slackEventsPath, handle: (request, response) => this.handleRequest(receiver, request, response) }];
    }
  }

  start(): Promise<void> {
    this.starting ??= this.connect();
    return this.starting;
  }

  stop(deadline: number): Promise<void> {
    this.stopping ??= this.drain(deadline);
    return this.stopping;
  }

  state(): AdapterState {
    return this.currentState;
  }

  inFlight(): number {
    return this.tasks.size;
  }

  // Checks the bot token (auth.test) and, in Socket Mode, opens the connection.
  private async connect(): Promise<void> {
    this.currentState = 'starting';
    try {
      await this.app.init();
      if (this.receiver instanceof SocketModeReceiver) {
        this.watchSocket(this.receiver);
        await this.app.start();
      }
      this.currentState = 'connected';
      this.logger.info({ mode: this.receiver instanceof HTTPReceiver ? 'http' : 'socket' }, 'Slack adapter ready');
    } catch (error) {
      this.currentState = 'failed';
      throw setupError(error);
    }
  }

  // NOTE: Socket Mode is not tested here (no Slack to connect to); only its connection state is tracked.
  private watchSocket(receiver: SocketModeReceiver): void {
    receiver.client.on('connected', () => this.setLiveState('connected'));
    receiver.client.on('reconnecting', () => this.setLiveState('reconnecting'));
    receiver.client.on('disconnected', () => this.setLiveState('disconnected'));
  }

  private setLiveState(state: AdapterState): void {
    if (this.currentState === 'stopped' || this.currentState === 'failed') return;
    this.currentState = state;
  }

  private handleRequest(receiver: HTTPReceiver, request: IncomingMessage, response: ServerResponse): void {
    if (this.currentState !== 'connected') {
      request.resume();
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '10' });
      response.end(JSON.stringify({ error: `The Slack adapter is ${this.currentState}; Slack retries this event later.` }));
      return;
    }
    // Bolt verifies the signature and timestamp and answers 401 before any listener runs.
    receiver.requestListener(request, response);
  }

  private launch(request: Omit<AskRequest, 'signal'>, writer: AnswerWriter, ids: Record<string, string | undefined>): void {
    const task = runAnswer({
      engine: this.options.engine,
      request,
      writer,
      logger: this.logger.child(ids),
      shutdown: this.shutdown.signal,
    }).finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  // Stops taking questions, lets answers finish until shortly before the deadline, then cuts the rest with a note.
  private async drain(deadline: number): Promise<void> {
    this.accepting = false;
    const margin = this.options.stopMarginMs ?? 2000;
    await settleWithin([...this.tasks], deadline - margin - Date.now());

    if (this.tasks.size > 0) {
      this.logger.info({ answers: this.tasks.size }, 'Stopping: cutting unfinished Slack answers short');
      this.shutdown.abort(new Error('The Slack adapter is stopping'));
      await settleWithin([...this.tasks], Math.max(margin, deadline - Date.now()));
    }
    if (this.tasks.size > 0) this.logger.warn({ answers: this.tasks.size }, 'Stopping: some Slack answers did not finish before the deadline');

    if (this.receiver instanceof SocketModeReceiver && this.currentState !== 'failed' && this.starting) {
      await this.app.stop().catch((error: unknown) => this.logger.warn({ err: error }, 'Closing the Slack Socket Mode connection failed'));
    }
    this.currentState = 'stopped';
  }
}

/** Resolved option values with defaults. */
interface Settings {
  editIntervalMs: number;
  maxMessageChars: number;
  apiTimeoutMs: number;
  responseUrlTimeoutMs: number;
}

function validateOptions(options: SlackAdapterOptions): Settings {
  const { config } = options;
  if (!config.slackBotToken) {
    throw new SlackSetupError('Expected SLACK_BOT_TOKEN to be set: copy the Bot User OAuth Token (xoxb-…) from the Slack app page, OAuth & Permissions.');
  }
  if (!config.slackAppToken && !config.slackSigningSecret) {
    throw new SlackSetupError('Expected SLACK_SIGNING_SECRET to be set for HTTP mode (Basic Information > Signing Secret), or SLACK_APP_TOKEN for Socket Mode.');
  }
  const settings: Settings = {
    editIntervalMs: options.editIntervalMs ?? 1000,
    maxMessageChars: options.maxMessageChars ?? defaultMaxMessageChars,
    apiTimeoutMs: options.apiTimeoutMs ?? 10_000,
    responseUrlTimeoutMs: options.responseUrlTimeoutMs ?? 10_000,
  };
  checkRange('editIntervalMs', settings.editIntervalMs, 0, 60_000);
  checkRange('maxMessageChars', settings.maxMessageChars, 500, 12_000);
  checkRange('apiTimeoutMs', settings.apiTimeoutMs, 100, 120_000);
  checkRange('responseUrlTimeoutMs', settings.responseUrlTimeoutMs, 100, 120_000);
  if (options.stopMarginMs !== undefined) checkRange('stopMarginMs', options.stopMarginMs, 0, 60_000);
  return settings;
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`Expected \`${name}\` to be a number from ${min} to ${max}, got ${value}`);
  }
}

/** Turns a start-up failure (usually auth.test) into an error whose message names what to fix. */
function setupError(error: unknown): Error {
  if (error instanceof webApi.WebAPIPlatformError) {
    const code = error.data.error;
    const hint = ['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired'].includes(code)
      ? 'Check SLACK_BOT_TOKEN: copy the Bot User OAuth Token from the Slack app page, OAuth & Permissions, and reinstall the app if it was revoked.'
      : 'Check the Slack app settings and SLACK_API_URL.';
    return new SlackSetupError(`Slack rejected the bot token check (auth.test: ${code}). ${hint}`, code, { cause: error });
  }
  if (error instanceof webApi.WebAPIRequestError || error instanceof webApi.WebAPIHTTPError) {
    return new SlackSetupError(`Slack's Web API could not be reached (${error.message}). Check the network and SLACK_API_URL.`, error.code, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Waits until every promise settled or `ms` passed, whichever comes first. */
async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, ms))));
  await Promise.race([Promise.allSettled(promises), timeout]);
  clearTimeout(timer);
}
