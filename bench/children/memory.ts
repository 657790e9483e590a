// Child process: resident memory of a serving process after a replay of
// questions, each from its own session, and the answer cache's hit rate on
// that replay. The LLM stand-in runs in this process with short delays.
import { EngineErrorCode, isEngineError } from '../../src/engine/errors.js';
import { runChildMain } from '../lib/child.js';
import type { MemoryInput, MemoryResult } from '../lib/contracts.js';
import { PeakRssTracker, collectGarbage, rssMB } from '../lib/memory.js';
import { askToEnd, openServingStack, type ServingStack } from '../lib/serving.js';

runChildMain<MemoryInput>(async (input): Promise<MemoryResult> => {
  const tracker = new PeakRssTracker();
  const stack = await openServingStack(input, input.pace);
  const rssAfterLoadMB = await settledRssMB();

  const outcomes: Record<string, number> = {};
  const count = (outcome: string): void => {
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  };

  // `parallel` askers take the next question in order, each question from a new user.
  const started = performance.now();
  let next = 0;
  const asker = async (): Promise<void> => {
    while (next < input.questions.length) {
      const position = next++;
      count(await askOne(stack, input.questions[position]!, `user-${position}`));
    }
  };
  await Promise.all(Array.from({ length: input.parallel }, asker));
  const ms = performance.now() - started;

  // The stand-in keeps every request body; drop them so they do not count as ragbot's memory.
  stack.llm.requests.length = 0;
  const rss = await settledRssMB();
  const stats = stack.engine.stats();
  const result: MemoryResult = {
    questions: input.questions.length,
    rssAfterLoadMB,
    rssMB: rss,
    heapUsedMB: process.memoryUsage().heapUsed / (1024 * 1024),
    peakRssMB: tracker.peakMB(),
    sessions: stats.sessions,
    answerCache: stats.caches.answer ?? { hits: 0, misses: 0, size: 0 },
    embeddingCache: stats.caches.embedding,
    outcomes,
    ms,
  };
  await stack.close();
  return result;
});

/** Asks one question and names its outcome. */
async function askOne(stack: ServingStack, question: string, user: string): Promise<string> {
  try {
    const final = await askToEnd(stack.engine, question, user);
    return final.cached ? 'cached' : final.end;
  } catch (error) {
    return isEngineError(error, EngineErrorCode.Busy) ? 'busy' : 'error';
  }
}

/** Returns the RSS after two garbage collections and a short pause for freed pages to return. */
async function settledRssMB(): Promise<number> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 200));
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 300));
  return rssMB();
}
