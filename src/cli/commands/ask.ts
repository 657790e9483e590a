// `ragbot ask`: placeholder until its module lands.
import type { RegisterCommand } from '../run.js';

/** Registers `ragbot ask`. */
export const registerAsk: RegisterCommand = (program) => {
  program.command('ask').description('(not built yet)').action(() => {
    console.error('ragbot ask is not built yet.');
    process.exitCode = 1;
  });
};
