// The answering engine: from a question and a session key to a stream of
// answer events. Order of work per question: validate, check the answer
// cache and wait for an identical question in flight (first turns only), wait
// for a generation slot, check the cache again, retrieve, then answer with the
// chat model, by quoting passages, or with "not found".
import { performance } from 'node:perf_hooks';
import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics, QuestionOutcome } from '../../observability/metrics.js';
import { AnswerCache, answerCacheKey, type CachedAnswer } from '../cache/answer-cache.js';
import { InFlightAnswers, type ShareAnswer } from '../cache/in-flight.js';
import { EngineError, EngineErrorCode } from '../errors.js';
import { createChatModel, type ChatModel } from '../llm/chat-model.js';
import { AnswerQueue } from '../queue.js';
import { SessionsFileError, readSessionsFile, writeSessionsFile } from '../session/persist.js';
import { SessionStore, type Turn } from '../session/store.js';
import type { AnswerEngine, AnswerEvent, AnswerProfile, AskRequest, EngineStats, Retriever, SearchResult, SessionKey } from '../types.js';
import type { RetryPolicy } from './generate.js';
import { streamExtractiveAnswer, streamModelAnswer, streamText, type AnswerBody, type BodyDelta } from './model-answer.js';
import { defaultProfiles, type ProfileSettings } from './profiles.js';
import { buildRetrievalQuery } from './prompt.js';
import { errorOutcome, failureLogFields, finalOutcome, roundTimings } from './outcome.js';
import { endNotes, notFoundAnswer } from './text-stream.js';

/** The answering engine with the lifecycle calls the service needs. */
export interface Engine extends AnswerEngine {
  /** Stops accepting new questions (they fail with EngineError Busy, "shutting down"); in-flight ones continue. */
  drain(): void;
  /** Saves live sessions (gzip JSON, expired dropped, atomic write: temp file + rename). Returns how many were saved. */
  saveSessions(file: string): Promise<number>;
  /** Restores sessions that have not expired. Missing file gives 0; a corrupt file is logged as a warning and gives 0. */
  restoreSessions(file: string): Promise<number>;
}

/** Options of `createAnswerEngine`. */
export interface AnswerEngineOptions {
  config: Config;
  logger: Logger;
  retriever: Retriever;
  metrics?: Metrics;
  /**
   * Chat model. Defaults to `createChatModel(config, logger)`, which gives none without
   * HF_TOKEN and LLM_ENDPOINT_URL; `null` forces extractive answers (quoted passages).
   */
  chatModel?: ChatModel | null | undefined;
  /** Clock in epoch ms for session and cache expiry; tests inject their own. Timings always use the real clock. */
  now?: () => number;
  /** Overrides of the profile settings, e.g. short time limits in tests. */
  profiles?: Partial<Record<AnswerProfile, Partial<ProfileSettings>>>;
  /** Overrides of the retry policy; `maxRetries` defaults to `config.llmMaxRetries`. */
  retry?: Partial<RetryPolicy>;
}

/** Creates the answering engine. */
export function createAnswerEngine(options: AnswerEngineOptions): Engine {
  return new AnswerEngineImpl(options);
}

/** Start time, first delta time and retrieval timings of one question, from `performance.now()`. */
interface Timeline {
  started: number;
  firstDeltaAt?: number;
  embedMs: number;
  searchMs: number;
}

class AnswerEngineImpl implements Engine {
  private readonly config: Config;
  private readonly logger: Logger;
  private readonly retriever: Retriever;
  private readonly metrics: Metrics | undefined;
  private readonly chatModel: ChatModel | undefined;
  private readonly now: () => number;
  private readonly profiles: Record<AnswerProfile, ProfileSettings>;
  private readonly retry: RetryPolicy;
  private readonly sessions: SessionStore;
  private readonly cache: AnswerCache;
  private readonly inFlight: InFlightAnswers;
  private readonly queue: AnswerQueue;
  private draining = false;
  /** Embedding cache counts last seen, to turn the retriever's totals into metric increments. */
  private embeddingSeen = { hits: 0, misses: 0 };

