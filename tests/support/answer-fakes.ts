// Fakes for answering-engine tests: a Retriever with canned chunks, a test
// configuration, and helpers that collect an answer stream.
import { loadConfig, type Config } from '../../src/config.js';
import type { AnswerEvent, Chunk, IndexInfo, Retriever, SearchHit, SearchOptions, SearchResult, SessionKey } from '../../src/engine/types.js';

/** Canned chunks about Spaces; a query containing "nothing" finds no hits. */
export const cannedChunks: Chunk[] = [
  { id: 0, source: 'hub/spaces-overview.md', heading: 'Spaces > Secrets', lineStart: 10, lineEnd: 20, text: 'Add secrets in the Settings tab of your Space. Secrets are exposed as environment variables.' },
  { id: 1, source: 'hub/spaces-sdks-docker.md', heading: 'Docker Spaces > Port', lineStart: 5, lineEnd: 12, text: 'Docker Spaces listen on port 7860 by default. Set app_port in the README metadata to change it.' },
  { id: 2, source: 'hub/repositories.md', heading: 'Repositories', lineStart: 1, lineEnd: 8, text: 'Every model, dataset and Space is a Git repository.' },
];

/** A Retriever fake that records queries and lets tests change the index version. */
export interface FakeRetriever extends Retriever {
  queries: string[];
  version: string;
  embeddingStats: { hits: number; misses: number; size: number };
}

/** Creates a fake Retriever over `chunks`. */
export function fakeRetriever(chunks: Chunk[] = cannedChunks): FakeRetriever {
  const retriever: FakeRetriever = {
    queries: [],
    version: 'v1',
    embeddingStats: { hits: 0, misses: 0, size: 0 },
    async search(query: string, options?: SearchOptions): Promise<SearchResult> {
      retriever.queries.push(query);
      retriever.embeddingStats.misses += 1;
      retriever.embeddingStats.size += 1;
      const hits: SearchHit[] = query.includes('nothing')
        ? []
        : chunks.slice(0, options?.k ?? chunks.length).map((chunk, index) => ({ chunk, score: 1 - index * 0.1, rank: index + 1 }));
      return { hits, timings: { embedMs: 1, searchMs: 1 } };
    },
    info(): IndexInfo {
      return { version: retriever.version, chunks: chunks.length, builtAt: '2025-01-01T00:00:00Z', model: 'test', dims: 4, dtype: 'fp32' };
    },
    cacheStats() {
      return { ...retriever.embeddingStats };
    },
  };
  return retriever;
}

/** Configuration for engine tests; `overrides` are environment variables. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: '/tmp/ragbot-test-data', ...overrides });
}

/** Returns a session key for tests. */
export function sessionKey(user = 'u1', channel = 'c1'): SessionKey {
  return { platform: 'test', team: 't1', channel, user };
}

/** A collected answer stream. */
export interface CollectedAnswer {
  deltas: string[];
  final: Extract<AnswerEvent, { type: 'final' }> | undefined;
  error: unknown;
}

/** Reads an answer stream to the end, capturing a thrown error instead of rethrowing it. */
export async function collectAnswer(stream: AsyncIterable<AnswerEvent>): Promise<CollectedAnswer> {
  const collected: CollectedAnswer = { deltas: [], final: undefined, error: undefined };
  try {
    for await (const event of stream) {
      if (event.type === 'delta') collected.deltas.push(event.text);
      else collected.final = event;
    }
  } catch (error) {
    collected.error = error;
  }
  return collected;
}
