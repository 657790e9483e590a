import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from './support/shared-data.js';

const run = promisify(execFile);
const repoRoot = path.resolve('.');
const corpus = sharedPath('corpus', 'hf-hub-docs');

let workDir: string;
let env: NodeJS.ProcessEnv;

/** Runs the ragbot CLI from source and returns its exit code and output. */
async function ragbot(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: repoRoot, env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

beforeAll(() => {
  workDir = mkdtempSync(path.join(tmpdir(), 'ragbot-cli-'));
  const docs = path.join(workDir, 'docs');
  mkdirSync(docs);
  for (const file of ['spaces-custom-domain.md', 'security-gpg.md', 'doi.md', 'webhooks.md']) cpSync(path.join(corpus, 'hub', file), path.join(docs, file));
  writeFileSync(path.join(docs, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(
    path.join(workDir, 'questions.jsonl'),
    [
      JSON.stringify({ id: 'a', question: 'what DNS record do I add for a custom domain on my space', expected_files: ['spaces-custom-domain.md'] }),
      JSON.stringify({ id: 'b', question: 'git config to gpg sign every commit', expected_files: ['security-gpg.md'] }),
      JSON.stringify({ id: 'c', question: 'what is the best pizza recipe in naples', expected_files: [] }),
    ].join('\n'),
  );

  env = {
    PATH: process.env.PATH,
    HOME: workDir,
    DATA_DIR: path.join(workDir, 'data'),
    MODELS_DIR: path.join(repoRoot, 'tests/fixtures'),
    MODELS_CACHE_DIR: path.join(workDir, 'cache'),
    EMBEDDING_MODEL: 'tiny-model',
    ALLOW_REMOTE_MODELS: 'false',
    LOG_LEVEL: 'warn',
  };
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('ragbot CLI', () => {
  it('ingests a folder and reports skipped files', async () => {
    const result = await ragbot('ingest', path.join(workDir, 'docs'), '--json', '--chunk-tokens', '128');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ files: 4, added: 4, skipped: [{ path: 'logo.png' }] });
    expect(report.skipped[0].reason).toMatch(/^unsupported file type \.png/);
  });

  it('searches with source, heading path and score', async () => {
    const result = await ragbot('search', 'custom', 'domain', 'DNS', 'record', '--k', '2', '--mode', 'lexical');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^1\. \d+\.\d{4} {2}spaces-custom-domain\.md:\d+-\d+ {2}\S/m);
  });

  it('prints search results as JSON', async () => {
    const result = await ragbot('search', 'gpg sign commits', '--json', '--k', '3');
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.mode).toBe('hybrid');
    expect(parsed.hits.length).toBeGreaterThan(0);
    expect(parsed.hits.length).toBeLessThanOrEqual(3);
    expect(parsed.hits[0].chunk.source).toBe('security-gpg.md');
  });

  it('evaluates a questions file as JSON', async () => {
    const result = await ragbot('eval', path.join(workDir, 'questions.jsonl'), '--json', '--mode', 'lexical');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(['recall1', 'recall5', 'mrr', 'answerable', 'unanswerableDeclined']));
    expect(summary).toMatchObject({ recall1: 1, recall5: 1, mrr: 1, answerable: 2, unanswerableDeclined: 1 });
  });

  it('explains a missing questions file', async () => {
    const file = path.join(workDir, 'nowhere.jsonl');
    const result = await ragbot('eval', file);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`ragbot: Questions file not found: ${file}. Pass a JSON Lines file with question and expected_files on each line.`);
  });

  it('fails on an empty questions file', async () => {
    const file = path.join(workDir, 'empty.jsonl');
    writeFileSync(file, '\n');
    const result = await ragbot('eval', file);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Questions file ${file} contains no questions.`);
  });

  it('asks for a re-ingest when the model differs', async () => {
    const result = await ragbot('search', 'anything', '--dtype', 'fp32');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('dtype q8');
    expect(result.stderr).toContain('Re-ingest');
  });

  it('warns about a folder without documents', async () => {
    const folder = path.join(workDir, 'images');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const result = await ragbot('ingest', folder, '--data-dir', path.join(workDir, 'images-data'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Warning: The folder ${folder} contains no Markdown, HTML or text files`);
    expect(result.stdout).toContain('1 file was skipped.');
  });

  it('exits 130 when ingest is interrupted', async () => {
    const folder = path.join(workDir, 'large');
    mkdirSync(folder);
    const lines = Array.from({ length: 130_000 }, (_, index) => (index % 50 === 0 ? '' : `- item ${index}`));
    for (const name of ['one.md', 'two.md']) writeFileSync(path.join(folder, name), lines.join('\n'));
    const dataDir = String(env.DATA_DIR);
    const currentFile = path.join(dataDir, 'CURRENT');
    const before = existsSync(currentFile) ? readFileSync(currentFile, 'utf8') : undefined;

    // Info logs show when the model is loaded, so the interrupt lands in the ingest itself.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'ingest', folder], { cwd: repoRoot, env: { ...env, LOG_LEVEL: 'info' } });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
      if (stderr.includes('embedding model loaded') && child.signalCode === null && !child.killed) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));

    expect(code).toBe(130);
    expect(stderr).toContain('Ingest cancelled; the previous index is unchanged.');
    expect(existsSync(currentFile) ? readFileSync(currentFile, 'utf8') : undefined).toBe(before);
    expect(existsSync(dataDir) ? readdirSync(dataDir).filter((name) => name.startsWith('.build-')) : []).toEqual([]);
  });

  it('explains a missing folder', async () => {
    const result = await ragbot('ingest', path.join(workDir, 'nowhere'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The folder to ingest was not found');
  });

  it('explains a missing index', async () => {
    const result = await ragbot('search', 'anything', '--data-dir', path.join(workDir, 'empty'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No index found');
  });
});