  constructor(options: AnswerEngineOptions) {
    this.config = options.config;
    this.logger = options.logger.child({ component: 'engine' });
    this.retriever = options.retriever;
    this.metrics = options.metrics;
    this.chatModel = options.chatModel === undefined ? createChatModel(this.config, options.logger) : (options.chatModel ?? undefined);
    this.now = options.now ?? Date.now;
    this.profiles = {
      normal: { ...defaultProfiles.normal, ...options.profiles?.normal },
      compact: { ...defaultProfiles.compact, ...options.profiles?.compact },
    };
    this.retry = { maxRetries: this.config.llmMaxRetries, baseDelayMs: 500, maxDelayMs: 10_000, ...options.retry };

    this.sessions = new SessionStore({
      max: this.config.sessionMax,
      ttlMs: this.config.sessionTtlMs,
      maxTokens: this.config.sessionMaxTokens,
      now: this.now,
    });
    this.cache = new AnswerCache({ max: this.config.answerCacheMax, ttlMs: this.config.answerCacheTtlMs, now: this.now });
    // Sharing in-flight answers is reuse like the cache, so ANSWER_CACHE_MAX=0 turns both off.
    this.inFlight = new InFlightAnswers(this.config.answerCacheMax > 0);
    this.queue = new AnswerQueue({
      concurrency: this.config.maxConcurrentAnswers,
      maxQueue: this.config.maxQueue,
      onChange: ({ queueLength, inFlight }) => {
        this.metrics?.queueLength.set(queueLength);
        this.metrics?.inFlight.set(inFlight);
      },
    });

    this.logger.info({ mode: this.chatModel === undefined ? 'extractive' : 'model', model: this.chatModel?.name }, 'answer engine ready');
  }

  ask(request: AskRequest): AsyncIterable<AnswerEvent> {
    return this.instrument(request, this.answer(request));
  }

  clearSession(key: SessionKey): void {
    this.sessions.clear(key);
  }

  stats(): EngineStats {
    const caches: EngineStats['caches'] = { answer: this.cache.stats(), in_flight: this.inFlight.stats() };
    const embedding = this.retriever.cacheStats?.();
    if (embedding !== undefined) caches.embedding = embedding;
    return { queueLength: this.queue.queueLength, inFlight: this.queue.inFlight, caches, sessions: this.sessions.size };
  }

  drain(): void {
    if (!this.draining) this.logger.info({ inFlight: this.queue.inFlight, queueLength: this.queue.queueLength }, 'answer engine draining');
    this.draining = true;
  }

  async saveSessions(file: string): Promise<number> {
    const records = this.sessions.snapshot();
    await writeSessionsFile(file, records, this.now());
    this.logger.info({ file, sessions: records.length }, 'sessions saved');
    return records.length;
  }

  async restoreSessions(file: string): Promise<number> {
    let read: Awaited<ReturnType<typeof readSessionsFile>>;
    try {
      read = await readSessionsFile(file);
    } catch (error) {
      const problem = error instanceof SessionsFileError ? 'invalid sessions file' : 'could not read sessions file';
      this.logger.warn({ err: error, file }, `${problem}; starting with no saved sessions`);
      return 0;
    }
    if (read === undefined) return 0;

    const restored = this.sessions.restore(read.sessions);
    // Dropped sessions expired, or did not fit SESSION_MAX.
    this.logger.info({ file, restored, skipped: read.skipped, dropped: read.sessions.length - restored }, 'sessions restored');
    return restored;
  }

  /** Streams the answer events of one question; see the file header for the order of work. */
  private async *answer(request: AskRequest): AsyncGenerator<AnswerEvent> {
    const timeline: Timeline = { started: performance.now(), embedMs: 0, searchMs: 0 };
    const question = this.validate(request);
    const profileName = request.profile ?? 'normal';
    const profile = this.profiles[profileName];
    const turns = this.sessions.turns(request.session);
    const indexVersion = this.indexVersion();

    // Only first turns are cached and shared: a follow-up depends on the conversation.
    // The cache lookup and the claim to lead run in one synchronous step, so that of
    // identical questions arriving together exactly one leads and the others wait for it.
    const firstTurn = turns.length === 0;
    const key = answerCacheKey(question, profileName, indexVersion);
    let share: ShareAnswer | undefined;
    if (firstTurn) {
      const cached = this.cache.get(question, profileName, indexVersion);
      this.metrics?.cacheLookups.inc({ cache: 'answer', result: cached === undefined ? 'miss' : 'hit' });
      if (cached !== undefined) {
        yield* this.replay(request.session, question, cached, timeline);
        return;
      }

      share = this.inFlight.lead(key);
      if (share === undefined && this.inFlight.has(key)) {
        const joined = await this.joinInFlight(key, request.signal);
        if (joined !== undefined) {
          yield* this.replay(request.session, question, joined, timeline);
          return;
        }
        share = this.inFlight.lead(key);
      }
    }

    try {
      const release = await this.queue.acquire(request.signal);
      try {
        // The same question may have been answered while this one waited for its slot.
        const cached = firstTurn ? this.cache.get(question, profileName, indexVersion, { countMiss: false }) : undefined;
        if (cached !== undefined) {
          this.metrics?.cacheLookups.inc({ cache: 'answer', result: 'hit' });
          share?.(cached);
          yield* this.replay(request.session, question, cached, timeline);
          return;
        }

        const result = await this.retrieve(question, turns, request.signal, timeline);
        const body = yield* this.track(this.body(question, result, turns, profile, request.signal), timeline);
        if (body.end !== 'aborted') this.remember(request.session, question, withoutNote(body));
        if (firstTurn && body.end === 'complete' && this.indexVersion() === indexVersion) {
          this.cache.set(question, profileName, indexVersion, body);
        }
        // Shared before the final event, so the waiting askers need not wait for this reader.
        share?.(body.end === 'complete' ? body : undefined);
        yield this.final(body, false, timeline);
      } finally {
        release();
      }
    } finally {
      share?.(undefined);
    }
  }

