// `ragbot serve`: placeholder until its module lands.
import type { RegisterCommand } from '../run.js';

/** Registers `ragbot serve`. */
export const registerServe: RegisterCommand = (program) => {
  program.command('serve').description('(not built yet)').action(() => {
    console.error('ragbot serve is not built yet.');
    process.exitCode = 1;
  });
};
