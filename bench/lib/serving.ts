// A serving stack for the benchmark children: the knowledge base built by the
// ingest section, the answering engine, and the LLM stand-in on 127.0.0.1
// with a fixed first-token delay and token rate.
import { createAnswerEngine, type Engine } from '../../src/engine/answer/engine.js';
import { openKnowledgeBase, type KnowledgeBase } from '../../src/engine/knowledge.js';
import type { Config } from '../../src/config.js';
import { Metrics } from '../../src/observability/metrics.js';
import { silentLogger, type Logger } from '../../src/observability/logger.js';
import { startLlmStandin, type LlmStandin } from '../../tests/support/llm-standin.js';
import { benchConfig, type RagbotSetup } from './ragbot.js';

/** Pace of the stand-in language model. */
export interface LlmPace {
  firstTokenMs: number;
  tokensPerSecond: number;
  /** Tokens in every answer. */
  answerTokens: number;
}

/** Everything a serving child needs; `close` stops it all. */
export interface ServingStack {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  knowledge: KnowledgeBase;
  engine: Engine;
  llm: LlmStandin;
  close(): Promise<void>;
}

/** Builds an answer of `count` word tokens that cites the first two sources, as a model would. */
export function answerTokens(count: number): string[] {
  const words = 'The documentation covers this in the settings of your repository, and the steps are the same for models, datasets and Spaces'.split(' ');
  const tokens: string[] = [];
  for (let index = 0; index < count - 2; index += 1) tokens.push(`${index === 0 ? '' : ' '}${words[index % words.length]}`);
  tokens.push(' [1]', '[2].');
  return tokens;
}

/** Starts the LLM stand-in and opens the knowledge base and the engine; `overrides` are extra ragbot variables. */
export async function openServingStack(setup: RagbotSetup, pace: LlmPace, overrides: Record<string, string> = {}): Promise<ServingStack> {
  const tokens = answerTokens(pace.answerTokens);
  const llm = await startLlmStandin({
    defaultScript: { tokens, firstTokenDelayMs: pace.firstTokenMs, gapMs: 1000 / pace.tokensPerSecond },
  });

  const config = benchConfig(setup, { LLM_ENDPOINT_URL: llm.url, LLM_MODEL: 'standin', ...overrides });
  const logger = silentLogger();
  const metrics = new Metrics({ collectProcess: false });
  const knowledge = await openKnowledgeBase({ config, logger });
  const engine = createAnswerEngine({ config, logger, retriever: knowledge, metrics });

  return {
    config,
    logger,
    metrics,
    knowledge,
    engine,
    llm,
    async close() {
      engine.drain();
      await knowledge.close();
      await llm.close();
    },
  };
}

/** Asks one question and reads the stream to its end; returns the final event, or throws the engine's error. */
export async function askToEnd(engine: Engine, question: string, user: string): Promise<{ cached: boolean; end: string; firstTokenMs: number; totalMs: number }> {
  const events = engine.ask({ question, session: { platform: 'bench', channel: 'bench', user } });
  for await (const event of events) {
    if (event.type === 'final') return { cached: event.cached, end: event.end, firstTokenMs: event.timings.firstTokenMs, totalMs: event.timings.totalMs };
  }
  throw new Error('The answer stream ended without a final event.');
}
