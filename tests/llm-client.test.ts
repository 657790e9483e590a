// The chat model client driven through the real @huggingface/inference client
// against the OpenAI-compatible stand-in on 127.0.0.1.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig, redactConfig } from '../src/config.js';
import { HfChatModel, chatModelAccessToken, createChatModel, isHuggingFaceUrl, type ChatMessage, type ChatModel } from '../src/engine/llm/chat-model.js';
import { ChatModelError, parseRetryAfter } from '../src/engine/llm/errors.js';
import { silentLogger } from '../src/observability/logger.js';
import { startLlmStandin, type LlmStandin } from './support/llm-standin.js';

const messages: ChatMessage[] = [
  { role: 'system', content: 'Answer from the sources.' },
  { role: 'user', content: 'How do I add a secret?' },
];

let standin: LlmStandin;
let model: HfChatModel;

beforeAll(async () => {
  standin = await startLlmStandin();
  model = new HfChatModel({ model: 'test/model', provider: 'auto', endpointUrl: standin.url, logger: silentLogger() });
});

afterAll(async () => {
  await standin.close();
});

beforeEach(() => {
  standin.requests.length = 0;
  standin.setDefault({});
});

/** Collects the stream; returns the text and the error it ended with, if any. */
async function collect(signal = new AbortController().signal): Promise<{ text: string; error?: unknown }> {
  let text = '';
  try {
    for await (const piece of model.stream(messages, { maxTokens: 50, signal })) text += piece;
  } catch (error) {
    return { text, error };
  }
  return { text };
}

