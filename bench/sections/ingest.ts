// Ingest of the whole corpus by ragbot and, on the same chunk texts, by
// LangChain.js, each in its own child process, for every benchmark dtype.
import path from 'node:path';
import { runChild } from '../lib/child.js';
import type { IngestInput, IngestResult } from '../lib/contracts.js';
import type { BenchDtype } from '../lib/options.js';
import { formatLatency, formatMB, formatMs, formatRatio, type ReportRow } from '../lib/report.js';
import { ratio, round } from '../lib/stats.js';
import type { BenchContext, SectionOutcome } from './context.js';

/** Dense retrieval depth of the query figures, ragbot's default SEARCH_TOP_K. */
const topK = 5;

/** Liveness limit of one ingest child; a whole-corpus ingest takes minutes on 2 cores. */
const ingestTimeoutMs = 30 * 60_000;

/** Memory cap of the ingest children; a run above it is stopped and reported. */
const ingestMaxRssMB = 3072;

/** Ragbot and LangChain.js results of one dtype; LangChain's is missing when it did not run or failed. */
interface DtypeRuns {
  ragbot: IngestResult;
  langchain?: IngestResult;
  langchainError?: string;
}

/** Runs the ingest section; `withLangChain` is false when only the index is needed for other sections. */
export async function runIngestSection(context: BenchContext, withLangChain: boolean): Promise<SectionOutcome[]> {
  const runs = new Map<BenchDtype, DtypeRuns>();
  for (const dtype of context.options.dtypes) {
    const input: IngestInput = {
      modelsDir: context.options.modelsDir,
      model: context.options.model,
      dtype,
      corpusDir: context.options.corpusDir,
      dataDir: path.join(context.workDir, `data-${dtype}`),
      chunksFile: path.join(context.workDir, `chunks-${dtype}.json`),
      questions: context.questions,
      queryRepeats: context.sizes.ingestQueryRepeats,
      k: topK,
    };

    context.progress(`ingest: ragbot ${dtype}, whole corpus`);
    const ragbot = await runChild<IngestResult>('ingest-ragbot.ts', input, childOptions(context));
    context.indexes.set(dtype, { setup: input, chunksFile: input.chunksFile });
    const dtypeRuns: DtypeRuns = { ragbot };
    runs.set(dtype, dtypeRuns);

    if (!withLangChain) continue;
    context.progress(`ingest: LangChain.js ${dtype}, same ${ragbot.chunks} chunk texts`);
    try {
      dtypeRuns.langchain = await runChild<IngestResult>('ingest-langchain.ts', input, childOptions(context));
    } catch (error) {
      dtypeRuns.langchainError = error instanceof Error ? error.message : String(error);
    }
  }

  const outcomes: SectionOutcome[] = [ingestOutcome(runs)];
  if (withLangChain) outcomes.push(langChainOutcome(runs));
  return outcomes;
}

function childOptions(context: BenchContext) {
  return { timeoutMs: ingestTimeoutMs, maxRssMB: ingestMaxRssMB, verbose: context.options.verbose };
}

/** Rows and JSON of ragbot's ingest; the headline figures are those of q8 when it ran. */
function ingestOutcome(runs: Map<BenchDtype, DtypeRuns>): SectionOutcome {
  const rows: ReportRow[] = [];
  for (const [dtype, { ragbot }] of runs) {
    rows.push({ figure: `${dtype}: chunks per second`, value: `${ragbot.chunksPerSecond.toFixed(1)} (${ragbot.chunks} chunks in ${formatMs(ragbot.ingestMs)})` });
    const times = ragbot.details as { embedMs?: number; countTokensMs?: number };
    rows.push({ figure: `${dtype}: time in embedding calls`, value: `${formatMs(times.embedMs)} of ${formatMs(ragbot.ingestMs)} (token counting for chunking: ${formatMs(times.countTokensMs)})` });
    rows.push({ figure: `${dtype}: peak RSS`, value: formatMB(ragbot.peakRssMB) });
    rows.push({ figure: `${dtype}: model load`, value: formatMs(ragbot.modelLoadMs) });
  }
  const headline = runs.get('q8') ?? [...runs.values()][0];
  const headlineDtype = runs.has('q8') ? 'q8' : [...runs.keys()][0];
  const details = headline?.ragbot.details as { files?: number; meanChunkChars?: number; batchSize?: number } | undefined;
  return {
    report: {
      title: 'Ingest (ragbot, whole corpus)',
      rows,
      notes: [
        `${details?.files ?? '?'} files, ${headline?.ragbot.chunks ?? '?'} chunks of ${details?.meanChunkChars ?? '?'} characters on average, embedding batches of ${details?.batchSize ?? '?'}.`,
        'Ingest time covers reading, chunking, embedding, writing and the FAISS build; it excludes the model load, shown on its own row.',
      ],
    },
    results: {
      ingest: {
        dtype: headlineDtype,
        chunks: headline?.ragbot.chunks,
        chunksPerSecond: round(headline?.ragbot.chunksPerSecond ?? Number.NaN, 2),
        peakRssMB: round(headline?.ragbot.peakRssMB ?? Number.NaN),
        ingestMs: round(headline?.ragbot.ingestMs ?? Number.NaN),
        byDtype: Object.fromEntries([...runs].map(([dtype, run]) => [dtype, run.ragbot])),
      },
    },
  };
}

