// Discord overhead: the adapter and the real engine against the Discord
// stand-in, one answer at a time and then many at once in one channel.
import { runChild } from '../lib/child.js';
import type { DiscordInput, DiscordResult, DiscordRound } from '../lib/contracts.js';
import { formatLatency, formatMs, type ReportRow } from '../lib/report.js';
import type { LlmPace } from '../lib/serving.js';
import { round } from '../lib/stats.js';
import { distinctQuestions } from '../lib/workload.js';
import { servingIndex, type BenchContext, type SectionOutcome } from './context.js';

/**
 * Message create and edit budget per channel in the stand-in: 5 per 5 seconds.
 * NOTE: Discord does not publish its per-route limits (clients learn them from
 * the X-RateLimit headers); 5 per 5 seconds per channel is the commonly
 * observed budget for sending messages, and edits are assumed to share it.
 */
const channelLimit = { requests: 5, windowMs: 5000 };

/** Tokens of every stand-in answer. */
const answerTokens = 60;

/** Runs the Discord section. */
export async function runDiscordSection(context: BenchContext): Promise<SectionOutcome> {
  const { sizes, options } = context;
  const pace: LlmPace = { firstTokenMs: options.firstTokenMs, tokensPerSecond: options.tokensPerSecond, answerTokens };
  const input: DiscordInput = {
    ...servingIndex(context).setup,
    pace,
    questions: distinctQuestions(context.questions, sizes.discordSequential + sizes.discordConcurrent),
    sequential: sizes.discordSequential,
    concurrent: sizes.discordConcurrent,
    limit: channelLimit,
  };
  context.progress(`discord: ${input.sequential} answers one at a time, then ${input.concurrent} at once in one channel`);
  const result = await runChild<DiscordResult>('discord.ts', input, { timeoutMs: 15 * 60_000, maxRssMB: 2048, verbose: options.verbose });
  const { sequential, concurrent } = result;

  const rows: ReportRow[] = [
    ...roundRows('one at a time', sequential),
    ...roundRows(`${concurrent.answers} at once`, concurrent),
    { figure: `${concurrent.answers} at once: rate-limit responses (429)`, value: String(concurrent.rateLimited), target: 'zero', met: concurrent.rateLimited === 0 },
  ];

  return {
    report: {
      title: 'Discord overhead (stand-in gateway and REST on 127.0.0.1)',
      rows,
      notes: [
        'Times are from the stand-in dispatching MESSAGE_CREATE to it receiving the REST call. The first visible edit is the first edit that shows answer text, after the placeholder reply; the stand-in model\'s first-token delay is subtracted.',
        `Edits of one message are at least DISCORD_EDIT_FLOOR_MS (${result.editFloorMs} ms) apart, so the first edit often waits for that floor after the placeholder.`,
        `Stand-in limits: ${channelLimit.requests} message creates and ${channelLimit.requests} edits per ${channelLimit.windowMs / 1000} s per channel (an assumption; Discord publishes limits only in response headers). In the ${concurrent.answers}-at-once round MAX_CONCURRENT_ANSWERS is ${concurrent.maxConcurrentAnswers}, so every answer streams at once and the times show the adapter's pacing, not the engine queue.`,
        `Stand-in model: first token after ${pace.firstTokenMs} ms, then ${pace.tokensPerSecond} tokens/s, ${answerTokens} tokens per answer.`,
      ],
    },
    results: {
      discord: {
        rateLimited: concurrent.rateLimited,
        firstEditOverheadP50Ms: round(concurrent.firstEditOverheadMs.p50),
        firstEditOverheadP95Ms: round(concurrent.firstEditOverheadMs.p95),
        placeholderP95Ms: round(concurrent.placeholderMs.p95),
        editsPerAnswer: round(concurrent.editsPerAnswer.mean, 2),
        single: {
          firstEditOverheadP50Ms: round(sequential.firstEditOverheadMs.p50),
          firstEditOverheadP95Ms: round(sequential.firstEditOverheadMs.p95),
          placeholderP95Ms: round(sequential.placeholderMs.p95),
          editsPerAnswer: round(sequential.editsPerAnswer.mean, 2),
          rateLimited: sequential.rateLimited,
        },
        editFloorMs: result.editFloorMs,
        channelLimit,
        rounds: { sequential, concurrent },
      },
    },
  };
}

/** Table rows of one round. */
function roundRows(label: string, round: DiscordRound): ReportRow[] {
  return [
    { figure: `${label}: event to placeholder reply (p50 / p95)`, value: formatLatency(round.placeholderMs) },
    { figure: `${label}: first visible edit minus model delay (p50 / p95)`, value: formatLatency(round.firstEditOverheadMs) },
    { figure: `${label}: edits per answer (mean, max)`, value: `${round.editsPerAnswer.mean.toFixed(1)}, ${round.editsPerAnswer.max}` },
    { figure: `${label}: time until every answer is final`, value: formatMs(round.totalMs) },
    { figure: `${label}: answers without a sources line`, value: String(round.withoutSources) },
  ];
}
