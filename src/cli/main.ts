// The `ragbot` command. Each subcommand lives in its own module under
// commands/ and imports its heavy dependencies only when it runs.
import { Command } from 'commander';
import { registerAsk } from './commands/ask.js';
import { registerBench } from './commands/bench.js';
import { registerChat } from './commands/chat.js';
import { registerConfig } from './commands/config.js';
import { registerEval } from './commands/eval.js';
import { registerIngest } from './commands/ingest.js';
import { registerSearch } from './commands/search.js';
import { registerServe } from './commands/serve.js';
import { runCommand } from './run.js';

const program = new Command('ragbot')
  .description('Ask questions of your own documents from Discord and Slack, with streamed, cited answers.')
  .showHelpAfterError();

for (const register of [registerIngest, registerSearch, registerEval, registerAsk, registerChat, registerServe, registerConfig, registerBench]) {
  register(program, runCommand);
}

await program.parseAsync(process.argv);
