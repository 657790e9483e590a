// Generates the tiny BERT-shaped embedding model used by the tests, in the
// transformers.js local layout:
//
//   config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json
//   onnx/model.onnx            fp32 token-embedding lookup
//   onnx/model_quantized.onnx  the same with int8 weights (DequantizeLinear), for dtype q8
//
// The model is only a token-embedding lookup: `last_hidden_state` is the row of
// each input id, zeroed where attention_mask is 0. Mean pooling then gives a
// bag-of-words vector. Each word's row is a seeded random unit vector scaled by
// the word's IDF in the corpus, so common words weigh little; the special tokens
// and [UNK] are zero. The vocabulary is the most widespread words of the corpus.
//
// Usage: npx tsx scripts/make-tiny-model.ts <corpus-folder> [output-folder] [--vocab N] [--dims D]
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** The subset of the ONNX protobuf schema (onnx.proto, IR version 8) that this model needs. */
const onnxSchema = `
syntax = "proto2";
package onnx;
message AttributeProto { optional string name = 1; optional float f = 2; optional int64 i = 3; optional bytes s = 4; repeated int64 ints = 8; optional int32 type = 20; }
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message NodeProto { repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4; repeated AttributeProto attribute = 5; optional string domain = 7; }
message TensorProto { repeated int64 dims = 1; optional int32 data_type = 2; optional string name = 8; optional bytes raw_data = 9; }
message TensorShapeProto { message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; } repeated Dimension dim = 1; }
message TypeProto { message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; } optional Tensor tensor_type = 1; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message GraphProto { repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message ModelProto { optional int64 ir_version = 1; optional string producer_name = 2; optional GraphProto graph = 7; repeated OperatorSetIdProto opset_import = 8; }
`;

/** ONNX TensorProto.DataType values. */
const dataType = { float: 1, int8: 3, int64: 7 } as const;
/** ONNX AttributeProto.AttributeType value for a single integer. */
const attributeInt = 2;

interface Options {
  corpus: string;
  output: string;
  vocabSize: number;
  dims: number;
}

function parseArgs(argv: string[]): Options {
  const positional: string[] = [];
  let vocabSize = 4000;
  let dims = 64;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--vocab') vocabSize = Number(argv[++i]);
    else if (arg === '--dims') dims = Number(argv[++i]);
    else positional.push(arg);
  }
  const [corpus, output = 'tests/fixtures/tiny-model'] = positional;
  if (corpus === undefined) throw new Error('Expected a corpus folder: npx tsx scripts/make-tiny-model.ts <corpus-folder> [output-folder]');
  if (!Number.isInteger(vocabSize) || vocabSize < 10) throw new Error('Expected `--vocab` to be a whole number from 10 and up');
  if (!Number.isInteger(dims) || dims < 2) throw new Error('Expected `--dims` to be a whole number from 2 and up');
  return { corpus, output, vocabSize, dims };
}

/** Lowercased words as BERT's basic tokenizer splits them (letters and digits; punctuation apart). */
function words(text: string): string[] {
  return text.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').match(/[\p{L}\p{N}]+/gu) ?? [];
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (name.startsWith('.')) return [];
      if (statSync(full).isDirectory()) return listFiles(full);
      return /\.(md|mdx|markdown|txt|html?)$/i.test(name) ? [full] : [];
    });
}

/** Document frequency of every word over the corpus files. */
function documentFrequencies(files: string[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const file of files) {
    for (const word of new Set(words(readFileSync(file, 'utf8')))) df.set(word, (df.get(word) ?? 0) + 1);
  }
  return df;
}

/** Seeded generator (mulberry32) so the fixture is reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Embedding table [vocab, dims]: random unit rows scaled by IDF; specials stay zero. */
function embeddingTable(vocab: string[], df: Map<string, number>, documents: number, dims: number): Float32Array {
  const random = seededRandom(42);
  const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const table = new Float32Array(vocab.length * dims);
  vocab.forEach((word, row) => {
    if ((specials as readonly string[]).includes(word)) return;
    const idf = Math.log(1 + documents / (df.get(word) ?? 1));
    const vector = Array.from({ length: dims }, gaussian);
    const norm = Math.hypot(...vector);
    vector.forEach((value, d) => {
      table[row * dims + d] = (value / norm) * idf;
    });
  });
  return table;
}

