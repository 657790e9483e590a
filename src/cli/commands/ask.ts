// `ragbot ask "<question>"`: one question, the answer streamed to the
// terminal with its sources, or one JSON object with --json.
import type { Command } from 'commander';
import { formatSourcesList } from '../../bots/console/format.js';
import { isEngineError, userMessages } from '../../engine/errors.js';
import type { AnswerEvent } from '../../engine/types.js';
import type { RegisterCommand } from '../run.js';
import { addIndexFlags, indexOverrides, type IndexFlags } from './index-options.js';

/** Options of `ragbot ask`. */
interface AskOptions extends IndexFlags {
  compact?: boolean;
  json?: boolean;
}

/** Registers `ragbot ask`. */
export const registerAsk: RegisterCommand = (program: Command, run) => {
  const command = program
    .command('ask')
    .description('Ask one question about the indexed docs and stream the answer with its sources.')
    .argument('<question...>', 'the question; quote it, or write it as separate words')
    .option('--compact', 'shorter answer, at most 800 new tokens and a 15 s time limit')
    .option('--json', 'print one JSON object with answer, sources, cached and timings instead of streaming');

  addIndexFlags(command).action((words: string[], options: AskOptions) =>
    run(
      async ({ config, logger }) => {
        const { openConsoleEngine } = await import('../../bots/console/open-engine.js');
        const opened = await openConsoleEngine(config, logger);

        // Ctrl-C cancels the answer, which closes the model request, before the process ends.
        const controller = new AbortController();
        const onInterrupt = () => controller.abort();
        process.once('SIGINT', onInterrupt);
        try {
          const events = opened.engine.ask({
            question: words.join(' '),
            session: opened.session,
            profile: options.compact ? 'compact' : 'normal',
            signal: controller.signal,
          });
          process.exitCode = options.json ? await printJson(events) : await printStream(events);
        } finally {
          process.off('SIGINT', onInterrupt);
          await opened.close();
        }
      },
      indexOverrides(options),
    ),
  );
};

/** Streams deltas to stdout, then the sources list. Returns the exit code. */
async function printStream(events: AsyncIterable<AnswerEvent>): Promise<number> {
  let wroteText = false;
  try {
    for await (const event of events) {
      if (event.type === 'delta') {
        process.stdout.write(event.text);
        wroteText = true;
        continue;
      }
      const sources = formatSourcesList(event.sources);
      process.stdout.write(sources === '' ? '\n' : `\n\n${sources}\n`);
      return event.end === 'complete' || event.end === 'not_found' ? 0 : 1;
    }
    return 1;
  } catch (error) {
    if (wroteText) process.stdout.write('\n');
    console.error(`ragbot: ${describeFailure(error)}`);
    return 1;
  }
}

/** Prints one JSON object with the final answer, or `{ "error": ... }` on failure. Returns the exit code. */
async function printJson(events: AsyncIterable<AnswerEvent>): Promise<number> {
  try {
    for await (const event of events) {
      if (event.type !== 'final') continue;
      const output = {
        answer: event.answer,
        sources: event.sources.map(({ index, path, heading, score, url }) => ({ index, path, heading, score, ...(url === undefined ? {} : { url }) })),
        cached: event.cached,
        end: event.end,
        timings: event.timings,
      };
      process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
      return event.end === 'complete' || event.end === 'not_found' ? 0 : 1;
    }
    return 1;
  } catch (error) {
    const code = isEngineError(error) ? error.code : 'error';
    process.stdout.write(`${JSON.stringify({ error: { code, message: describeFailure(error) } }, null, 2)}\n`);
    return 1;
  }
}

/** Returns the user-facing sentence and the technical detail of a failed question. */
function describeFailure(error: unknown): string {
  if (isEngineError(error)) return `${userMessages[error.code]} (${error.message})`;
  return error instanceof Error ? error.message : String(error);
}
