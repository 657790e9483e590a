// The headline figures: the keys that bench-results.json always has (null
// when a section did not run), and the short list quoted in the README.
import { formatMB, formatMs, formatPercent, formatRatio } from '../lib/report.js';

/** Returns the results skeleton with every required key, each null until a section fills it. */
export function requiredResults(): Record<string, unknown> {
  return {
    ingest: { chunksPerSecond: null, peakRssMB: null },
    query: { p95Ms: null },
    memory: { rssMB: null },
    cache: { hitRate: null },
    discord: { rateLimited: null, firstEditOverheadP95Ms: null },
    load: { refused: null },
    langchain: { ingestRatio: null, queryRatio: null, peakRssRatio: null },
    notMeasured: {},
  };
}

type Results = Record<string, Record<string, unknown> | undefined>;

function numberAt(results: Results, section: string, key: string): number | undefined {
  const value = results[section]?.[key];
  return typeof value === 'number' ? value : undefined;
}

/** Formats a count with thousands separators, or `?` when it is missing. */
function count(value: number | undefined): string {
  return value === undefined ? '?' : value.toLocaleString('en-US');
}

/** Builds the Markdown list of headline figures for the README. */
export function headlineLines(input: Record<string, unknown>): string[] {
  const results = input as Results;
  const at = (section: string, key: string) => numberAt(results, section, key);
  const lines: string[] = [];

  lines.push(`- Query before the model (embed, hybrid search, prompt build): p95 ${formatMs(at('query', 'p95Ms'))} at ${count(at('query', 'chunks'))} chunks with ${String(results.query?.dtype ?? '?')} (target: under 50 ms).`);
  lines.push(`- Memory: ${formatMB(at('memory', 'rssMB'))} RSS with the model, the index and ${count(at('memory', 'sessions'))} live sessions after ${count(at('memory', 'questions'))} answers (target: under 512 MB).`);
  lines.push(`- Answer cache: ${formatPercent(at('cache', 'hitRate'))} hit rate on a skewed replay of ${count(at('memory', 'questions'))} questions (target: above 60%).`);
  lines.push(`- Ingest: ${at('ingest', 'chunksPerSecond')?.toFixed(1) ?? 'n/a'} chunks/s, peak RSS ${formatMB(at('ingest', 'peakRssMB'))}.`);
  lines.push(
    `- Against LangChain.js on the same chunks (ragbot / LangChain.js, below 1 favours ragbot): ingest time ${formatRatio(at('langchain', 'ingestRatio'))}, query latency ${formatRatio(at('langchain', 'queryRatio'))}, peak RSS ${formatRatio(at('langchain', 'peakRssRatio'))}.`,
  );
  const single = (results.discord?.single ?? {}) as Record<string, unknown>;
  const singleP95 = typeof single.firstEditOverheadP95Ms === 'number' ? single.firstEditOverheadP95Ms : undefined;
  lines.push(
    `- Discord: ${at('discord', 'rateLimited') ?? 'n/a'} rate-limit responses with 20 answers at once in one channel. First edit with answer text, beyond the model's first-token delay: p95 ${formatMs(singleP95)} for one answer, ${formatMs(at('discord', 'firstEditOverheadP95Ms'))} in that burst, where the channel's budget of 5 messages per 5 s sets the pace.`,
  );
  lines.push(`- Load, 50 questions at once: ${at('load', 'completed') ?? 'n/a'} completed, ${at('load', 'refused') ?? 'n/a'} refused as busy, drained in ${formatMs(at('load', 'drainMs'))}.`);
  return lines;
}