  /**
   * Waits, without a generation slot, for the answer to an identical first-turn question
   * that is being answered now. Returns undefined when that answer cannot be shared.
   */
  private async joinInFlight(key: string, signal: AbortSignal | undefined): Promise<CachedAnswer | undefined> {
    // NOTE: when the leader fails, every asker that waited for it then answers on its own,
    // and only one of them leads the next round.
    const joined = await this.inFlight.join(key, signal);
    this.metrics?.cacheLookups.inc({ cache: 'in_flight', result: joined === undefined ? 'miss' : 'hit' });
    return joined;
  }

  /** Streams a finished answer again as a cached answer, and records it as the session's turn. */
  private async *replay(session: SessionKey, question: string, answer: CachedAnswer, timeline: Timeline): AsyncGenerator<AnswerEvent> {
    yield* this.track(streamText(answer.answer), timeline);
    this.remember(session, question, answer.answer);
    yield this.final(answer, true, timeline);
  }

  /** Picks how to answer: "not found" without relevant passages, the model when configured, else quotes. */
  private body(question: string, result: SearchResult, turns: Turn[], profile: ProfileSettings, signal: AbortSignal | undefined): AsyncGenerator<BodyDelta, AnswerBody> {
    if (result.hits.length === 0) return notFound();
    if (this.chatModel === undefined) return streamExtractiveAnswer(result.hits, profile, this.config.sourceBaseUrls);
    return streamModelAnswer({
      model: this.chatModel,
      question,
      hits: result.hits,
      turns,
      profile,
      historyTokens: this.config.sessionMaxTokens,
      retry: this.retry,
      baseUrls: this.config.sourceBaseUrls,
      signal,
      logger: this.logger,
    });
  }

  /** Passes deltas through, noting when the first one left, and returns the body's result. */
  private async *track<R>(deltas: AsyncGenerator<BodyDelta, R>, timeline: Timeline): AsyncGenerator<AnswerEvent, R> {
    let done = false;
    try {
      while (true) {
        const next = await deltas.next();
        if (next.done) {
          done = true;
          return next.value;
        }
        timeline.firstDeltaAt ??= performance.now();
        yield next.value;
      }
    } finally {
      // A reader that stops early must still close the body, which closes the upstream request.
      if (!done) await deltas.return(undefined as R);
    }
  }

  private final(body: AnswerBody, cached: boolean, timeline: Timeline): AnswerEvent {
    const totalMs = performance.now() - timeline.started;
    return {
      type: 'final',
      answer: body.answer,
      sources: body.sources,
      cached,
      end: body.end,
      timings: {
        embedMs: timeline.embedMs,
        searchMs: timeline.searchMs,
        firstTokenMs: (timeline.firstDeltaAt ?? performance.now()) - timeline.started,
        totalMs,
      },
    };
  }

