// Runs one benchmark section in a child process, so that its peak RSS and its
// native threads are its own. The child prints exactly one result line that
// starts with `resultMarker`; everything else it writes is passed through.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Prefix of the one stdout line that carries a child's JSON result. */
export const resultMarker = '@@bench-result ';

/** Prefix of the stderr line that carries a failed child's error message. */
const errorMarker = '@@bench-error ';

/** Folder of the child scripts. */
const childrenDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'children');

/** Thrown when a child exits without a result; `stderrTail` contains its last output lines or why it was killed. */
export class ChildRunError extends Error {
  override readonly name = 'ChildRunError';

  constructor(
    readonly script: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    super(`${script} exited with code ${exitCode ?? 'none'} and no result${stderrTail ? `: ${stderrTail}` : ''}`);
  }
}

/** Options of `runChild`. */
export interface RunChildOptions {
  /** Kill the child after this many milliseconds (liveness only, not a speed bound). */
  timeoutMs: number;
  /** Kill the child when its RSS goes above this many MB, to protect other processes on the machine. */
  maxRssMB: number;
  /** Passes the child's stderr through when true. */
  verbose?: boolean;
}

/** Runs `bench/children/<script>` with `input` as JSON and resolves with the JSON it prints. */
export function runChild<T>(script: string, input: unknown, options: RunChildOptions): Promise<T> {
  const tsxLoader = import.meta.resolve('tsx');
  const args = ['--expose-gc', '--import', tsxLoader, path.join(childrenDir, script), JSON.stringify(input)];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-8000);
    if (options.verbose) process.stderr.write(text);
  });

  return new Promise<T>((resolve, reject) => {
    let stopReason: string | undefined;
    const stop = (reason: string): void => {
      stopReason = reason;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`killed after ${options.timeoutMs} ms`), options.timeoutMs);
    const watchdog = setInterval(() => {
      const rss = child.pid === undefined ? undefined : readRssMB(child.pid);
      if (rss !== undefined && rss > options.maxRssMB) stop(`killed at ${Math.round(rss)} MB RSS, above the ${options.maxRssMB} MB cap`);
    }, 100);
    child.on('error', (error) => {
      clearTimeout(timer);
      clearInterval(watchdog);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watchdog);
      const line = stdout.split('\n').find((l) => l.startsWith(resultMarker));
      if (line === undefined) {
        const errorLine = stderr.split('\n').find((l) => l.startsWith(errorMarker));
        const tail = errorLine?.slice(errorMarker.length) ?? stderr.trim().split('\n').slice(-6).join('\n');
        let reason = tail;
        if (stopReason !== undefined) reason = stopReason;
        else if (signal !== null) reason = `killed by ${signal}, possibly by the kernel for lack of memory. ${tail}`;
        reject(new ChildRunError(script, code, reason.trim()));
        return;
      }
      resolve(JSON.parse(line.slice(resultMarker.length)) as T);
    });
  });
}

/** Reads the RSS of process `pid` in MB from /proc, or undefined where /proc is missing. */
function readRssMB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the JSON input that `runChild` passed to this child process. */
export function readChildInput<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('Expected the benchmark input as a JSON argument; run this script through bench/run.ts.');
  return JSON.parse(raw) as T;
}

/** Prints the result line of this child process, then exits once stdout has taken it. */
export function writeChildResult(result: unknown): void {
  // Exiting explicitly, because native thread pools can keep the event loop alive.
  process.stdout.write(`${resultMarker}${JSON.stringify(result)}\n`, () => process.exit(0));
}

/** Runs `main` as a child's body: prints its result, or prints the error and exits with code 1. */
export function runChildMain<I>(main: (input: I) => Promise<unknown>): void {
  main(readChildInput<I>()).then(
    (result) => writeChildResult(result),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      const stack = error instanceof Error ? (error.stack ?? message) : message;
      process.stderr.write(`${stack}\n${errorMarker}${message.replace(/\s+/g, ' ')}\n`, () => process.exit(1));
    },
  );
}
