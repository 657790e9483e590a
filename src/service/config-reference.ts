// Documentation of every configuration variable: the source of `ragbot config`
// output and of the README's variable table (`npx tsx scripts/config-table.ts`).
// A test checks that each documented default is what `loadConfig` really uses.
import type { Config } from '../config.js';

/** Documentation of one environment variable. */
export interface VariableDoc {
  variable: string;
  /** Field of `Config` that the variable sets. */
  key: keyof Config;
  /** Default in the variable's own form (e.g. minutes), or undefined when unset by default. */
  default: string | undefined;
  /** Default in words when it is not a literal value, e.g. a folder inside the package. */
  defaultNote?: string;
  description: string;
  /** Unit of the variable when `Config` stores the value in milliseconds. */
  unit?: 'minutes';
  secret?: boolean;
}

/** Section headings of the reference, in order. */
export const configSections = ['Service', 'Knowledge base and retrieval', 'Language model', 'Answers, sessions and caches', 'Discord', 'Slack', 'Admin and shutdown'] as const;

type Section = (typeof configSections)[number];

const docs: Array<VariableDoc & { section: Section }> = [
  // Service
  { section: 'Service', variable: 'LOG_LEVEL', key: 'logLevel', default: 'info', description: 'Log level: trace, debug, info, warn, error, fatal or silent.' },
  { section: 'Service', variable: 'PORT', key: 'port', default: '7860', description: 'HTTP port for /healthz, /readyz, /metrics, /admin and /slack/events. 0 picks a free port and logs it.' },
  { section: 'Service', variable: 'HOST', key: 'host', default: '0.0.0.0', description: 'Address the HTTP server binds to; 127.0.0.1 keeps it local to the machine.' },
  { section: 'Service', variable: 'DATA_DIR', key: 'dataDir', default: './data', description: 'Folder for the index and saved sessions; must be writable. Relative paths start at the working directory.' },
  { section: 'Service', variable: 'KNOWLEDGE_DIR', key: 'knowledgeDir', default: undefined, defaultNote: 'the bundled `knowledge/` folder', description: 'Folder of documents that `ragbot serve` and `ragbot ingest` ingest.' },
  { section: 'Service', variable: 'INGEST_ON_START', key: 'ingestOnStart', default: 'auto', description: '`auto` ingests KNOWLEDGE_DIR at start when DATA_DIR has no index, `always` at every start (only changed files are embedded again), `never` skips it.' },

  // Knowledge base and retrieval
  { section: 'Knowledge base and retrieval', variable: 'SOURCE_BASE_URLS', key: 'sourceBaseUrls', default: undefined, description: 'Links for cited sources: comma-separated `folder/=https://base/` entries.' },
  { section: 'Knowledge base and retrieval', variable: 'EMBEDDING_MODEL', key: 'embeddingModel', default: 'Xenova/all-MiniLM-L6-v2', description: 'Embedding model id (transformers.js, ONNX weights).' },
  { section: 'Knowledge base and retrieval', variable: 'EMBEDDING_DTYPE', key: 'embeddingDtype', default: 'q8', description: 'Weight type of the embedding model: fp32, fp16, q8, int8, uint8, q4, q4f16 or bnb4.' },
  { section: 'Knowledge base and retrieval', variable: 'MODELS_DIR', key: 'modelsDir', default: undefined, description: 'Local folder searched for models before any download.' },
  { section: 'Knowledge base and retrieval', variable: 'MODELS_CACHE_DIR', key: 'modelsCacheDir', default: undefined, defaultNote: "transformers.js's own cache folder", description: 'Writable folder where downloaded models are cached.' },
  { section: 'Knowledge base and retrieval', variable: 'ALLOW_REMOTE_MODELS', key: 'allowRemoteModels', default: 'true', description: 'Allow downloading models from the Hugging Face Hub.' },
  { section: 'Knowledge base and retrieval', variable: 'EMBEDDING_BATCH_SIZE', key: 'embeddingBatchSize', default: '8', description: 'Chunks embedded per batch during ingest. Larger batches raise peak memory and, on 2 CPU cores, were not faster.' },
  { section: 'Knowledge base and retrieval', variable: 'CHUNK_TOKENS', key: 'chunkTokens', default: '200', description: 'Chunk size in model tokens (32 to 256).' },
  { section: 'Knowledge base and retrieval', variable: 'CHUNK_OVERLAP_TOKENS', key: 'chunkOverlapTokens', default: '32', description: 'Tokens shared by neighbouring chunks; must be below CHUNK_TOKENS.' },
  { section: 'Knowledge base and retrieval', variable: 'HNSW_THRESHOLD', key: 'hnswThreshold', default: '50000', description: 'Chunk count from which the FAISS index is HNSW instead of exact search.' },
  { section: 'Knowledge base and retrieval', variable: 'SEARCH_MODE', key: 'searchMode', default: 'hybrid', description: 'Retrieval mode: dense, lexical or hybrid.' },
  { section: 'Knowledge base and retrieval', variable: 'SEARCH_TOP_K', key: 'searchTopK', default: '5', description: 'Passages retrieved per question (1 to 50).' },
  { section: 'Knowledge base and retrieval', variable: 'MIN_LEXICAL_COVERAGE', key: 'minLexicalCoverage', default: '0.25', description: "Share (0 to 1) of a question's IDF weight that a passage must contain to count as a keyword match." },
  { section: 'Knowledge base and retrieval', variable: 'MIN_DENSE_SCORE', key: 'minDenseScore', default: undefined, defaultNote: 'calibrated per index', description: 'Cosine similarity (-1 to 1) a passage must reach to count as a semantic match.' },

  // Language model
  { section: 'Language model', variable: 'HF_TOKEN', key: 'hfToken', default: undefined, secret: true, description: 'Hugging Face token for Inference Providers. Without it and without LLM_ENDPOINT_URL, answers quote the best passages (extractive mode).' },
  { section: 'Language model', variable: 'LLM_MODEL', key: 'llmModel', default: 'Qwen/Qwen2.5-7B-Instruct', description: 'Chat model id.' },
  { section: 'Language model', variable: 'LLM_PROVIDER', key: 'llmProvider', default: 'auto', description: 'Inference provider, or `auto` to let Hugging Face choose.' },
  { section: 'Language model', variable: 'LLM_ENDPOINT_URL', key: 'llmEndpointUrl', default: undefined, description: 'Base URL of an OpenAI-compatible server to use instead of Inference Providers.' },
  { section: 'Language model', variable: 'LLM_ENDPOINT_TOKEN', key: 'llmEndpointToken', default: undefined, secret: true, description: 'Bearer token sent to LLM_ENDPOINT_URL. Without it, HF_TOKEN is sent there only when the endpoint is a Hugging Face host (huggingface.co, *.huggingface.cloud, *.hf.space) over https, and any other server gets no token.' },
  { section: 'Language model', variable: 'LLM_MAX_RETRIES', key: 'llmMaxRetries', default: '3', description: 'Retries after a 429 or 5xx response before the first token (0 to 10).' },

  // Answers, sessions and caches
  { section: 'Answers, sessions and caches', variable: 'MAX_CONCURRENT_ANSWERS', key: 'maxConcurrentAnswers', default: '4', description: 'Answers generated at the same time.' },
  { section: 'Answers, sessions and caches', variable: 'MAX_CONCURRENT_EMBEDDINGS', key: 'maxConcurrentEmbeddings', default: '1', description: 'Question embeddings computed at the same time.' },
  { section: 'Answers, sessions and caches', variable: 'MAX_QUEUE', key: 'maxQueue', default: '20', description: 'Questions that may wait for a free slot; more are turned away with a "busy" reply.' },
  { section: 'Answers, sessions and caches', variable: 'MAX_QUESTION_CHARS', key: 'maxQuestionChars', default: '1000', description: 'Maximum question length accepted, in characters (Unicode code points).' },
  { section: 'Answers, sessions and caches', variable: 'SESSION_MAX', key: 'sessionMax', default: '5000', description: 'Conversations kept in memory; the least recently used are dropped first.' },
  { section: 'Answers, sessions and caches', variable: 'SESSION_TTL_MINUTES', key: 'sessionTtlMs', default: '60', unit: 'minutes', description: 'Idle time after which a conversation is forgotten, in minutes.' },
  { section: 'Answers, sessions and caches', variable: 'SESSION_MAX_TOKENS', key: 'sessionMaxTokens', default: '1500', description: 'Tokens of earlier turns sent with a follow-up question.' },
  { section: 'Answers, sessions and caches', variable: 'ANSWER_CACHE_MAX', key: 'answerCacheMax', default: '500', description: 'Answers cached for repeated first questions; 0 turns the cache off.' },
  { section: 'Answers, sessions and caches', variable: 'ANSWER_CACHE_TTL_MINUTES', key: 'answerCacheTtlMs', default: '360', unit: 'minutes', description: 'Lifetime of a cached answer, in minutes.' },
  { section: 'Answers, sessions and caches', variable: 'EMBEDDING_CACHE_MAX', key: 'embeddingCacheMax', default: '2000', description: 'Question embeddings cached; 0 turns the cache off.' },

  // Discord
  { section: 'Discord', variable: 'DISCORD_TOKEN', key: 'discordToken', default: undefined, secret: true, description: 'Bot token; setting it turns Discord on.' },
  { section: 'Discord', variable: 'DISCORD_GUILD_ID', key: 'discordGuildId', default: undefined, description: 'Server (guild) to register /ask in at once; without it the command is registered globally.' },
  { section: 'Discord', variable: 'DISCORD_REST_URL', key: 'discordRestUrl', default: 'https://discord.com/api', description: 'Discord REST API base URL (tests point it at a stand-in).' },
  { section: 'Discord', variable: 'DISCORD_MESSAGE_CONTENT_INTENT', key: 'discordMessageContentIntent', default: 'true', description: 'Request the privileged Message Content intent; without it the bot sees only messages that mention its user, not its role.' },
  { section: 'Discord', variable: 'DISCORD_PRESENCE_INTENT', key: 'discordPresenceIntent', default: 'false', description: 'Request the privileged Guild Presences intent, so askers on a phone get compact answers.' },
  { section: 'Discord', variable: 'DISCORD_EDIT_FLOOR_MS', key: 'discordEditFloorMs', default: '1000', description: 'Shortest interval between two edits of a streamed reply, in milliseconds.' },

  // Slack
  { section: 'Slack', variable: 'SLACK_BOT_TOKEN', key: 'slackBotToken', default: undefined, secret: true, description: 'Bot User OAuth Token (xoxb-...); with a signing secret or app token it turns Slack on.' },
  { section: 'Slack', variable: 'SLACK_SIGNING_SECRET', key: 'slackSigningSecret', default: undefined, secret: true, description: 'Signing secret for HTTP mode (requests to /slack/events).' },
  { section: 'Slack', variable: 'SLACK_APP_TOKEN', key: 'slackAppToken', default: undefined, secret: true, description: 'App-level token (xapp-...) for Socket Mode instead of HTTP.' },
  { section: 'Slack', variable: 'SLACK_API_URL', key: 'slackApiUrl', default: 'https://slack.com/api/', description: 'Slack Web API base URL (tests point it at a stand-in).' },
  { section: 'Slack', variable: 'SLACK_COMMAND', key: 'slackCommand', default: '/ask', description: 'Slash command name as registered in the Slack app.' },

  // Admin and shutdown
  { section: 'Admin and shutdown', variable: 'ADMIN_TOKEN', key: 'adminToken', default: undefined, secret: true, description: 'Bearer token for POST /admin/reingest (at least 16 characters); unset turns the admin API off.' },
  { section: 'Admin and shutdown', variable: 'SHUTDOWN_GRACE_MS', key: 'shutdownGraceMs', default: '20000', description: 'Time that answers in flight get to finish after SIGTERM, in milliseconds.' },
];

/** Every documented variable, grouped by section in `configSections` order. */
export const configVariables: ReadonlyArray<VariableDoc & { section: Section }> = docs;

/** Formats a documented default for people: the literal value, the note, or "unset". */
export function describeDefault(doc: VariableDoc): string {
  if (doc.defaultNote !== undefined) return doc.defaultNote;
  return doc.default === undefined ? 'unset' : `\`${doc.default}\``;
}

/** Builds the Markdown table of all variables, one section after another. */
export function configTableMarkdown(): string {
  const lines: string[] = [];
  for (const section of configSections) {
    lines.push(`**${section}**`, '', '| Variable | Default | What it sets |', '| --- | --- | --- |');
    for (const doc of docs.filter((d) => d.section === section)) {
      const secret = doc.secret ? ' Secret.' : '';
      lines.push(`| \`${doc.variable}\` | ${describeDefault(doc)} | ${doc.description.replaceAll('|', '\\|')}${secret} |`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}
