// The one configuration module. Reads environment variables (a `.env` file
// fills in what the environment lacks), validates all of them at start-up and
// fails with one message per bad variable: its name, the problem and the fix.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';

/** Root folder of the installed package (where package.json is). */
export const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** Walks up from `start` to the folder with package.json; works from `src/` (tsx) and `dist/` alike. */
function findPackageRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
  return dir;
}

/** Knowledge base bundled with ragbot: its own README and docs. */
export const bundledKnowledgeDir = path.join(packageRoot, 'knowledge');

/** Embedding dtypes that transformers.js accepts for ONNX weights. */
export const embeddingDtypes = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;

/** Validated configuration of the whole service. */
export interface Config {
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  port: number;
  dataDir: string;
  knowledgeDir: string;
  /** Links for sources: folder prefix (e.g. `hub/`) to base URL. */
  sourceBaseUrls: Record<string, string>;

  embeddingModel: string;
  embeddingDtype: (typeof embeddingDtypes)[number];
  modelsDir: string | undefined;
  modelsCacheDir: string | undefined;
  allowRemoteModels: boolean;
  embeddingBatchSize: number;
  chunkTokens: number;
  chunkOverlapTokens: number;
  hnswThreshold: number;
  searchMode: 'dense' | 'lexical' | 'hybrid';
  searchTopK: number;
  /** Knowledge base: share of a query's IDF weight a chunk must contain to count as lexical evidence (0 to 1). */
  minLexicalCoverage: number;
  /** Knowledge base: cosine a chunk must reach to count as dense evidence; unset uses the index's calibrated background. */
  minDenseScore: number | undefined;

  hfToken: string | undefined;
  llmModel: string;
  llmProvider: string;
  llmEndpointUrl: string | undefined;
  llmMaxRetries: number;

  maxConcurrentAnswers: number;
  maxConcurrentEmbeddings: number;
  maxQueue: number;
  maxQuestionChars: number;
  sessionMax: number;
  sessionTtlMs: number;
  sessionMaxTokens: number;
  answerCacheMax: number;
  answerCacheTtlMs: number;
  embeddingCacheMax: number;

  discordToken: string | undefined;
  discordGuildId: string | undefined;
  discordRestUrl: string;
  discordEditFloorMs: number;

  slackBotToken: string | undefined;
  slackSigningSecret: string | undefined;
  slackAppToken: string | undefined;
  slackApiUrl: string;
  slackCommand: string;

  adminToken: string | undefined;
  shutdownGraceMs: number;

  // Serving (`ragbot serve`).
  /** Address the HTTP server binds to: 0.0.0.0 in a container, 127.0.0.1 for local-only use. */
  host?: string;
  /** When serve ingests KNOWLEDGE_DIR at start: `auto` only without an index, `always` every start (incremental), `never`. */
  ingestOnStart?: 'auto' | 'always' | 'never';

  // Discord gateway intents.
  /**
   * Requests the privileged Message Content intent (default true). Without it
   * Discord sends guild message text only when the message mentions the bot
   * user, so mentions of the bot's role go unseen.
   */
  discordMessageContentIntent?: boolean;
  /** Requests the privileged Guild Presences intent, so answers to askers on a phone use the compact profile (default false). */
  discordPresenceIntent?: boolean;

  // Language model credentials.
  /** Bearer token sent to LLM_ENDPOINT_URL; without it a custom endpoint gets HF_TOKEN only when it is a Hugging Face host. */
  llmEndpointToken?: string | undefined;
}

/** One invalid variable: its name, what is wrong, and how to fix it. */
export interface ConfigIssue {
  variable: string;
  problem: string;
  fix: string;
}

