// Chat model client over @huggingface/inference. One `stream` call is one
// HTTP request: either to the Hugging Face router (HF_TOKEN, LLM_MODEL,
// LLM_PROVIDER) or to any OpenAI-compatible server (LLM_ENDPOINT_URL,
// LLM_ENDPOINT_TOKEN).
// Retries and time limits belong to the caller, which owns the abort signal.
import { InferenceClient, InferenceClientInputError, InferenceClientProviderApiError, InferenceClientRoutingError } from '@huggingface/inference';
import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import { ChatModelError, parseRetryAfter } from './errors.js';

/** One message of a chat completion request. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Options of one `ChatModel.stream` call. */
export interface ChatStreamOptions {
  /** Maximum number of new tokens the model may generate. */
  maxTokens: number;
  /** Aborting it closes the upstream HTTP request. */
  signal: AbortSignal;
}

/** A streaming chat model. `stream` yields text pieces and throws `ChatModelError` on failure. */
export interface ChatModel {
  readonly name: string;
  stream(messages: ChatMessage[], options: ChatStreamOptions): AsyncIterable<string>;
}

/** Options of `HfChatModel`. */
export interface HfChatModelOptions {
  /** Model id sent in the request body, e.g. `Qwen/Qwen2.5-7B-Instruct`. */
  model: string;
  /** Inference provider or policy (`auto`); ignored when `endpointUrl` is set. */
  provider: string;
  /** Base URL of an OpenAI-compatible server; the client appends `/v1/chat/completions`. */
  endpointUrl?: string | undefined;
  accessToken?: string | undefined;
  logger: Logger;
  /** Fetch implementation, for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** Chat model over `InferenceClient.chatCompletionStream`. */
export class HfChatModel implements ChatModel {
  readonly name: string;
  private readonly client: InferenceClient;
  private readonly logger: Logger;

  constructor(private readonly options: HfChatModelOptions) {
    this.client = new InferenceClient(options.accessToken ?? '');
    this.logger = options.logger.child({ component: 'chat-model' });
    this.name = options.endpointUrl === undefined ? `${options.provider}:${options.model}` : `endpoint:${options.model}`;
  }

