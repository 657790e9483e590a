import { existsSync } from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument, embeddingText, type ChunkerOptions } from '../src/engine/ingest/chunker.js';
import { toLines } from '../src/engine/ingest/loaders.js';
import { estimateTokens } from '../src/engine/ingest/tokens.js';
import { sharedPath } from './support/shared-data.js';

// The real bert-base-uncased WordPiece vocabulary, as all-MiniLM-L6-v2 uses it.
const sharedModels = sharedPath('models');
const tokenizerModel = 'minilm-l6-shaped';

let tokenizer: PreTrainedTokenizer;
let countTokens: (text: string) => number;

beforeAll(async () => {
  expect(existsSync(path.join(sharedModels, tokenizerModel, 'tokenizer.json'))).toBe(true);
  env.localModelPath = `${sharedModels}/`;
  env.allowRemoteModels = false;
  tokenizer = await AutoTokenizer.from_pretrained(tokenizerModel);
  countTokens = (text) => tokenizer.encode(text, { add_special_tokens: false }).length;
});

function options(overrides: Partial<ChunkerOptions> = {}): ChunkerOptions {
  return { chunkTokens: 128, overlapTokens: 16, countTokens, ...overrides };
}

function markdown(text: string) {
  return toLines('markdown', text);
}

/** Tokens of the full model input, with [CLS] and [SEP]. */
function inputTokens(chunk: { heading: string; text: string }): number {
  return tokenizer.encode(embeddingText(chunk)).length;
}

const sentence = (n: number) => `Sentence number ${n} explains how Spaces store secrets and variables for each repository.`;

describe('chunkDocument', () => {
  it('splits at headings and keeps the heading path', () => {
    const chunks = chunkDocument(markdown('# Spaces\n\nIntro text.\n\n## Secrets\n\nKeep tokens here.\n\n### Rotation\n\nRotate often.\n\n## Hardware\n\nCPU basic.'), options());
    expect(chunks.map((chunk) => chunk.heading)).toEqual(['Spaces', 'Spaces > Secrets', 'Spaces > Secrets > Rotation', 'Spaces > Hardware']);
    expect(chunks[1]?.text).toBe('Keep tokens here.');
  });

  it('records 1-based line ranges', () => {
    const chunks = chunkDocument(markdown('# Title\n\nfirst paragraph\nstill first\n\n## Next\n\nsecond'), options());
    expect(chunks[0]).toMatchObject({ lineStart: 3, lineEnd: 4 });
    expect(chunks[1]).toMatchObject({ lineStart: 8, lineEnd: 8 });
  });

  it('cleans heading decoration', () => {
    const chunks = chunkDocument(markdown('## Pausing a `Space`[[pause]]\n\nText.'), options());
    expect(chunks[0]?.heading).toBe('Pausing a Space');
  });

  it('ignores headings inside code fences', () => {
    const chunks = chunkDocument(markdown('# Setup\n\n```bash\n# install\npip install x\n```'), options());
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.heading).toBe('Setup');
    expect(chunks[0]?.text).toContain('# install');
  });

  it('never cuts a code block that fits', () => {
    const prose = Array.from({ length: 6 }, (_, n) => sentence(n)).join(' ');
    const code = ['```python', ...Array.from({ length: 12 }, (_, n) => `value_${n} = compute(${n})`), '```'].join('\n');
    const chunks = chunkDocument(markdown(`# Doc\n\n${prose}\n\n${code}\n\n${prose}`), options());
    const withCode = chunks.filter((chunk) => chunk.text.includes('value_0'));
    expect(withCode).toHaveLength(1);
    expect(withCode[0]?.text).toContain(code);
  });

  it('keeps a table whole when it fits', () => {
    const table = ['| Hardware | CPU | Price |', '|---|---|---|', ...Array.from({ length: 8 }, (_, n) => `| tier-${n} | ${n} vCPU | $${n} |`)].join('\n');
    const prose = Array.from({ length: 6 }, (_, n) => sentence(n)).join(' ');
    const chunks = chunkDocument(markdown(`# Doc\n\n${prose}\n\n${table}\n\n${prose}`), options());
    const withTable = chunks.filter((chunk) => chunk.text.includes('tier-0'));
    expect(withTable).toHaveLength(1);
    expect(withTable[0]?.text).toContain(table);
  });

  it('repeats the header when a long table is split', () => {
    const rows = Array.from({ length: 60 }, (_, n) => `| tier-${n} | ${n} vCPU | $${n} per hour |`);
    const chunks = chunkDocument(markdown(`# Doc\n\n| Hardware | CPU | Price |\n|---|---|---|\n${rows.join('\n')}`), options());
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.text.startsWith('| Hardware | CPU | Price |\n|---|---|---|')).toBe(true);
  });

  it('reopens the fence when a long code block is split', () => {
    const lines = Array.from({ length: 80 }, (_, n) => `result_${n} = transform(input_${n}, factor=${n})`);
    const chunks = chunkDocument(markdown(`# Doc\n\n\`\`\`python\n${lines.join('\n')}\n\`\`\``), options());
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.text.startsWith('```python\n')).toBe(true);
      expect(chunk.text.endsWith('\n```')).toBe(true);
    }
  });

  it('respects the token budget with the MiniLM tokenizer', () => {
    const longLine = Array.from({ length: 40 }, (_, n) => sentence(n)).join(' ');
    const text = `# Budget\n\n## Long paragraph\n\n${longLine}\n\n## Many lines\n\n${Array.from({ length: 50 }, (_, n) => sentence(n)).join('\n')}`;
    for (const chunkTokens of [64, 128, 200, 256]) {
      const chunks = chunkDocument(markdown(text), options({ chunkTokens }));
      expect(chunks.length).toBeGreaterThan(1);
      for (const chunk of chunks) expect(inputTokens(chunk)).toBeLessThanOrEqual(chunkTokens);
    }
  });

  it('splits a single over-long word', () => {
    // WordPiece turns words over 100 characters into one [UNK], so the blob stays below that.
    const blob = 'x9Q'.repeat(33);
    expect(countTokens(blob)).toBeGreaterThan(32);
    const chunks = chunkDocument(markdown(`# Blob\n\n${blob}`), options({ chunkTokens: 32, overlapTokens: 0 }));
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(blob);
    for (const chunk of chunks) expect(inputTokens(chunk)).toBeLessThanOrEqual(32);
  });

  it('overlaps consecutive chunks of a section', () => {
    const lines = Array.from({ length: 30 }, (_, n) => sentence(n));
    const chunks = chunkDocument(markdown(`# Overlap\n\n${lines.join('\n')}`), options({ overlapTokens: 24 }));
    expect(chunks.length).toBeGreaterThan(1);
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1]!;
      const firstLine = chunks[i]!.text.split('\n')[0]!;
      expect(previous.text).toContain(firstLine);
      expect(chunks[i]!.lineStart).toBeLessThanOrEqual(previous.lineEnd);
    }
  });

  it('has no overlap when it is set to zero', () => {
    const lines = Array.from({ length: 30 }, (_, n) => sentence(n));
    const chunks = chunkDocument(markdown(`# Overlap\n\n${lines.join('\n')}`), options({ overlapTokens: 0 }));
    for (let i = 1; i < chunks.length; i++) expect(chunks[i]!.lineStart).toBe(chunks[i - 1]!.lineEnd + 1);
  });

  it('drops front matter and HTML comments', () => {
    const lines = markdown('---\ntitle: Secret title\ntags: [a]\n---\n# Doc\n\n<!-- hidden note\nover two lines -->\nVisible text.');
    const chunks = chunkDocument(lines, options());
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.text).toBe('Visible text.');
    expect(chunks[0]?.lineStart).toBe(9);
  });

  it('strips HTML tags in Markdown but keeps their text and code', () => {
    const chunks = chunkDocument(markdown('# Doc\n\nPay with <a href="https://x">PRO</a> plans.<br>Use `<your-token>` here.\n\n<Tip warning={true}>\nBe careful.\n</Tip>'), options());
    const text = chunks.map((chunk) => chunk.text).join('\n');
    expect(text).toContain('Pay with PRO plans.');
    expect(text).toContain('`<your-token>`');
    expect(text).toContain('Be careful.');
    expect(text).not.toContain('<Tip');
    expect(text).not.toContain('href');
  });
});

