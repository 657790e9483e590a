// `ragbot search`: placeholder until its module lands.
import type { RegisterCommand } from '../run.js';

/** Registers `ragbot search`. */
export const registerSearch: RegisterCommand = (program) => {
  program.command('search').description('(not built yet)').action(() => {
    console.error('ragbot search is not built yet.');
    process.exitCode = 1;
  });
};
