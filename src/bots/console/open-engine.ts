// Opens the knowledge base and builds the answering engine for the terminal
// commands (`ragbot ask`, `ragbot chat`).
import { userInfo } from 'node:os';
import type { Config } from '../../config.js';
import { createAnswerEngine, type Engine } from '../../engine/answer/engine.js';
import type { SessionKey } from '../../engine/types.js';
import type { Logger } from '../../observability/logger.js';

/** Thrown when the data folder has no index to answer from. */
export class NoIndexError extends Error {
  override readonly name = 'NoIndexError';

  constructor(readonly dataDir: string, options?: { cause?: unknown }) {
    super(`No index found in ${dataDir}. Run \`ragbot ingest\` first to index your documents, or set DATA_DIR to the folder that holds the index.`, options);
  }
}

/** An engine over the opened knowledge base, and the call that releases both. */
export interface ConsoleEngine {
  engine: Engine;
  /** Session key of the local user. */
  session: SessionKey;
  close(): Promise<void>;
}

/** Opens the knowledge base and creates the engine; throws `NoIndexError` when there is no index yet. */
export async function openConsoleEngine(config: Config, logger: Logger): Promise<ConsoleEngine> {
  // Loaded on demand: the knowledge base pulls in transformers.js and faiss-node.
  const knowledge = await import('../../engine/knowledge.js');

  // Checked first, because opening the knowledge base loads the embedding model.
  if (!knowledge.hasIndex(config.dataDir)) throw new NoIndexError(config.dataDir);

  let retriever: Awaited<ReturnType<typeof knowledge.openKnowledgeBase>>;
  try {
    retriever = await knowledge.openKnowledgeBase({ config, logger });
  } catch (error) {
    if (error instanceof knowledge.IndexNotFoundError) throw new NoIndexError(config.dataDir, { cause: error });
    throw error;
  }

  const engine = createAnswerEngine({ config, logger, retriever });
  return {
    engine,
    session: { platform: 'console', channel: 'terminal', user: localUser() },
    close: async () => {
      engine.drain();
      await retriever.close();
    },
  };
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'local';
  }
}