/** Rows and JSON of the side-by-side comparison; ratios are ragbot / LangChain.js, so below 1 favours ragbot. */
function langChainOutcome(runs: Map<BenchDtype, DtypeRuns>): SectionOutcome {
  const rows: ReportRow[] = [];
  const notes: string[] = [];
  const ratios: Record<string, Record<string, number>> = {};

  for (const [dtype, { ragbot, langchain, langchainError }] of runs) {
    if (langchain === undefined) {
      notes.push(`${dtype}: LangChain.js not measured: ${langchainError ?? 'not run'}`);
      continue;
    }
    const dtypeRatios = {
      ingestRatio: ratio(ragbot.ingestMs, langchain.ingestMs),
      queryRatio: ratio(ragbot.query.p50, langchain.query.p50),
      queryP95Ratio: ratio(ragbot.query.p95, langchain.query.p95),
      peakRssRatio: ratio(ragbot.peakRssMB, langchain.peakRssMB),
    };
    ratios[dtype] = dtypeRatios;
    rows.push(
      { figure: `${dtype}: ingest time ragbot / LangChain.js`, value: `${formatRatio(dtypeRatios.ingestRatio)} (${formatMs(ragbot.ingestMs)} vs ${formatMs(langchain.ingestMs)})`, target: 'below 1', met: dtypeRatios.ingestRatio < 1 },
      { figure: `${dtype}: query p50 ragbot / LangChain.js`, value: `${formatRatio(dtypeRatios.queryRatio)} (${formatLatency(ragbot.query)} vs ${formatLatency(langchain.query)} p50 / p95)`, target: 'below 1', met: dtypeRatios.queryRatio < 1 },
      { figure: `${dtype}: peak RSS ragbot / LangChain.js`, value: `${formatRatio(dtypeRatios.peakRssRatio)} (${formatMB(ragbot.peakRssMB)} vs ${formatMB(langchain.peakRssMB)})`, target: 'below 1', met: dtypeRatios.peakRssRatio < 1 },
    );
  }

  const headlineDtype = ratios.q8 !== undefined ? 'q8' : Object.keys(ratios)[0];
  const headline = headlineDtype === undefined ? undefined : ratios[headlineDtype];
  notes.push(
    `Both sides embed the same chunk texts, which are ragbot's, exported from its index. They use the same model files, dtype and batch size (ragbot's default, see the ingest note above) and embed one batch at a time. ragbot sorts each window of pending chunks by length first. Each side runs in its own process, ingest first, then the queries.`,
    'LangChain.js ingest is FaissStore.fromTexts (embed, IndexFlatL2 add, in-memory docstore); ragbot ingest also reads and chunks the files and writes its index to disk.',
    'Peak RSS is the process high-water mark read right after the ingest step, before the query phase, on both sides.',
    'Query is one question end to end: embed, dense search of the top 5, document lookup; ragbot\'s query-embedding cache is off.',
    'With LangChain.js defaults (batches of 512, all batches embedded at once) the ingest went past 20 GB RSS on this corpus and was killed, so those defaults are not measured.',
  );
  return {
    report: { title: 'Side by side with LangChain.js (ratio ragbot / LangChain.js, below 1 favours ragbot)', rows, notes },
    results: {
      langchain: {
        dtype: headlineDtype,
        ingestRatio: headline?.ingestRatio ?? null,
        queryRatio: headline?.queryRatio ?? null,
        queryP95Ratio: headline?.queryP95Ratio ?? null,
        peakRssRatio: headline?.peakRssRatio ?? null,
        byDtype: Object.fromEntries([...runs].map(([dtype, run]) => [dtype, { ratios: ratios[dtype], langchain: run.langchain, error: run.langchainError }])),
      },
    },
  };
}
