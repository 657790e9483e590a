// Query latency before the model: at the corpus size on the real index, and
// at a large synthetic size through the same store, FAISS and BM25 code.
import path from 'node:path';
import { runChild } from '../lib/child.js';
import type { QueryInput, QueryResult, ScaleInput, ScaleResult } from '../lib/contracts.js';
import { formatLatency, formatMB, formatMs, type ReportRow } from '../lib/report.js';
import { round } from '../lib/stats.js';
import { servingDtype, servingIndex, type BenchContext, type SectionOutcome } from './context.js';

/** Target: p95 of the work before the model, at corpus size with q8 on 2 cores. */
const queryTargetP95Ms = 50;

/** Retrieval depth, ragbot's default SEARCH_TOP_K. */
const topK = 5;

const childLimits = { timeoutMs: 15 * 60_000, maxRssMB: 3072 };

/** Runs the query section at corpus size. */
export async function runQuerySection(context: BenchContext): Promise<SectionOutcome> {
  const dtype = servingDtype(context);
  const input: QueryInput = {
    ...servingIndex(context).setup,
    questions: context.questions,
    repeats: context.sizes.queryRepeats,
    embedDtypes: ['fp32', 'q8'],
  };
  context.progress(`query: ${input.questions.length} questions x ${input.repeats} on the ${dtype} index`);
  const result = await runChild<QueryResult>('query.ts', input, { ...childLimits, verbose: context.options.verbose });

  const rows: ReportRow[] = [];
  for (const [embedDtype, summary] of Object.entries(result.embedMs)) {
    rows.push({ figure: `embed one question, ${embedDtype} (p50 / p95)`, value: formatLatency(summary) });
  }
  for (const [mode, summary] of Object.entries(result.searchMs)) {
    rows.push({ figure: `search, ${mode} (p50 / p95)`, value: formatLatency(summary) });
  }
  rows.push({ figure: 'prompt build (p50 / p95)', value: formatLatency(result.promptBuildMs) });
  rows.push({
    figure: `total before the model, ${result.mode}, ${dtype} (p50 / p95)`,
    value: formatLatency(result.totalMs),
    target: `p95 under ${queryTargetP95Ms} ms`,
    met: result.totalMs.p95 < queryTargetP95Ms,
  });

  return {
    report: {
      title: `Query before the model (${result.chunks} chunks, ${input.questions.length} eval questions x ${input.repeats})`,
      rows,
      notes: [
        'Search times exclude the embedding. The total is one call of the knowledge base search in the configured mode plus the prompt build, with the query-embedding cache off.',
        'The fp32 embedding row uses a second embedder on the same questions; searches use the index dtype.',
      ],
    },
    results: {
      query: {
        dtype,
        chunks: result.chunks,
        mode: result.mode,
        p50Ms: round(result.totalMs.p50, 2),
        p95Ms: round(result.totalMs.p95, 2),
        targetP95Ms: queryTargetP95Ms,
        embedMs: result.embedMs,
        searchMs: result.searchMs,
        promptBuildMs: result.promptBuildMs,
        totalMs: result.totalMs,
      },
    },
  };
}

/** Runs the search latency at the synthetic size (`--synthetic-chunks`, default 100,000). */
export async function runScaleSection(context: BenchContext): Promise<SectionOutcome> {
  const input: ScaleInput = {
    ...servingIndex(context).setup,
    syntheticChunks: context.options.syntheticChunks,
    questions: context.questions,
    repeats: context.sizes.scaleRepeats,
    k: topK,
    workDir: path.join(context.workDir, 'scale'),
    cacheDir: context.cacheDir,
    buildHnsw: context.sizes.buildHnsw,
  };
  context.progress(`scale: ${input.syntheticChunks} synthetic chunks (the HNSW build takes minutes unless cached)`);
  const result = await runChild<ScaleResult>('scale.ts', input, { ...childLimits, timeoutMs: 30 * 60_000, verbose: context.options.verbose });

  const rows: ReportRow[] = [{ figure: 'BM25 index build', value: formatMs(result.bm25BuildMs) }];
  const notes: string[] = [];
  for (const index of result.indexes) {
    const configured = index.kind === result.configuredKind ? ', used by ragbot at this size' : '';
    const cached = index.buildCachedFrom === undefined ? '' : ` (cached; measured ${index.buildCachedFrom.slice(0, 10)})`;
    rows.push({ figure: `${index.kind}${configured}: FAISS build`, value: `${formatMs(index.buildMs)}${cached}` });
    for (const [mode, summary] of Object.entries(index.searchMs)) {
      rows.push({ figure: `${index.kind}: search, ${mode} (p50 / p95)`, value: formatLatency(summary) });
    }
  }
  if (!result.indexes.some((index) => index.kind === 'hnsw')) {
    notes.push('HNSW not measured: --quick skips its build, which takes minutes; a full run builds and caches it.');
  }
  rows.push({ figure: 'peak RSS of this child (both indexes, BM25, chunks)', value: formatMB(result.peakRssMB) });
  notes.push(
    'Vectors are seeded random unit vectors and chunks are copies of the corpus chunks, through ragbot\'s store, FAISS and BM25 code. Query vectors are real question embeddings.',
    'Search times exclude the embedding, which does not depend on the index size (see the query section).',
    'The dense relevance floor is off here, so every candidate reaches the ranking and near-duplicate steps.',
  );

  return {
    report: { title: `Search at ${result.chunks.toLocaleString('en-US')} chunks (synthetic)`, rows, notes },
    results: { scale: result },
  };
}
