// `ragbot eval`: placeholder until its module lands.
import type { RegisterCommand } from '../run.js';

/** Registers `ragbot eval`. */
export const registerEval: RegisterCommand = (program) => {
  program.command('eval').description('(not built yet)').action(() => {
    console.error('ragbot eval is not built yet.');
    process.exitCode = 1;
  });
};
