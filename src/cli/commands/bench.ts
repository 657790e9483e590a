// `ragbot bench`: placeholder until its module lands.
import type { RegisterCommand } from '../run.js';

/** Registers `ragbot bench`. */
export const registerBench: RegisterCommand = (program) => {
  program.command('bench').description('(not built yet)').action(() => {
    console.error('ragbot bench is not built yet.');
    process.exitCode = 1;
  });
};
