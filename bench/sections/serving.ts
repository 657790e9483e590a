// Serving figures: memory with many live sessions and the answer cache's hit
// rate on a skewed replay, and a burst of questions against the default
// concurrency cap.
import { runChild } from '../lib/child.js';
import type { LoadInput, LoadResult, MemoryInput, MemoryResult } from '../lib/contracts.js';
import { formatLatency, formatMB, formatMs, formatPercent, type ReportRow } from '../lib/report.js';
import type { LlmPace } from '../lib/serving.js';
import { round } from '../lib/stats.js';
import { buildReplay, defaultReplay, distinctQuestions } from '../lib/workload.js';
import { servingIndex, type BenchContext, type SectionOutcome } from './context.js';

/** Target: RSS of the serving process with model, index and sessions. */
const memoryTargetMB = 512;

/** Target: share of replayed questions answered from the answer cache. */
const cacheTargetHitRate = 0.6;

/** Tokens of every stand-in answer. */
const answerTokens = 60;

const childLimits = { timeoutMs: 15 * 60_000, maxRssMB: 2048 };

/** Runs the memory and cache sections: one replay, two reports. */
export async function runMemorySection(context: BenchContext): Promise<SectionOutcome[]> {
  const replay = buildReplay(context.questions, { ...defaultReplay, draws: context.sizes.replayDraws });
  // Short model delays: this section is about memory and the cache, not time.
  const pace: LlmPace = { firstTokenMs: 10, tokensPerSecond: 1000, answerTokens };
  const input: MemoryInput = { ...servingIndex(context).setup, pace, questions: replay.questions, parallel: 4 };
  context.progress(`memory and cache: replay of ${replay.questions.length} questions, each from its own session`);
  const result = await runChild<MemoryResult>('memory.ts', input, { ...childLimits, verbose: context.options.verbose });

  const lookups = result.answerCache.hits + result.answerCache.misses;
  const hitRate = lookups > 0 ? result.answerCache.hits / lookups : Number.NaN;
  const memoryRows: ReportRow[] = [
    { figure: 'RSS after loading model and index', value: formatMB(result.rssAfterLoadMB) },
    {
      figure: `RSS after ${result.questions} answers, ${result.sessions} live sessions`,
      value: `${formatMB(result.rssMB)} (${formatMB(memoryTargetMB - result.rssMB)} under the target)`,
      target: `under ${memoryTargetMB} MB`,
      met: result.rssMB < memoryTargetMB,
    },
    { figure: 'peak RSS during the replay', value: formatMB(result.peakRssMB) },
    { figure: 'V8 heap used at the end', value: formatMB(result.heapUsedMB) },
  ];
  // The target is set for the full 1,000-question replay; a shorter one repeats less and cannot reach it.
  const hitRateRow: ReportRow = { figure: 'answer cache hit rate', value: `${formatPercent(hitRate)} (${result.answerCache.hits} of ${lookups})` };
  if (replay.questions.length === defaultReplay.draws) Object.assign(hitRateRow, { target: `above ${formatPercent(cacheTargetHitRate)}`, met: hitRate > cacheTargetHitRate });
  const cacheRows: ReportRow[] = [
    hitRateRow,
    { figure: 'best possible on this replay', value: formatPercent(replay.ceiling) },
    { figure: 'answers by outcome', value: Object.entries(result.outcomes).map(([outcome, count]) => `${outcome} ${count}`).join(', ') },
  ];
  if (result.embeddingCache !== undefined) {
    const embeddingLookups = result.embeddingCache.hits + result.embeddingCache.misses;
    cacheRows.push({ figure: 'query-embedding cache hit rate', value: `${formatPercent(result.embeddingCache.hits / Math.max(1, embeddingLookups))} (${result.embeddingCache.hits} of ${embeddingLookups})` });
  }

  const { options } = replay;
  return [
    {
      report: {
        title: 'Memory of the serving process',
        rows: memoryRows,
        notes: [
          `RSS is read after two garbage collections, with the stand-in LLM's request log cleared; the stand-in runs in the same process (first token after ${pace.firstTokenMs} ms, ${answerTokens} tokens).`,
        ],
      },
      results: {
        memory: {
          rssMB: round(result.rssMB),
          rssAfterLoadMB: round(result.rssAfterLoadMB),
          peakRssMB: round(result.peakRssMB),
          heapUsedMB: round(result.heapUsedMB),
          targetMB: memoryTargetMB,
          headroomMB: round(memoryTargetMB - result.rssMB),
          sessions: result.sessions,
          questions: result.questions,
        },
      },
    },
    {
      report: {
        title: `Answer cache on a replay of ${replay.questions.length} questions`,
        rows: cacheRows,
        notes: [
          `Replay: Zipf exponent ${options.exponent} over ${options.population} distinct questions (the ${context.questions.length} eval questions first, then reworded ones), ${formatPercent(options.variantRate)} of draws rewritten in case, punctuation or spacing, seed ${options.seed}. ${replay.distinct} distinct questions were drawn, ${replay.askedOnce} of them once.`,
          'The best possible rate is 1 - distinct questions / draws: a cache that folds every variant and never evicts. Answers that found no passages are not cached.',
        ],
      },
      results: {
        cache: {
          hitRate: round(hitRate, 4),
          ceiling: round(replay.ceiling, 4),
          targetHitRate: cacheTargetHitRate,
          hits: result.answerCache.hits,
          misses: result.answerCache.misses,
          embedding: result.embeddingCache,
          outcomes: result.outcomes,
          replay: { ...options, draws: replay.questions.length, distinct: replay.distinct, askedOnce: replay.askedOnce },
        },
      },
    },
  ];
}

/** Runs the load section: every question at once, with the default cap and queue. */
export async function runLoadSection(context: BenchContext): Promise<SectionOutcome> {
  const pace: LlmPace = { firstTokenMs: context.options.firstTokenMs, tokensPerSecond: context.options.tokensPerSecond, answerTokens };
  const input: LoadInput = { ...servingIndex(context).setup, pace, questions: distinctQuestions(context.questions, context.sizes.loadQuestions) };
  context.progress(`load: ${input.questions.length} questions at once`);
  const result = await runChild<LoadResult>('load.ts', input, { ...childLimits, verbose: context.options.verbose });

  return {
    report: {
      title: `Load: ${result.asked} questions at once (MAX_CONCURRENT_ANSWERS ${result.concurrency}, MAX_QUEUE ${result.maxQueue})`,
      rows: [
        { figure: 'completed', value: String(result.completed) },
        { figure: 'refused as busy', value: String(result.refused) },
        { figure: 'failed otherwise', value: String(result.failed) },
        { figure: 'time to drain', value: formatMs(result.drainMs) },
        { figure: 'time to first token of completed (p50 / p95)', value: formatLatency(result.firstTokenMs) },
        { figure: 'peak RSS', value: formatMB(result.peakRssMB) },
      ],
      notes: [`Stand-in model: first token after ${pace.firstTokenMs} ms, then ${pace.tokensPerSecond} tokens/s, ${answerTokens} tokens per answer. Questions are distinct, so none is answered from the cache.`],
    },
    results: {
      load: {
        asked: result.asked,
        completed: result.completed,
        refused: result.refused,
        failed: result.failed,
        drainMs: round(result.drainMs),
        peakRssMB: round(result.peakRssMB),
        concurrency: result.concurrency,
        maxQueue: result.maxQueue,
        firstTokenMs: result.firstTokenMs,
      },
    },
  };
}
