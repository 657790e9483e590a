// `ragbot ask` and `ragbot chat` run from source against an index in a folder
// other than DATA_DIR, chosen with --data-dir like `ingest` and `search`.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const repoRoot = path.resolve('.');
const cliArgs = ['--import', 'tsx', 'src/cli/main.ts'];

let workDir: string;
let indexDir: string;
let env: NodeJS.ProcessEnv;

/** Runs the ragbot CLI and returns its exit code and output. */
async function ragbot(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [...cliArgs, ...args], { cwd: repoRoot, env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Runs `ragbot chat` with `input` piped to stdin and returns its exit code and stdout. */
async function chat(input: string, ...args: string[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [...cliArgs, 'chat', ...args], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString('utf8')));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout };
}

beforeAll(async () => {
  workDir = mkdtempSync(path.join(tmpdir(), 'ragbot-ask-cli-'));
  indexDir = path.join(workDir, 'elsewhere');
  const docs = path.join(workDir, 'docs');
  mkdirSync(docs);
  writeFileSync(path.join(docs, 'secrets.md'), '# Secrets\n\nAdd secrets in the Settings tab of your Space. Secrets are exposed as environment variables.\n');
  writeFileSync(path.join(docs, 'ports.md'), '# Ports\n\nDocker Spaces listen on port 7860 by default. Set app_port in the README metadata to change it.\n');

  env = {
    PATH: process.env.PATH,
    HOME: workDir,
    // The default data folder stays empty: only --data-dir leads to the index.
    DATA_DIR: path.join(workDir, 'data'),
    MODELS_DIR: path.join(repoRoot, 'tests/fixtures'),
    MODELS_CACHE_DIR: path.join(workDir, 'cache'),
    EMBEDDING_MODEL: 'tiny-model',
    ALLOW_REMOTE_MODELS: 'false',
    SEARCH_MODE: 'lexical',
    LOG_LEVEL: 'warn',
  };
  const ingest = await ragbot('ingest', docs, '--data-dir', indexDir);
  expect(ingest.code, ingest.stderr).toBe(0);
}, 180_000);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('ragbot ask and chat', () => {
  it('ask reads the index from --data-dir', async () => {
    const result = await ragbot('ask', '--data-dir', indexDir, '--json', 'Which port do Docker Spaces listen on?');

    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as { answer: string; sources: Array<{ path: string }> };
    expect(output.answer).toContain('7860');
    expect(output.sources.map((source) => source.path)).toContain('ports.md');
  }, 120_000);

  it('ask without --data-dir uses DATA_DIR', async () => {
    const result = await ragbot('ask', '--json', 'Which port do Docker Spaces listen on?');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`No index found in ${path.join(workDir, 'data')}`);
  }, 120_000);

  it('chat reads the index from --data-dir', async () => {
    const result = await chat('How do I add secrets?\n', '--data-dir', indexDir);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Settings tab');
    expect(result.stdout).toContain('secrets.md');
  }, 120_000);
});