describe('HTML sources', () => {
  const html = [
    '<html><head><title>T</title><style>body { color: red }</style></head>',
    '<body>',
    '<h1>Guide</h1>',
    '<p>First &amp; <b>bold</b> paragraph.</p>',
    '<!-- a comment -->',
    '<script>var secret = 1;</script>',
    '<h2>Install</h2>',
    '<pre><code>pip install ragbot',
    'ragbot ingest</code></pre>',
    '<ul><li>one</li><li>two</li></ul>',
    '</body></html>',
  ].join('\n');

  it('strips tags and keeps the structure', () => {
    const chunks = chunkDocument(toLines('html', html), options());
    expect(chunks.map((chunk) => chunk.heading)).toEqual(['Guide', 'Guide > Install']);
    expect(chunks[0]?.text).toBe('First & bold paragraph.');
    expect(chunks[1]?.text).toContain('```\npip install ragbot\nragbot ingest\n```');
    expect(chunks[1]?.text).toContain('- one\n- two');
    const all = chunks.map((chunk) => chunk.text).join('\n');
    expect(all).not.toContain('secret');
    expect(all).not.toContain('color');
    expect(all).not.toContain('comment');
  });

  it('maps lines back to the source', () => {
    const chunks = chunkDocument(toLines('html', html), options());
    expect(chunks[0]).toMatchObject({ lineStart: 4, lineEnd: 4 });
    expect(chunks[1]?.lineStart).toBe(8);
    expect(chunks[1]?.lineEnd).toBe(10);
  });
});

describe('estimateTokens', () => {
  it('keeps chunks within the MiniLM budget', () => {
    const text = [
      '# Keys',
      '',
      Array.from({ length: 30 }, (_, n) => sentence(n)).join(' '),
      '',
      '```',
      ...Array.from({ length: 20 }, (_, n) => `AAAAB3NzaC1yc2EAAAADAQABAAABgQDtPB${n}snz63eZvTrbMY2Qt39a6HYile89JOum55z3lhIqAq`),
      '```',
    ].join('\n');
    const chunks = chunkDocument(markdown(text), options({ chunkTokens: 128, countTokens: estimateTokens }));
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(inputTokens(chunk)).toBeLessThanOrEqual(128);
  });

  it('is not below the MiniLM count on sample lines', () => {
    const samples = [
      'Hugging Face Spaces make it easy for you to create and deploy ML-powered demos in minutes.',
      'hf jobs uv run --with trl --flavor a10g-small -s HF_TOKEN -- sft.py',
      '| CPU Basic | 2 vCPU | 16 GB | FREE |',
      'export HF_HOME=/mnt/drive/huggingface; python -c "import torch; print(torch.cuda.is_available())"',
      'Q4_K_M, Q5_K_S and IQ2_XXS quantization types use 4.5, 5.5 and 2.06 bits per weight.',
      'Zürich naïve café résumé — “quoted” text…',
    ];
    for (const sample of samples) expect(estimateTokens(sample)).toBeGreaterThanOrEqual(countTokens(sample));
  });
});