  /** Returns the trimmed question, or throws EngineError for an empty or too long one, or while draining. */
  private validate(request: AskRequest): string {
    const question = request.question.trim();
    if (question === '') throw new EngineError(EngineErrorCode.EmptyQuestion, 'The question is empty.');
    // Counted in code points, so that most emoji count once, not as two UTF-16 code units.
    const characters = [...question].length;
    if (characters > this.config.maxQuestionChars) {
      throw new EngineError(EngineErrorCode.QuestionTooLong, `The question has ${characters} characters (Unicode code points); the maximum is ${this.config.maxQuestionChars} (MAX_QUESTION_CHARS).`);
    }
    if (this.draining) throw new EngineError(EngineErrorCode.Busy, 'The engine is shutting down and takes no new questions.');
    return question;
  }

  private indexVersion(): string {
    try {
      return this.retriever.info().version;
    } catch (error) {
      throw new EngineError(EngineErrorCode.IndexNotReady, 'The knowledge base is not loaded yet.', { cause: error });
    }
  }

  /**
   * Searches for the passages of a question, together with the previous question when
   * it is a follow-up. A follow-up search that finds nothing is repeated with the
   * question alone, because the turn may only look like a follow-up ("is that free?").
   */
  private async retrieve(question: string, turns: Turn[], signal: AbortSignal | undefined, timeline: Timeline): Promise<SearchResult> {
    const query = buildRetrievalQuery(question, turns, this.now());
    let result = await this.search(query, signal);
    timeline.embedMs += result.timings.embedMs;
    timeline.searchMs += result.timings.searchMs;
    if (result.hits.length > 0 || query === question) return result;

    result = await this.search(question, signal);
    timeline.embedMs += result.timings.embedMs;
    timeline.searchMs += result.timings.searchMs;
    return result;
  }

  /** Searches the knowledge base and records the embedding cache lookups it made. */
  private async search(query: string, signal: AbortSignal | undefined): Promise<SearchResult> {
    let result: SearchResult;
    try {
      result = await this.retriever.search(query, { k: this.config.searchTopK, mode: this.config.searchMode, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted) throw new EngineError(EngineErrorCode.Aborted, 'The question was cancelled during retrieval.', { cause: error });
      throw error;
    }

    const stats = this.retriever.cacheStats?.();
    if (stats !== undefined && this.metrics !== undefined) {
      const hits = stats.hits - this.embeddingSeen.hits;
      const misses = stats.misses - this.embeddingSeen.misses;
      if (hits > 0) this.metrics.cacheLookups.inc({ cache: 'embedding', result: 'hit' }, hits);
      if (misses > 0) this.metrics.cacheLookups.inc({ cache: 'embedding', result: 'miss' }, misses);
      this.embeddingSeen = { hits: stats.hits, misses: stats.misses };
    }
    return result;
  }

  private remember(session: SessionKey, question: string, answer: string): void {
    this.sessions.append(session, { question, answer, at: this.now() });
  }

  /** Wraps an answer stream with metrics and one log line per question. */
  private async *instrument(request: AskRequest, events: AsyncGenerator<AnswerEvent>): AsyncGenerator<AnswerEvent> {
    const platform = request.session.platform;
    const started = performance.now();
    // A consumer that stops reading early ends the stream without a final event or an error.
    let outcome: QuestionOutcome = 'aborted';
    let sawDelta = false;

    try {
      for await (const event of events) {
        if (event.type === 'delta' && !sawDelta) {
          sawDelta = true;
          this.metrics?.firstTokenSeconds.observe({ platform }, (performance.now() - started) / 1000);
        }
        if (event.type === 'final') {
          outcome = finalOutcome(event);
          this.metrics?.answerSeconds.observe({ platform }, event.timings.totalMs / 1000);
          this.logger.info({ platform, outcome, end: event.end, cached: event.cached, sources: event.sources.length, timings: roundTimings(event.timings) }, 'question answered');
        }
        yield event;
      }
    } catch (error) {
      outcome = errorOutcome(error);
      const level = outcome === 'error' ? 'error' : 'info';
      this.logger[level]({ platform, outcome, ...failureLogFields(error) }, 'question failed');
      throw error;
    } finally {
      this.metrics?.questions.inc({ platform, outcome });
    }
  }
}

/** Returns the answer text without the note of an answer that ended early, for the session history. */
function withoutNote(body: AnswerBody): string {
  const note = endNotes[body.end];
  if (note === undefined || !body.answer.endsWith(note)) return body.answer;
  return body.answer.slice(0, -note.length).trimEnd();
}

async function* notFound(): AsyncGenerator<BodyDelta, AnswerBody> {
  yield* streamText(notFoundAnswer);
  return { answer: notFoundAnswer, sources: [], end: 'not_found' };
}
