// Wires the real knowledge base, engine and platform adapters into the
// service. Each module is imported only when serve starts, so the other
// commands do not pay for discord.js, Bolt or onnxruntime.
import type { PlatformAdapter } from '../bots/adapter.js';
import type { Embedder } from '../engine/knowledge.js';
import type { ServiceComponents } from './components.js';

/** Raised when a module that serve needs cannot be loaded (a broken install or an incomplete build). */
export class ComponentLoadError extends Error {
  override readonly name = 'ComponentLoadError';

  constructor(
    readonly component: string,
    readonly specifier: string,
    cause: unknown,
  ) {
    super(`Failed to load the ${component} (${specifier}): ${cause instanceof Error ? cause.message : String(cause)}. Run \`npm run setup\` again to rebuild ragbot.`, { cause });
  }
}

async function importComponent<T>(component: string, specifier: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    throw new ComponentLoadError(component, specifier, error);
  }
}

/** Imports the real implementations of every service component. */
export async function loadComponents(): Promise<ServiceComponents> {
  const knowledge = await importComponent<typeof import('../engine/knowledge.js')>('knowledge base', '../engine/knowledge.js');
  const engine = await importComponent<typeof import('../engine/answer/engine.js')>('answering engine', '../engine/answer/engine.js');

  return {
    createEmbedder: knowledge.createEmbedder,
    hasIndex: knowledge.hasIndex,
    // The service hands back the embedder that createEmbedder returned, so the casts hold.
    ingestFolder: (options) => knowledge.ingestFolder({ ...options, embedder: options.embedder as Embedder | undefined }),
    openKnowledgeBase: (options) => knowledge.openKnowledgeBase({ ...options, embedder: options.embedder as Embedder | undefined }),
    createAnswerEngine: engine.createAnswerEngine,
    // The adapters load only when their platform is configured.
    createDiscordAdapter: async (options): Promise<PlatformAdapter> => {
      const discord = await importComponent<typeof import('../bots/discord/index.js')>('Discord adapter', '../bots/discord/index.js');
      return discord.createDiscordAdapter(options);
    },
    createSlackAdapter: async (options): Promise<PlatformAdapter> => {
      const slack = await importComponent<typeof import('../bots/slack/adapter.js')>('Slack adapter', '../bots/slack/adapter.js');
      return slack.createSlackAdapter(options);
    },
  };
}
