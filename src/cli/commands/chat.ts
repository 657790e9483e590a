// `ragbot chat`: placeholder until its module lands.
import type { RegisterCommand } from '../run.js';

/** Registers `ragbot chat`. */
export const registerChat: RegisterCommand = (program) => {
  program.command('chat').description('(not built yet)').action(() => {
    console.error('ragbot chat is not built yet.');
    process.exitCode = 1;
  });
};
