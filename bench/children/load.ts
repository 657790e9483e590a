// Child process: many questions at once against the default concurrency cap
// and wait queue. Counts completed and refused (Busy) answers and the time
// until the last one ends.
import { EngineErrorCode, isEngineError } from '../../src/engine/errors.js';
import { runChildMain } from '../lib/child.js';
import type { LoadInput, LoadResult } from '../lib/contracts.js';
import { PeakRssTracker } from '../lib/memory.js';
import { askToEnd, openServingStack } from '../lib/serving.js';
import { summarize } from '../lib/stats.js';

runChildMain<LoadInput>(async (input): Promise<LoadResult> => {
  const tracker = new PeakRssTracker();
  const stack = await openServingStack(input, input.pace);

  let refused = 0;
  let failed = 0;
  const firstTokens: number[] = [];

  // All questions start in the same tick, each from its own user.
  const started = performance.now();
  const answers = input.questions.map(async (question, position) => {
    try {
      const final = await askToEnd(stack.engine, question, `load-user-${position}`);
      firstTokens.push(final.firstTokenMs);
    } catch (error) {
      if (isEngineError(error, EngineErrorCode.Busy)) refused += 1;
      else failed += 1;
    }
  });
  await Promise.all(answers);
  const drainMs = performance.now() - started;

  const result: LoadResult = {
    asked: input.questions.length,
    completed: firstTokens.length,
    refused,
    failed,
    concurrency: stack.config.maxConcurrentAnswers,
    maxQueue: stack.config.maxQueue,
    drainMs,
    firstTokenMs: summarize(firstTokens),
    peakRssMB: tracker.peakMB(),
  };
  await stack.close();
  return result;
});
