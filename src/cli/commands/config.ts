// `ragbot config`: placeholder until its module lands.
import type { RegisterCommand } from '../run.js';

/** Registers `ragbot config`. */
export const registerConfig: RegisterCommand = (program) => {
  program.command('config').description('(not built yet)').action(() => {
    console.error('ragbot config is not built yet.');
    process.exitCode = 1;
  });
};