describe('HfChatModel', () => {
  it('streams tokens from the endpoint', async () => {
    standin.script({ tokens: ['Set', ' it', ' in', ' Settings', ' [1].'] });

    const { text, error } = await collect();

    expect(error).toBeUndefined();
    expect(text).toBe('Set it in Settings [1].');
  });

  it('posts to /v1/chat/completions with model, messages and max_tokens', async () => {
    await collect();

    const request = standin.requests[0]!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.body.model).toBe('test/model');
    expect(request.body.messages).toEqual(messages);
    expect(request.body.max_tokens).toBe(50);
    expect(request.body.stream).toBe(true);
  });

  it('sends no authorization header without a token', async () => {
    await collect();

    expect(standin.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('waits for a slow first token', async () => {
    standin.script({ tokens: ['late'], firstTokenDelayMs: 300 });

    const { text, error } = await collect();

    expect(error).toBeUndefined();
    expect(text).toBe('late');
  });

  it('reports 429 with Retry-After as rate_limited', async () => {
    standin.script({ fault: { kind: 'status', status: 429, retryAfter: '7' } });

    const { error } = await collect();

    expect(error).toBeInstanceOf(ChatModelError);
    expect((error as ChatModelError).failure).toBe('rate_limited');
    expect((error as ChatModelError).details.status).toBe(429);
    expect((error as ChatModelError).details.retryAfterMs).toBe(7000);
  });

  it('reports 503 as unavailable without retrying', async () => {
    standin.script({ fault: { kind: 'status', status: 503 } });

    const { error } = await collect();

    expect((error as ChatModelError).failure).toBe('unavailable');
    expect((error as ChatModelError).retryable).toBe(true);
    expect(standin.requests).toHaveLength(1);
  });

  it('reports 400 as rejected and not retryable', async () => {
    standin.script({ fault: { kind: 'status', status: 400, body: { error: { message: 'bad model' } } } });

    const { error } = await collect();

    expect((error as ChatModelError).failure).toBe('rejected');
    expect((error as ChatModelError).retryable).toBe(false);
  });

  const midStreamFaults = [
    { name: 'cut connection', fault: { kind: 'cut', afterTokens: 2 } },
    { name: 'malformed chunk', fault: { kind: 'malformed', afterTokens: 2 } },
    { name: 'error event', fault: { kind: 'error-event', afterTokens: 2 } },
    { name: 'missing finish_reason', fault: { kind: 'no-finish' } },
  ] as const;
  for (const { name, fault } of midStreamFaults) {
    it(`reports a ${name} as interrupted after the tokens so far`, async () => {
      standin.script({ tokens: ['one', ' two', ' three'], fault });

      const { text, error } = await collect();

      expect(error).toBeInstanceOf(ChatModelError);
      expect((error as ChatModelError).failure).toBe('interrupted');
      expect(text).toBe(fault.kind === 'no-finish' ? 'one two three' : 'one two');
    });
  }

  it('reports an unreachable server as unavailable', async () => {
    const closed = await startLlmStandin();
    await closed.close();
    const offline = new HfChatModel({ model: 'test/model', provider: 'auto', endpointUrl: closed.url, logger: silentLogger() });

    let caught: unknown;
    try {
      for await (const piece of offline.stream(messages, { maxTokens: 5, signal: new AbortController().signal })) void piece;
    } catch (error) {
      caught = error;
    }

    expect((caught as ChatModelError).failure).toBe('unavailable');
  });

  it('closes the upstream connection on abort', async () => {
    standin.script({ tokens: ['a', 'b', 'c', 'd', 'e', 'f'], gapMs: 200 });
    const controller = new AbortController();

    let received = 0;
    let caught: unknown;
    try {
      for await (const piece of model.stream(messages, { maxTokens: 50, signal: controller.signal })) {
        void piece;
        received += 1;
        if (received === 1) controller.abort();
      }
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeDefined();
    await vi.waitFor(() => expect(standin.abortedCount).toBe(1));
    expect(standin.requests[0]!.tokensSent).toBeLessThan(6);
  });
});

describe('createChatModel', () => {
  it('returns undefined without token and endpoint', () => {
    expect(createChatModel(loadConfig({}), silentLogger())).toBeUndefined();
  });

  it('returns a model for an endpoint', () => {
    const created = createChatModel(loadConfig({ LLM_ENDPOINT_URL: 'http://127.0.0.1:1' }), silentLogger());

    expect(created?.name).toBe('endpoint:Qwen/Qwen2.5-7B-Instruct');
  });

  it('returns a router model for a token', () => {
    const created = createChatModel(loadConfig({ HF_TOKEN: 'hf_test', LLM_PROVIDER: 'together' }), silentLogger());

    expect(created?.name).toBe('together:Qwen/Qwen2.5-7B-Instruct');
  });
});

describe('endpoint tokens', () => {
  /** Streams one answer from the model that `env` configures, against the stand-in. */
  async function askWith(env: Record<string, string>): Promise<void> {
    const created = createChatModel(loadConfig({ LLM_ENDPOINT_URL: standin.url, ...env }), silentLogger()) as ChatModel;
    for await (const piece of created.stream(messages, { maxTokens: 5, signal: new AbortController().signal })) void piece;
  }

  it('keeps HF_TOKEN from a third-party endpoint', async () => {
    await askWith({ HF_TOKEN: 'hf_private_value' });

    expect(standin.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('sends LLM_ENDPOINT_TOKEN to the endpoint', async () => {
    await askWith({ LLM_ENDPOINT_TOKEN: 'endpoint-secret' });

    expect(standin.requests[0]!.headers.authorization).toBe('Bearer endpoint-secret');
  });

  it('prefers LLM_ENDPOINT_TOKEN over HF_TOKEN', async () => {
    await askWith({ HF_TOKEN: 'hf_private_value', LLM_ENDPOINT_TOKEN: 'endpoint-secret' });

    expect(standin.requests[0]!.headers.authorization).toBe('Bearer endpoint-secret');
  });

  const hfEndpoints = [
    'https://xyz123.us-east-1.aws.endpoints.huggingface.cloud',
    'https://router.huggingface.co/v1',
    'https://huggingface.co/api',
    'https://someone-demo.hf.space',
  ];
  for (const url of hfEndpoints) {
    it(`sends HF_TOKEN to ${new URL(url).host}`, () => {
      expect(chatModelAccessToken(loadConfig({ HF_TOKEN: 'hf_private_value', LLM_ENDPOINT_URL: url }))).toBe('hf_private_value');
    });
  }

  const otherEndpoints = [
    'https://llm.example.com',
    'https://huggingface.co.example.com',
    'https://evilhuggingface.co',
    'https://hf.space.example.net',
    'http://router.huggingface.co',
  ];
  for (const url of otherEndpoints) {
    it(`keeps HF_TOKEN from ${url}`, () => {
      expect(isHuggingFaceUrl(url)).toBe(false);
      expect(chatModelAccessToken(loadConfig({ HF_TOKEN: 'hf_private_value', LLM_ENDPOINT_URL: url }))).toBeUndefined();
    });
  }

  it('sends HF_TOKEN to Inference Providers', () => {
    expect(chatModelAccessToken(loadConfig({ HF_TOKEN: 'hf_private_value' }))).toBe('hf_private_value');
  });

  it('rejects LLM_ENDPOINT_TOKEN without an endpoint', () => {
    expect(() => loadConfig({ LLM_ENDPOINT_TOKEN: 'endpoint-secret' })).toThrow(/LLM_ENDPOINT_TOKEN: set while LLM_ENDPOINT_URL is missing/);
  });

  it('redacts LLM_ENDPOINT_TOKEN', () => {
    const printed = redactConfig(loadConfig({ LLM_ENDPOINT_URL: standin.url, LLM_ENDPOINT_TOKEN: 'endpoint-secret' }));

    expect(printed.llmEndpointToken).toBe('[set]');
    expect(JSON.stringify(printed)).not.toContain('endpoint-secret');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds', () => {
    expect(parseRetryAfter('3')).toBe(3000);
  });

  it('reads an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
  });

  it('ignores missing and invalid values', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
