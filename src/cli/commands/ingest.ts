// `ragbot ingest [folder]`: builds or updates the index from a folder of
// Markdown, text and HTML files. Progress goes to stderr on a terminal only.
import type { Command } from 'commander';
import type { IngestProgress, IngestReport } from '../../engine/knowledge.js';
import { countOf } from '../plural.js';
import type { RegisterCommand } from '../run.js';
import { addIndexFlags, indexOverrides, type IndexFlags } from './index-options.js';

/** Options of `ragbot ingest`. */
interface IngestFlags extends IndexFlags {
  batchSize?: string;
  chunkTokens?: string;
  chunkOverlap?: string;
  hnswThreshold?: string;
  json?: boolean;
}

/** Registers `ragbot ingest`. */
export const registerIngest: RegisterCommand = (program: Command, run) => {
  const command = program
    .command('ingest')
    .description('Index a folder of Markdown, text and HTML files; only new and changed files are embedded again.')
    .argument('[folder]', 'folder or file to ingest (default: KNOWLEDGE_DIR)')
    .option('--batch-size <n>', 'texts per embedding call (EMBEDDING_BATCH_SIZE)')
    .option('--chunk-tokens <n>', 'token budget of a chunk, heading path included (CHUNK_TOKENS)')
    .option('--chunk-overlap <n>', 'tokens repeated between consecutive chunks (CHUNK_OVERLAP_TOKENS)')
    .option('--hnsw-threshold <n>', 'chunk count above which an HNSW index replaces exact search (HNSW_THRESHOLD)')
    .option('--json', 'print the report as one JSON object');

  addIndexFlags(command).action((folder: string | undefined, flags: IngestFlags) =>
    run(
      async ({ config, logger }) => {
        const { ingestFolder } = await import('../../engine/knowledge.js');

        // Ctrl-C stops the ingest at its next check; the unfinished build folder is removed before the exit.
        const controller = new AbortController();
        const onInterrupt = (): void => controller.abort(new Error('ingest interrupted; the previous index is unchanged'));
        process.once('SIGINT', onInterrupt);
        const progress = process.stderr.isTTY === true ? new ProgressLine() : undefined;
        try {
          const report = await ingestFolder({
            config,
            logger,
            folder: folder ?? config.knowledgeDir,
            onProgress: progress ? (p) => progress.update(p) : undefined,
            signal: controller.signal,
          });
          progress?.clear();
          console.log(flags.json ? JSON.stringify(report) : formatReport(report));
        } catch (error) {
          if (!controller.signal.aborted) throw error;
          progress?.clear();
          console.error('Ingest cancelled; the previous index is unchanged.');
          // 128 + SIGINT (2), the exit code shells expect from a program stopped by Ctrl-C.
          process.exitCode = 130;
        } finally {
          progress?.clear();
          process.off('SIGINT', onInterrupt);
        }
      },
      {
        ...indexOverrides(flags),
        EMBEDDING_BATCH_SIZE: flags.batchSize,
        CHUNK_TOKENS: flags.chunkTokens,
        CHUNK_OVERLAP_TOKENS: flags.chunkOverlap,
        HNSW_THRESHOLD: flags.hnswThreshold,
      },
    ),
  );
};

/** Formats an ingest report for people: counts, one line per skipped file, then any warnings. */
export function formatReport(report: IngestReport): string {
  const lines = [
    `Indexed ${countOf(report.files, 'file')}: ${report.added} added, ${report.changed} changed, ${report.removed} removed, ${report.unchanged} unchanged.`,
    `${countOf(report.chunks, 'chunk')}, ${report.embedded} embedded in this run; index version ${report.version}; ${(report.ms / 1000).toFixed(1)} s.`,
  ];
  if (report.skipped.length > 0) {
    lines.push(`Skipped ${countOf(report.skipped.length, 'file')}:`);
    for (const file of report.skipped) lines.push(`  ${file.path}: ${file.reason}`);
  }
  for (const warning of report.warnings ?? []) lines.push(`Warning: ${warning}`);
  return lines.join('\n');
}

/** One self-overwriting status line on stderr, redrawn at most every 100 ms. */
class ProgressLine {
  private lastDraw = 0;
  private drawn = false;

  update(progress: IngestProgress): void {
    const now = Date.now();
    if (progress.phase !== 'done' && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const rate = progress.chunksPerSecond > 0 ? `, ${progress.chunksPerSecond} chunks/s` : '';
    process.stderr.write(`\r\x1b[2K${progress.phase}: ${progress.files}/${progress.totalFiles} files, ${countOf(progress.chunks, 'chunk')}${rate}`);
    this.drawn = true;
  }

  clear(): void {
    if (this.drawn) process.stderr.write('\r\x1b[2K');
    this.drawn = false;
  }
}