function tokenizerJson(vocab: string[]): object {
  const ids = Object.fromEntries(vocab.map((word, id) => [word, id]));
  const special = (token: string) => ({ id: ids[token], content: token, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [ids['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [ids['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
  };
}

/** Encodes the ONNX graph: Gather rows of the table by input_ids, times the attention mask. */
function onnxModel(root: protobuf.Root, table: Float32Array, vocabSize: number, dims: number, quantized: boolean): Uint8Array {
  const tensorInput = (name: string, elemType: number, shape: (string | number)[]) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const initializers: object[] = [{ name: 'unsqueeze_axes', dataType: dataType.int64, dims: [1], rawData: Buffer.from(new BigInt64Array([-1n]).buffer) }];
  const nodes: object[] = [];

  if (quantized) {
    // Symmetric per-tensor int8: value = int8 * scale.
    let max = 0;
    for (const value of table) max = Math.max(max, Math.abs(value));
    const scale = max / 127 || 1;
    const q = new Int8Array(table.length);
    table.forEach((value, i) => {
      q[i] = Math.max(-127, Math.min(127, Math.round(value / scale)));
    });
    initializers.push(
      { name: 'word_embeddings_quantized', dataType: dataType.int8, dims: [vocabSize, dims], rawData: Buffer.from(q.buffer) },
      { name: 'word_embeddings_scale', dataType: dataType.float, dims: [], rawData: Buffer.from(new Float32Array([scale]).buffer) },
      { name: 'word_embeddings_zero_point', dataType: dataType.int8, dims: [], rawData: Buffer.from(new Int8Array([0]).buffer) },
    );
    nodes.push({ opType: 'DequantizeLinear', name: 'dequantize', input: ['word_embeddings_quantized', 'word_embeddings_scale', 'word_embeddings_zero_point'], output: ['word_embeddings'] });
  } else {
    initializers.push({ name: 'word_embeddings', dataType: dataType.float, dims: [vocabSize, dims], rawData: Buffer.from(table.buffer) });
  }

  nodes.push(
    { opType: 'Gather', name: 'lookup', input: ['word_embeddings', 'input_ids'], output: ['token_embeddings'], attribute: [{ name: 'axis', type: attributeInt, i: 0 }] },
    { opType: 'Cast', name: 'mask_to_float', input: ['attention_mask'], output: ['mask_float'], attribute: [{ name: 'to', type: attributeInt, i: dataType.float }] },
    { opType: 'Unsqueeze', name: 'mask_last_axis', input: ['mask_float', 'unsqueeze_axes'], output: ['mask_expanded'] },
    { opType: 'Mul', name: 'apply_mask', input: ['token_embeddings', 'mask_expanded'], output: ['last_hidden_state'] },
  );

  const ModelProto = root.lookupType('onnx.ModelProto');
  const model = {
    irVersion: 8,
    producerName: 'ragbot make-tiny-model',
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'tiny_bag_of_words',
      node: nodes,
      initializer: initializers,
      // token_type_ids is declared, as in BERT, so the pipeline feeds it; the lookup ignores it.
      input: [
        tensorInput('input_ids', dataType.int64, ['batch_size', 'sequence_length']),
        tensorInput('attention_mask', dataType.int64, ['batch_size', 'sequence_length']),
        tensorInput('token_type_ids', dataType.int64, ['batch_size', 'sequence_length']),
      ],
      output: [tensorInput('last_hidden_state', dataType.float, ['batch_size', 'sequence_length', dims])],
    },
  };
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const files = listFiles(options.corpus);
  if (files.length === 0) throw new Error(`No Markdown, text or HTML files found in ${options.corpus}`);
  const df = documentFrequencies(files);

  // The most widespread words, ties broken alphabetically so the output is stable.
  const ranked = [...df.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([word]) => word);
  const vocab = [...specials, ...ranked.slice(0, options.vocabSize - specials.length)];
  const table = embeddingTable(vocab, df, files.length, options.dims);

  const root = protobuf.parse(onnxSchema).root;
  mkdirSync(path.join(options.output, 'onnx'), { recursive: true });
  const write = (name: string, content: string | Uint8Array): void => writeFileSync(path.join(options.output, name), content);

  write('config.json', `${JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], vocab_size: vocab.length, hidden_size: options.dims, num_hidden_layers: 0, num_attention_heads: 1, max_position_embeddings: 512, type_vocab_size: 2, pad_token_id: 0 }, null, 2)}\n`);
  write('tokenizer.json', `${JSON.stringify(tokenizerJson(vocab))}\n`);
  write('tokenizer_config.json', `${JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 512, unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' }, null, 2)}\n`);
  write('special_tokens_map.json', `${JSON.stringify({ unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' }, null, 2)}\n`);
  write('onnx/model.onnx', onnxModel(root, table, vocab.length, options.dims, false));
  write('onnx/model_quantized.onnx', onnxModel(root, table, vocab.length, options.dims, true));
  console.log(`Wrote ${options.output}: ${vocab.length} tokens, ${options.dims} dimensions, from ${files.length} files.`);
}

main();
