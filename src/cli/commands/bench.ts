// `ragbot bench`: runs the benchmark in bench/run.ts with tsx, passing every
// argument through (see `ragbot bench --help`). The benchmark is TypeScript
// outside the compiled package, so it needs the devDependencies installed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageRoot } from '../../config.js';
import type { RegisterCommand } from '../run.js';

/** Registers `ragbot bench`. */
export const registerBench: RegisterCommand = (program) => {
  program
    .command('bench')
    .description('Measure ingest, query latency, memory, cache, Discord pacing and load, beside LangChain.js (see docs/benchmark.md).')
    .argument('[flags...]', 'benchmark flags, e.g. --quick or --only query,memory; --help lists them')
    .allowUnknownOption()
    .helpOption(false)
    .action(async (flags: string[]) => {
      process.exitCode = await runBenchmark(flags);
    });
};

/** Runs bench/run.ts in a child node process with the tsx loader; resolves with its exit code. */
async function runBenchmark(flags: string[]): Promise<number> {
  const script = path.join(packageRoot, 'bench', 'run.ts');
  if (!existsSync(script)) {
    console.error(`ragbot bench: ${script} was not found. Run the benchmark from a clone of the ragbot repository.`);
    return 1;
  }

  try {
    createRequire(path.join(packageRoot, 'package.json')).resolve('tsx');
  } catch {
    console.error('ragbot bench: tsx is not installed. It is a devDependency: run `npm install` (without --omit=dev) in the repository, then retry.');
    return 1;
  }

  // `--import tsx` resolves from the working directory, hence cwd: packageRoot.
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...flags], { stdio: 'inherit', cwd: packageRoot });
  return new Promise<number>((resolve) => {
    child.on('error', (error) => {
      console.error(`ragbot bench: could not start the benchmark: ${error.message}`);
      resolve(1);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}