  /** Streams the content deltas of one chat completion. */
  async *stream(messages: ChatMessage[], options: ChatStreamOptions): AsyncGenerator<string> {
    // The wrapped fetch records whether the server responded and its Retry-After header,
    // which the library's errors do not carry.
    const response: { received: boolean; retryAfterMs?: number } = { received: false };
    const baseFetch = this.options.fetch ?? fetch;
    const recordingFetch: typeof fetch = async (input, init) => {
      const result = await baseFetch(input, init);
      response.received = true;
      response.retryAfterMs = parseRetryAfter(result.headers.get('retry-after'));
      return result;
    };

    const target = this.options.endpointUrl === undefined
      ? { provider: this.options.provider as 'auto' }
      : { endpointUrl: this.options.endpointUrl };
    this.logger.debug({ model: this.name, messages: messages.length, maxTokens: options.maxTokens }, 'chat completion request');

    let finishReason: string | undefined;
    try {
      const chunks = this.client.chatCompletionStream(
        { ...target, model: this.options.model, messages: messages.map((m) => ({ role: m.role, content: m.content })), max_tokens: options.maxTokens },
        // The library retries 503 responses without limit unless `retry_on_error` is false; the engine retries instead.
        { signal: options.signal, retry_on_error: false, fetch: recordingFetch },
      );
      for await (const chunk of chunks) {
        const choice = chunk.choices?.[0];
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        const content = choice?.delta?.content;
        if (typeof content === 'string' && content !== '') yield content;
      }
    } catch (error) {
      if (options.signal.aborted) throw error;
      throw toChatModelError(error, response);
    }

    // NOTE: assumes the server sends finish_reason in its last chunk, as the OpenAI chunk format defines; a server that omits it gets every answer marked interrupted.
    if (finishReason === undefined && !options.signal.aborted) {
      throw new ChatModelError('interrupted', 'The chat completion stream ended before the model finished (no finish_reason).');
    }
  }
}

/** Maps an error of the inference client or of fetch to a `ChatModelError`. */
function toChatModelError(error: unknown, response: { received: boolean; retryAfterMs?: number }): ChatModelError {
  if (error instanceof ChatModelError) return error;

  if (error instanceof InferenceClientProviderApiError) {
    const status = error.httpResponse.status;
    const details = { status, cause: error, ...(response.retryAfterMs === undefined ? {} : { retryAfterMs: response.retryAfterMs }) };
    if (status === 429) return new ChatModelError('rate_limited', `The model server rate-limited the request (HTTP 429): ${error.message}`, details);
    if (status >= 500) return new ChatModelError('unavailable', `The model server failed (HTTP ${status}): ${error.message}`, details);
    // An error event inside a 200 stream.
    if (status >= 200 && status < 300) return new ChatModelError('interrupted', `The model server sent an error event: ${error.message}`, details);
    return new ChatModelError('rejected', `The model server rejected the request (HTTP ${status}): ${error.message}`, details);
  }

  if (error instanceof InferenceClientInputError || error instanceof InferenceClientRoutingError) {
    return new ChatModelError('rejected', `The chat model settings are invalid: ${error.message}. Check LLM_MODEL, LLM_PROVIDER, LLM_ENDPOINT_URL, LLM_ENDPOINT_TOKEN and HF_TOKEN.`, { cause: error });
  }

  // A malformed chunk (JSON.parse) or a cut body after the response started.
  const message = error instanceof Error ? error.message : String(error);
  if (response.received) return new ChatModelError('interrupted', `The chat completion stream broke: ${message}`, { cause: error });
  return new ChatModelError('unavailable', `Could not reach the model server: ${message}`, { cause: error });
}

/** Host names, and parents of host names, that run Hugging Face Inference Endpoints and Spaces. */
const huggingFaceHosts = ['huggingface.co', 'huggingface.cloud', 'hf.space'];

/** Returns true for an https URL on a Hugging Face host: huggingface.co, *.huggingface.co, *.huggingface.cloud or *.hf.space. */
export function isHuggingFaceUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:') return false;
  const host = parsed.hostname.toLowerCase();
  return huggingFaceHosts.some((parent) => host === parent || host.endsWith(`.${parent}`));
}

/**
 * Returns the Bearer token for the configured chat model. Inference Providers get HF_TOKEN.
 * A custom endpoint gets LLM_ENDPOINT_TOKEN, or HF_TOKEN only when it is a Hugging Face
 * host, so that a third-party server never receives the Hugging Face token.
 */
export function chatModelAccessToken(config: Config): string | undefined {
  if (config.llmEndpointUrl === undefined) return config.hfToken;
  if (config.llmEndpointToken !== undefined) return config.llmEndpointToken;
  return isHuggingFaceUrl(config.llmEndpointUrl) ? config.hfToken : undefined;
}

/**
 * Creates the configured chat model, or returns undefined when neither HF_TOKEN nor
 * LLM_ENDPOINT_URL is set, which puts the engine in extractive mode.
 */
export function createChatModel(config: Config, logger: Logger): ChatModel | undefined {
  if (config.hfToken === undefined && config.llmEndpointUrl === undefined) return undefined;

  const accessToken = chatModelAccessToken(config);
  if (config.llmEndpointUrl !== undefined && config.hfToken !== undefined && accessToken === undefined) {
    logger.child({ component: 'chat-model' }).info(
      { endpointHost: new URL(config.llmEndpointUrl).host },
      'HF_TOKEN is not sent to LLM_ENDPOINT_URL because it is not a Hugging Face host; set LLM_ENDPOINT_TOKEN if the server needs a token',
    );
  }
  return new HfChatModel({
    model: config.llmModel,
    provider: config.llmProvider,
    endpointUrl: config.llmEndpointUrl,
    accessToken,
    logger,
  });
}
