// Prometheus metrics (prom-client). One registry per service instance, so
// tests can create as many services as they like in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Outcome label of a question. */
export type QuestionOutcome = 'answered' | 'cached' | 'not_found' | 'timeout' | 'busy' | 'error' | 'aborted' | 'rejected';

/** All metrics of the service, registered in `registry`. */
export class Metrics {
  readonly registry = new Registry();

  readonly questions = new Counter({
    name: 'ragbot_questions_total',
    help: 'Questions received, by platform and outcome.',
    labelNames: ['platform', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly firstTokenSeconds = new Histogram({
    name: 'ragbot_first_token_seconds',
    help: 'Time from question to first answer token, in seconds.',
    labelNames: ['platform'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });

  readonly answerSeconds = new Histogram({
    name: 'ragbot_answer_seconds',
    help: 'Time from question to complete answer, in seconds.',
    labelNames: ['platform'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
    registers: [this.registry],
  });

  readonly cacheLookups = new Counter({
    name: 'ragbot_cache_lookups_total',
    help: 'Cache lookups, by cache and result (hit or miss).',
    labelNames: ['cache', 'result'] as const,
    registers: [this.registry],
  });

  readonly queueLength = new Gauge({
    name: 'ragbot_queue_length',
    help: 'Questions waiting for a generation slot.',
    registers: [this.registry],
  });

  readonly inFlight = new Gauge({
    name: 'ragbot_in_flight',
    help: 'Answers being generated now.',
    registers: [this.registry],
  });

  readonly platformCalls = new Counter({
    name: 'ragbot_platform_api_calls_total',
    help: 'Calls to platform APIs (Discord REST, Slack Web API), by platform, method and status.',
    labelNames: ['platform', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly platformRateLimited = new Counter({
    name: 'ragbot_platform_rate_limited_total',
    help: 'Rate-limit responses from platform APIs, by platform and method.',
    labelNames: ['platform', 'method'] as const,
    registers: [this.registry],
  });

  constructor(options: { collectProcess?: boolean } = {}) {
    // Process memory, CPU and event-loop figures under the standard names.
    if (options.collectProcess ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'ragbot_' });
  }
}
