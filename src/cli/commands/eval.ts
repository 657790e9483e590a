// `ragbot eval <questions.jsonl>`: file-level retrieval figures for a set of
// questions with expected files.
import type { Command } from 'commander';
import type { EvalOutcome, EvalSummary } from '../../engine/retrieval/evaluate.js';
import type { SearchMode } from '../../engine/types.js';
import { countOf } from '../plural.js';
import type { RegisterCommand } from '../run.js';
import { addIndexFlags, indexOverrides, type IndexFlags } from './index-options.js';

/** Options of `ragbot eval`. */
interface EvalFlags extends IndexFlags {
  mode?: SearchMode;
  k?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Hits retrieved per question; the distinct files among them are ranked. */
const defaultDepth = 20;

/** Registers `ragbot eval`. */
export const registerEval: RegisterCommand = (program: Command, run) => {
  const command = program
    .command('eval')
    .description(
      'Measure retrieval on a JSON Lines file of {"question", "expected_files"}: recall@1, recall@5 and MRR over ' +
        'distinct files (a question counts as found when any expected file is within the first k files), and for ' +
        'questions with no expected files, how often nothing cleared the minimum relevance.',
    )
    .argument('<questions>', 'JSON Lines file of questions')
    .option('--mode <mode>', 'dense, lexical or hybrid (SEARCH_MODE)')
    .option('--k <n>', `hits retrieved per question (default ${defaultDepth})`)
    .option('--json', 'print one JSON object with recall1, recall5, mrr, answerable, unanswerableDeclined')
    .option('--verbose', 'also list each question with the rank of its first expected file');

  addIndexFlags(command).action((file: string, flags: EvalFlags) =>
    run(
      async ({ config, logger }) => {
        const depth = parseDepth(flags.k);
        const { openKnowledgeBase } = await import('../../engine/knowledge.js');
        const { evaluateRetrieval, readQuestions } = await import('../../engine/retrieval/evaluate.js');
        const questions = await readQuestions(file);
        const knowledge = await openKnowledgeBase({ config, logger });
        try {
          const summary = await evaluateRetrieval(knowledge, questions, { mode: config.searchMode, k: depth });
          if (flags.json) {
            const { outcomes, ...figures } = summary;
            console.log(JSON.stringify(flags.verbose ? summary : figures));
          } else {
            console.log(formatSummary(summary, flags.verbose === true));
          }
        } finally {
          await knowledge.close();
        }
      },
      { ...indexOverrides(flags), SEARCH_MODE: flags.mode },
    ),
  );
};

function parseDepth(value: string | undefined): number {
  if (value === undefined) return defaultDepth;
  const depth = Number(value);
  if (!Number.isInteger(depth) || depth < 1 || depth > 100) throw new Error(`Expected \`--k\` to be a whole number from 1 to 100, got "${value}"`);
  return depth;
}

/** Short result of one question: the rank of its first expected file, or whether it got any chunk. */
function outcomeLabel(outcome: EvalOutcome): string {
  if (outcome.expected.length === 0) return outcome.files.length === 0 ? 'declined' : 'answered';
  if (outcome.firstRelevantRank === 0) return 'missed';
  return `rank ${outcome.firstRelevantRank}`;
}

/** Formats the evaluation figures for people; `verbose` adds one line per question. */
export function formatSummary(summary: EvalSummary, verbose: boolean): string {
  const lines = [
    `mode ${summary.mode}, ${countOf(summary.answerable, 'answerable question')}:`,
    `  recall@1 ${summary.recall1.toFixed(3)}   recall@5 ${summary.recall5.toFixed(3)}   MRR ${summary.mrr.toFixed(3)}`,
    `  ${countOf(summary.answerableDeclined, 'answerable question')} got no chunk above the minimum relevance`,
    `${countOf(summary.unanswerable, 'unanswerable question')}: ${(summary.unanswerableDeclined * 100).toFixed(0)}% got no chunk above the minimum relevance`,
  ];
  if (verbose) {
    for (const outcome of summary.outcomes) {
      lines.push(`  ${outcome.id.padEnd(8)} ${outcomeLabel(outcome).padEnd(9)} ${outcome.question}`);
    }
  }
  return lines.join('\n');
}