/** Thrown by `loadConfig` with every invalid variable at once. Never contains a secret's value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly issues: ConfigIssue[]) {
    super(['Invalid configuration:', ...issues.map((i) => `  ${i.variable}: ${i.problem}. ${i.fix}`)].join('\n'));
  }
}

/** Variables whose values are secrets: never logged, printed redacted. */
export const secretVariables = ['HF_TOKEN', 'LLM_ENDPOINT_TOKEN', 'DISCORD_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'ADMIN_TOKEN'] as const;

type Env = Record<string, string | undefined>;

/** Reads variables one by one and collects problems instead of stopping at the first. */
class EnvReader {
  readonly issues: ConfigIssue[] = [];

  constructor(private readonly env: Env) {}

  /** Returns the trimmed value, or undefined when unset or blank. */
  raw(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `from ${min} and up` : `from ${min} to ${max}`;
      this.issue(name, `expected a whole number ${range}, got "${value}"`, `Set ${name} to a number ${range}, or unset it to use ${fallback}.`);
      return fallback;
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.issue(name, `expected true or false, got "${value}"`, `Set ${name} to true or false.`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.issue(name, `"${value}" is not one of ${allowed.join(', ')}`, `Set ${name} to one of those values.`);
    return fallback;
  }

  /**
   * An http or https URL without a user name or password, because a credential in a URL
   * shows up in logs and error messages. `credentialFix` says where the credential goes instead.
   */
  url(name: string, fallback: string, credentialFix?: string): string;
  url(name: string, fallback: undefined, credentialFix?: string): string | undefined;
  url(name: string, fallback: string | undefined, credentialFix?: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return fallback;

    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      parsed = new URL('invalid:');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      this.issue(name, `"${withoutUserinfo(value)}" is not an http or https URL`, `Set ${name} to a full URL such as https://example.com/api.`);
      return fallback;
    }
    if (hasUserinfo(parsed)) {
      const fix = credentialFix ?? 'Servers that need a credential get it from their own token variable.';
      this.issue(name, `"${withoutUserinfo(value)}" contains a user name or password`, `Remove the user name and password from ${name}. ${fix}`);
      return fallback;
    }
    return value;
  }

  /** A secret: checked for shape only, and never echoed in a message. */
  secret(name: string, check?: { prefix: string; hint: string }): string | undefined {
    const value = this.raw(name);
    if (value !== undefined && check && !value.startsWith(check.prefix)) {
      this.issue(name, `the value does not start with "${check.prefix}"`, check.hint);
    }
    return value;
  }

  issue(variable: string, problem: string, fix: string): void {
    this.issues.push({ variable, problem, fix });
  }
}

/** Returns true when a URL has a user name or password (`https://user:pw@host/`). */
function hasUserinfo(url: URL): boolean {
  return url.username !== '' || url.password !== '';
}

/** Returns `value` with the user name and password of a URL replaced by `***`, for messages; also for text that does not parse as a URL. */
export function withoutUserinfo(value: string): string {
  return value.replace(/^([a-z][a-z\d+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/** Parses `hub/=https://huggingface.co/docs/hub/,inference-providers/=https://...` into a prefix map. */
function readSourceBaseUrls(reader: EnvReader): Record<string, string> {
  const value = reader.raw('SOURCE_BASE_URLS');
  const result: Record<string, string> = {};
  if (value === undefined) return result;

  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const separator = entry.indexOf('=');
    const prefix = separator > 0 ? entry.slice(0, separator).trim() : '';
    const url = separator > 0 ? entry.slice(separator + 1).trim() : '';
    if (!prefix || !/^https?:\/\//.test(url)) {
      reader.issue('SOURCE_BASE_URLS', `entry "${withoutUserinfo(entry)}" is not of the form folder/=https://...`, 'Write comma-separated entries such as hub/=https://huggingface.co/docs/hub/.');
      continue;
    }
    if (withoutUserinfo(url) !== url) {
      reader.issue('SOURCE_BASE_URLS', `the URL of entry "${prefix}" contains a user name or password`, 'Remove the user name and password: these links are shown to everyone who reads an answer.');
      continue;
    }
    result[prefix] = url;
  }
  return result;
}

/** Knowledge base: reads a decimal number from `min` to `max`; undefined when unset. */
function readFraction(reader: EnvReader, name: string, min: number, max: number): number | undefined {
  const value = reader.raw(name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^-?\d+(\.\d+)?$/.test(value) || parsed < min || parsed > max) {
    reader.issue(name, `expected a number from ${min} to ${max}, got "${value}"`, `Set ${name} to a decimal number from ${min} to ${max}, e.g. 0.5, or unset it.`);
    return undefined;
  }
  return parsed;
}

/** Reads a `.env` file into a plain object; missing file gives an empty one. */
export function readDotenv(file: string): Env {
  if (!existsSync(file)) return {};
  return parseDotenv(readFileSync(file));
}

/**
 * Builds the configuration from `env` (default: `process.env` over `./.env`).
 * Throws `ConfigError` naming every invalid variable.
 */
export function loadConfig(env?: Env): Config {
  const source: Env = env ?? { ...readDotenv(path.resolve('.env')), ...process.env };
  const r = new EnvReader(source);
  const minutes = 60_000;

  const config: Config = {
    logLevel: r.oneOf('LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const, 'info'),
    port: r.integer('PORT', 7860, 0, 65535),
    dataDir: path.resolve(r.string('DATA_DIR', './data')),
    knowledgeDir: path.resolve(r.string('KNOWLEDGE_DIR', bundledKnowledgeDir)),
    sourceBaseUrls: readSourceBaseUrls(r),

    embeddingModel: r.string('EMBEDDING_MODEL', 'Xenova/all-MiniLM-L6-v2'),
    embeddingDtype: r.oneOf('EMBEDDING_DTYPE', embeddingDtypes, 'q8'),
    modelsDir: r.optional('MODELS_DIR'),
    modelsCacheDir: r.optional('MODELS_CACHE_DIR'),
    allowRemoteModels: r.boolean('ALLOW_REMOTE_MODELS', true),
    embeddingBatchSize: r.integer('EMBEDDING_BATCH_SIZE', 8, 1, 1024),
    chunkTokens: r.integer('CHUNK_TOKENS', 200, 32, 256),
    chunkOverlapTokens: r.integer('CHUNK_OVERLAP_TOKENS', 32, 0, 128),
    hnswThreshold: r.integer('HNSW_THRESHOLD', 50_000, 1),
    searchMode: r.oneOf('SEARCH_MODE', ['dense', 'lexical', 'hybrid'] as const, 'hybrid'),
    searchTopK: r.integer('SEARCH_TOP_K', 5, 1, 50),
    minLexicalCoverage: readFraction(r, 'MIN_LEXICAL_COVERAGE', 0, 1) ?? 0.25,
    minDenseScore: readFraction(r, 'MIN_DENSE_SCORE', -1, 1),

    hfToken: r.secret('HF_TOKEN', { prefix: 'hf_', hint: 'Copy a token from https://huggingface.co/settings/tokens; it starts with hf_.' }),
    llmModel: r.string('LLM_MODEL', 'Qwen/Qwen2.5-7B-Instruct'),
    llmProvider: r.string('LLM_PROVIDER', 'auto'),
    llmEndpointUrl: r.url('LLM_ENDPOINT_URL', undefined, 'Put the credential in LLM_ENDPOINT_TOKEN, which is sent as a Bearer token.'),
    llmMaxRetries: r.integer('LLM_MAX_RETRIES', 3, 0, 10),

    maxConcurrentAnswers: r.integer('MAX_CONCURRENT_ANSWERS', 4, 1, 256),
    maxConcurrentEmbeddings: r.integer('MAX_CONCURRENT_EMBEDDINGS', 1, 1, 64),
    maxQueue: r.integer('MAX_QUEUE', 20, 0, 10_000),
    maxQuestionChars: r.integer('MAX_QUESTION_CHARS', 1000, 10, 20_000),
    sessionMax: r.integer('SESSION_MAX', 5000, 1),
    sessionTtlMs: r.integer('SESSION_TTL_MINUTES', 60, 1) * minutes,
    sessionMaxTokens: r.integer('SESSION_MAX_TOKENS', 1500, 0, 32_000),
    answerCacheMax: r.integer('ANSWER_CACHE_MAX', 500, 0),
    answerCacheTtlMs: r.integer('ANSWER_CACHE_TTL_MINUTES', 360, 1) * minutes,
    embeddingCacheMax: r.integer('EMBEDDING_CACHE_MAX', 2000, 0),

    discordToken: r.secret('DISCORD_TOKEN'),
    discordGuildId: r.optional('DISCORD_GUILD_ID'),
    discordRestUrl: r.url('DISCORD_REST_URL', 'https://discord.com/api'),
    discordEditFloorMs: r.integer('DISCORD_EDIT_FLOOR_MS', 1000, 100, 60_000),

    slackBotToken: r.secret('SLACK_BOT_TOKEN', { prefix: 'xoxb-', hint: 'Use the Bot User OAuth Token from the Slack app page (OAuth & Permissions); it starts with xoxb-.' }),
    slackSigningSecret: r.secret('SLACK_SIGNING_SECRET'),
    slackAppToken: r.secret('SLACK_APP_TOKEN', { prefix: 'xapp-', hint: 'Use an app-level token with the connections:write scope (Basic Information); it starts with xapp-.' }),
    slackApiUrl: r.url('SLACK_API_URL', 'https://slack.com/api/'),
    slackCommand: r.string('SLACK_COMMAND', '/ask'),

    adminToken: r.secret('ADMIN_TOKEN'),
    shutdownGraceMs: r.integer('SHUTDOWN_GRACE_MS', 20_000, 0, 600_000),

    host: r.string('HOST', '0.0.0.0'),
    ingestOnStart: r.oneOf('INGEST_ON_START', ['auto', 'always', 'never'] as const, 'auto'),

    discordMessageContentIntent: r.boolean('DISCORD_MESSAGE_CONTENT_INTENT', true),
    discordPresenceIntent: r.boolean('DISCORD_PRESENCE_INTENT', false),

    llmEndpointToken: r.secret('LLM_ENDPOINT_TOKEN'),
  };

  // Checks that span several variables.
  if (config.chunkOverlapTokens >= config.chunkTokens) {
    r.issue('CHUNK_OVERLAP_TOKENS', `${config.chunkOverlapTokens} is not smaller than CHUNK_TOKENS (${config.chunkTokens})`, 'Set CHUNK_OVERLAP_TOKENS well below CHUNK_TOKENS, e.g. 32.');
  }
  if (!config.slackCommand.startsWith('/')) {
    r.issue('SLACK_COMMAND', `"${config.slackCommand}" does not start with /`, 'Set SLACK_COMMAND to the slash command as registered in Slack, e.g. /ask.');
  }
  if (!config.slackBotToken && (config.slackSigningSecret || config.slackAppToken)) {
    const others = [config.slackSigningSecret ? 'SLACK_SIGNING_SECRET' : '', config.slackAppToken ? 'SLACK_APP_TOKEN' : ''].filter(Boolean).join(' and ');
    r.issue('SLACK_BOT_TOKEN', `missing while ${others} ${others.includes(' and ') ? 'are' : 'is'} set`, `Set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-..., on the Slack app's OAuth & Permissions page), or unset ${others} to keep Slack off.`);
  }
  if (config.slackBotToken && !config.slackSigningSecret && !config.slackAppToken) {
    r.issue('SLACK_SIGNING_SECRET', 'missing while SLACK_BOT_TOKEN is set', 'Set SLACK_SIGNING_SECRET (Basic Information > Signing Secret) for HTTP mode, or SLACK_APP_TOKEN for Socket Mode.');
  }

  if (config.llmEndpointToken !== undefined && config.llmEndpointUrl === undefined) {
    r.issue('LLM_ENDPOINT_TOKEN', 'set while LLM_ENDPOINT_URL is missing', 'Set LLM_ENDPOINT_URL to the server the token is for, or unset LLM_ENDPOINT_TOKEN. Inference Providers use HF_TOKEN.');
  }

  checkServeSettings(r, config);
  checkDiscordSettings(r, config);

  if (r.issues.length > 0) throw new ConfigError(r.issues);
  return config;
}

/** Checks of the serving settings: bind address and admin token strength. */
function checkServeSettings(r: EnvReader, config: Config): void {
  const host = config.host ?? '';
  if (!/^[\w.:-]+$/.test(host)) {
    r.issue('HOST', `"${host}" is not a host name or IP address`, 'Set HOST to 0.0.0.0 (all interfaces, as in a container) or 127.0.0.1 (this machine only).');
  }
  // A short token can be guessed over HTTP; 16 characters is a floor, not a recommendation.
  if (config.adminToken !== undefined && config.adminToken.length < 16) {
    r.issue('ADMIN_TOKEN', 'the value is shorter than 16 characters', 'Set ADMIN_TOKEN to a long random string, e.g. the output of `openssl rand -hex 32`, or unset it to turn the admin API off.');
  }
}

/** Checks of the Discord settings: the guild id must be a snowflake. */
function checkDiscordSettings(r: EnvReader, config: Config): void {
  if (config.discordGuildId !== undefined && !/^\d{17,20}$/.test(config.discordGuildId)) {
    r.issue('DISCORD_GUILD_ID', `"${config.discordGuildId}" is not a Discord id (17 to 20 digits)`, 'Copy the server id (Developer Mode, right-click the server, Copy Server ID), or unset DISCORD_GUILD_ID to register /ask globally.');
  }
}

/**
 * Returns the configuration with every secret replaced by `[set]` or `[unset]`, for `ragbot config`.
 * A user name or password in a URL is masked too, for a `Config` built without `loadConfig`.
 */
export function redactConfig(config: Config): Record<string, unknown> {
  const secretKeys = new Set(['hfToken', 'llmEndpointToken', 'discordToken', 'slackBotToken', 'slackSigningSecret', 'slackAppToken', 'adminToken']);
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => {
      if (secretKeys.has(key)) return [key, value ? '[set]' : '[unset]'];
      return [key, redactUrls(value)];
    }),
  );
}

/** Masks the userinfo of URL strings, also inside the `sourceBaseUrls` map. */
function redactUrls(value: unknown): unknown {
  if (typeof value === 'string') return withoutUserinfo(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactUrls(inner)]));
  }
  return value;
}
