// `ragbot search "<query>"`: ranked chunks with source, heading path and score.
import type { Command } from 'commander';
import type { SearchHit, SearchMode } from '../../engine/types.js';
import type { RegisterCommand } from '../run.js';
import { addIndexFlags, indexOverrides, type IndexFlags } from './index-options.js';

/** Options of `ragbot search`. */
interface SearchFlags extends IndexFlags {
  k?: string;
  mode?: SearchMode;
  json?: boolean;
}

/** Characters of chunk text shown under each hit. */
const previewChars = 240;

/** Registers `ragbot search`. */
export const registerSearch: RegisterCommand = (program: Command, run) => {
  const command = program
    .command('search')
    .description('Show the chunks that retrieval finds for a query, best first, without calling a language model.')
    .argument('<query...>', 'the query; quote it, or write it as separate words')
    .option('--k <n>', 'number of results (SEARCH_TOP_K)')
    .option('--mode <mode>', 'dense, lexical or hybrid (SEARCH_MODE)')
    .option('--json', 'print one JSON object with hits and timings');

  addIndexFlags(command).action((words: string[], flags: SearchFlags) =>
    run(
      async ({ config, logger }) => {
        const { openKnowledgeBase } = await import('../../engine/knowledge.js');
        const knowledge = await openKnowledgeBase({ config, logger });
        try {
          const result = await knowledge.search(words.join(' '), { k: config.searchTopK, mode: config.searchMode });
          if (flags.json) {
            console.log(JSON.stringify({ mode: config.searchMode, index: knowledge.info(), ...result }));
          } else if (result.hits.length === 0) {
            console.log('No chunk cleared the minimum relevance for this query.');
          } else {
            console.log(result.hits.map(formatHit).join('\n\n'));
          }
        } finally {
          await knowledge.close();
        }
      },
      { ...indexOverrides(flags), SEARCH_TOP_K: flags.k, SEARCH_MODE: flags.mode },
    ),
  );
};

function formatHit(hit: SearchHit): string {
  const { chunk } = hit;
  const text = chunk.text.replace(/\s+/g, ' ').trim();
  const preview = text.length > previewChars ? `${text.slice(0, previewChars)}…` : text;
  const heading = chunk.heading === '' ? '' : `  ${chunk.heading}`;
  return `${hit.rank}. ${hit.score.toFixed(4)}  ${chunk.source}:${chunk.lineStart}-${chunk.lineEnd}${heading}\n   ${preview}`;
}
