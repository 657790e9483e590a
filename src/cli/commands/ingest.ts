// `ragbot ingest`: placeholder until its module lands.
import type { RegisterCommand } from '../run.js';

/** Registers `ragbot ingest`. */
export const registerIngest: RegisterCommand = (program) => {
  program.command('ingest').description('(not built yet)').action(() => {
    console.error('ragbot ingest is not built yet.');
    process.exitCode = 1;
  });
};
