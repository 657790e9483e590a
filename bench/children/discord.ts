// Child process: the Discord adapter with the real engine, against the
// Discord stand-in and the LLM stand-in, both on 127.0.0.1 in this process.
// Times come from the stand-in's clock: when it dispatched MESSAGE_CREATE and
// when it received each REST call.
import { createDiscordAdapter } from '../../src/bots/discord/index.js';
import { placeholderText } from '../../src/bots/discord/render.js';
import { DiscordStandin, type RecordedCall } from '../../tests/support/discord-standin/index.js';
import { runChildMain } from '../lib/child.js';
import type { DiscordInput, DiscordResult, DiscordRound } from '../lib/contracts.js';
import { openServingStack } from '../lib/serving.js';
import { summarize } from '../lib/stats.js';

/** Liveness limit for one round; far above any expected duration. */
const roundTimeoutMs = 300_000;

runChildMain<DiscordInput>(async (input): Promise<DiscordResult> => {
  const bucket = { limit: input.limit.requests, windowMs: input.limit.windowMs };
  const standin = await DiscordStandin.start({ limits: { messageCreate: bucket, messageEdit: bucket } });
  // Every concurrent answer gets a generation slot, so the round measures the adapter and not the queue.
  const concurrency = String(Math.max(input.concurrent, 1));
  const stack = await openServingStack(input, input.pace, {
    DISCORD_TOKEN: standin.token,
    DISCORD_REST_URL: standin.restUrl,
    MAX_CONCURRENT_ANSWERS: concurrency,
  });
  const adapter = createDiscordAdapter({ config: stack.config, logger: stack.logger, engine: stack.engine, metrics: stack.metrics });
  await adapter.start();

  try {
    const sequentialQuestions = input.questions.slice(0, input.sequential);
    const concurrentQuestions = input.questions.slice(input.sequential, input.sequential + input.concurrent);

    // One answer at a time.
    const sequentialIds: Asked[] = [];
    const sequentialStarted = Date.now();
    for (const question of sequentialQuestions) {
      const asked = ask(standin, question, sequentialIds.length);
      sequentialIds.push(asked);
      await waitForFinal(standin, [asked]);
    }
    const sequential = measureRound(standin, sequentialIds, input, sequentialStarted, 0);

    // All at once, in one channel.
    const rateLimitedBefore = standin.rest.rateLimitedResponses;
    const concurrentStarted = Date.now();
    const concurrentIds = concurrentQuestions.map((question, position) => ask(standin, question, position));
    await waitForFinal(standin, concurrentIds);
    const concurrent = measureRound(standin, concurrentIds, input, concurrentStarted, rateLimitedBefore);

    return {
      editFloorMs: stack.config.discordEditFloorMs,
      sequential,
      concurrent: { ...concurrent, maxConcurrentAnswers: stack.config.maxConcurrentAnswers },
    };
  } finally {
    await adapter.stop(Date.now() + 5000);
    await stack.close();
    await standin.close();
  }
});

/** A question posted in the channel: its message id and when the stand-in dispatched it. */
interface Asked {
  messageId: string;
  sentAt: number;
}

/** Posts a question that mentions the bot, alternating between the two human users of the stand-in. */
function ask(standin: DiscordStandin, question: string, position: number): Asked {
  const authorId = position % 2 === 0 ? standin.ids.asker : standin.ids.otherUser;
  const sentAt = Date.now();
  const message = standin.sendUserMessage({ content: `<@${standin.ids.botUser}> ${question}`, authorId });
  return { messageId: message.id, sentAt };
}

/** Waits until every question's last reply has final content (no placeholder, no streaming cursor). */
async function waitForFinal(standin: DiscordStandin, asked: Asked[]): Promise<void> {
  await standin.waitFor(
    () => asked.every(({ messageId }) => {
      const last = standin.repliesTo(messageId).at(-1)?.content;
      return last !== undefined && last !== placeholderText && !last.endsWith(' ▌');
    }),
    `final replies to ${asked.length} questions`,
    roundTimeoutMs,
  );
}

/** Reads one round's figures from the stand-in's recorded REST calls. */
function measureRound(standin: DiscordStandin, asked: Asked[], input: DiscordInput, startedAt: number, rateLimitedBefore: number): DiscordRound {
  const placeholder: number[] = [];
  const overhead: number[] = [];
  const edits: number[] = [];
  let finishedAt = startedAt;
  let withoutSources = 0;

  for (const { messageId, sentAt } of asked) {
    const replies = standin.repliesTo(messageId);
    const replyIds = new Set(replies.map((reply) => reply.id));
    const created = standin.calls.find((call) => call.method === 'POST' && call.status === 200 && referencedMessage(call) === messageId);
    const patches = standin.calls.filter((call) => call.method === 'PATCH' && replyIds.has(call.path.split('/').at(-1) ?? ''));
    const firstText = patches.find((call) => call.status === 200 && contentOf(call) !== undefined && contentOf(call) !== placeholderText);

    if (created !== undefined) placeholder.push(created.at - sentAt);
    if (firstText !== undefined) overhead.push(firstText.at - sentAt - input.pace.firstTokenMs);
    edits.push(patches.length);
    finishedAt = Math.max(finishedAt, ...patches.map((call) => call.at));
    if (!(replies.at(-1)?.content.includes('Sources:') ?? false)) withoutSources += 1;
  }

  return {
    answers: asked.length,
    placeholderMs: summarize(placeholder),
    firstEditOverheadMs: summarize(overhead),
    editsPerAnswer: summarize(edits),
    rateLimited: standin.rest.rateLimitedResponses - rateLimitedBefore,
    totalMs: finishedAt - startedAt,
    withoutSources,
  };
}

function referencedMessage(call: RecordedCall): string | undefined {
  return (call.body as { message_reference?: { message_id?: string } } | undefined)?.message_reference?.message_id;
}

function contentOf(call: RecordedCall): string | undefined {
  return (call.body as { content?: string } | undefined)?.content;
}
