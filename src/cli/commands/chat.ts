// `ragbot chat`: a conversation with the indexed docs in the terminal, or over
// piped stdin (one question per line).
import type { Command } from 'commander';
import type { RegisterCommand } from '../run.js';
import { addIndexFlags, indexOverrides, type IndexFlags } from './index-options.js';

/** Options of `ragbot chat`. */
interface ChatOptions extends IndexFlags {
  compact?: boolean;
}

/** Registers `ragbot chat`. */
export const registerChat: RegisterCommand = (program: Command, run) => {
  const command = program
    .command('chat')
    .description('Talk with the indexed docs: one question per line, /reset clears the conversation, Ctrl-C cancels an answer, Ctrl-D leaves.')
    .option('--compact', 'shorter answers, at most 800 new tokens and a 15 s time limit each');

  addIndexFlags(command).action((options: ChatOptions) =>
    run(
      async ({ config, logger }) => {
        const [{ openConsoleEngine }, { ConsoleChat }] = await Promise.all([
          import('../../bots/console/open-engine.js'),
          import('../../bots/console/console-chat.js'),
        ]);
        const opened = await openConsoleEngine(config, logger);
        const chat = new ConsoleChat({
          engine: opened.engine,
          input: process.stdin,
          output: process.stdout,
          session: opened.session,
          profile: options.compact ? 'compact' : 'normal',
        });

        // On a terminal readline turns Ctrl-C into its own event; with piped stdin the signal arrives here.
        const onInterrupt = () => chat.interrupt();
        process.on('SIGINT', onInterrupt);
        try {
          await chat.run();
        } finally {
          process.off('SIGINT', onInterrupt);
          await opened.close();
        }
      },
      indexOverrides(options),
    ),
  );
};
