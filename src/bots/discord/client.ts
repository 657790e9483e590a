// The discord.js client as ragbot configures it: intents from the config,
// REST at DISCORD_REST_URL with a timeout and bounded retries, mentions that
// never ping, and small caches.
import { Client, GatewayIntentBits, Options, Partials, type ClientOptions } from 'discord.js';
import type { Config } from '../../config.js';
import { DiscordLoginError } from './api-errors.js';
import { rejectPacedEdits } from './rest-observer.js';

/** Milliseconds before a REST request is aborted (and retried, up to `restRetries` times). */
const restTimeoutMs = 15_000;
/** Retries of a REST request after a network error or a 5xx response. */
const restRetries = 2;

/** Gateway intents: guilds, guild messages and DMs, plus the privileged ones the config turns on. */
export function discordIntents(config: Config): GatewayIntentBits[] {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages];
  if (config.discordMessageContentIntent ?? true) intents.push(GatewayIntentBits.MessageContent);
  if (config.discordPresenceIntent ?? false) intents.push(GatewayIntentBits.GuildPresences);
  return intents;
}

/** Creates the client; `overrides` (tests) replace options, and `overrides.rest` is merged into the REST options. */
export function createClient(config: Config, overrides: Partial<ClientOptions> = {}): Client {
  const { rest: restOverrides, ...otherOverrides } = overrides;
  return new Client({
    intents: discordIntents(config),
    // DM channels are not cached, so their messages only arrive with the Channel partial.
    partials: [Partials.Channel],
    allowedMentions: { parse: [], repliedUser: false },
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 25 }),
    ...otherOverrides,
    rest: {
      api: config.discordRestUrl,
      timeout: restTimeoutMs,
      retries: restRetries,
      // NOTE: only paced edits are rejected on a rate limit (the pacer retries them at most 3 times).
      // Other requests (posts, typing, command registration) are left to discord.js, which waits out
      // each 429 and retries it with no cap on the number of attempts.
      rejectOnRateLimit: rejectPacedEdits,
      ...restOverrides,
    },
  });
}

/** Gateway close codes that end the connection for good, with what the operator should change. */
const fatalCloseCodes: Record<number, { problem: string; fix: string }> = {
  4004: { problem: 'Discord rejected DISCORD_TOKEN.', fix: 'Copy a fresh token from the Developer Portal (Bot > Reset Token) into DISCORD_TOKEN.' },
  4013: { problem: 'Discord rejected the gateway intents as invalid.', fix: 'Upgrade ragbot; this is a bug.' },
  4014: {
    problem: 'Discord rejected a privileged intent that the application has not enabled.',
    fix: 'Enable Message Content (and Presence, if DISCORD_PRESENCE_INTENT is true) under Developer Portal > Bot > Privileged Gateway Intents, or set DISCORD_MESSAGE_CONTENT_INTENT=false and DISCORD_PRESENCE_INTENT=false.',
  },
};

/** Returns the login error for a gateway close code. */
export function closeCodeError(code: number): DiscordLoginError {
  const known = fatalCloseCodes[code];
  if (known) return new DiscordLoginError(known.problem, known.fix, { closeCode: code });
  return new DiscordLoginError(`The Discord gateway closed the connection with code ${code}.`, 'Check the Discord status page, then restart.', { closeCode: code });
}

/** Returns the login error for a failed `client.login()`. */
export function loginError(error: unknown): DiscordLoginError {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'TokenInvalid') return closeCodeError(4004);
  const message = error instanceof Error ? error.message : String(error);
  return new DiscordLoginError(`Failed to connect to Discord: ${message}.`, 'Check network access to DISCORD_REST_URL and that DISCORD_TOKEN is a bot token.', { cause: error });
}
