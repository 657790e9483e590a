// Runs `ragbot serve` as a child process (`node --import tsx src/cli/main.ts`)
// for end-to-end tests, with its JSON log lines parsed as they arrive, and a
// proxy that can hold Slack's auth.test so that a test controls when the
// Slack platform counts as connected.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the repository, where `node_modules/tsx` and `src/cli/main.ts` are. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A running or finished `ragbot` child process. */
export interface RagbotProcess {
  child: ChildProcess;
  /** Parsed JSON lines of stdout so far; other lines are kept in `stdout()` only. */
  logs(): Array<Record<string, unknown>>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128 + signal number when killed). */
  exited: Promise<number>;
  /** Waits for a log line that matches `predicate` and returns it. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Environment that every test run gets: the tiny local model, no downloads, localhost only. */
export function baseEnv(dataDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    MODELS_DIR: path.join(repoRoot, 'tests/fixtures'),
    EMBEDDING_MODEL: 'tiny-model',
    ALLOW_REMOTE_MODELS: 'false',
    LOG_LEVEL: 'info',
  };
}

/** Starts `ragbot <args>` with exactly `env` (the parent's environment is not inherited). */
export function startRagbot(args: string[], env: Record<string, string>): RagbotProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const parsed: Array<Record<string, unknown>> = [];
  let pending = '';

  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    out += text;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        parsed.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A line that is not JSON stays in stdout() only.
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });

  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 0)));
  });

  return {
    child,
    logs: () => parsed,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForLog(predicate, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = parsed.find(predicate);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`ragbot exited with ${child.exitCode} before the expected log line.\nstdout:\n${out}\nstderr:\n${err}`);
        if (Date.now() > end) throw new Error(`Timed out waiting for a log line.\nstdout:\n${out}\nstderr:\n${err}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

/** Returns the port that the service logged after it started listening. */
export async function servicePort(service: RagbotProcess): Promise<number> {
  const line = await service.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('HTTP server listening'));
  return Number(line.port);
}

/** A forwarding proxy in front of the Slack Web API stand-in that can hold auth.test requests. */
export interface HoldingProxy {
  url: string;
  /** Lets held and later auth.test requests through. */
  release(): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 that forwards to `target` and holds auth.test until `release()`. */
export async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const targetUrl = new URL(target);

  const server: Server = createServer((incoming, outgoing) => {
    void (async () => {
      if (incoming.url?.endsWith('/auth.test')) await released;
      const forward = httpRequest(
        { host: targetUrl.hostname, port: targetUrl.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
        (reply) => {
          outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(outgoing);
        },
      );
      forward.on('error', () => outgoing.destroy());
      incoming.pipe(forward);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/`,
    release,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
