// Pure parts of the Discord adapter: which messages are questions, the
// question text, rendering, lane keys and the /ask definition.
import { describe, expect, it } from 'vitest';
import { buildAskCommand } from '../src/bots/discord/commands.js';
import { renderFinal, renderSources, renderStreaming, renderWithNote } from '../src/bots/discord/render.js';
import { editLaneOf, rejectPacedEdits } from '../src/bots/discord/rest-observer.js';
import { parseTrigger, type TriggerInput } from '../src/bots/discord/triggers.js';
import { loadConfig } from '../src/config.js';

const bot = '111111111111111111';
const role = '222222222222222222';

function input(content: string, overrides: Partial<TriggerInput> = {}): TriggerInput {
  return { content, authorIsBot: false, fromWebhookOrSystem: false, isDirectMessage: false, botUserId: bot, botRoleId: role, ...overrides };
}

describe('parseTrigger', () => {
  const cases: Array<[string, TriggerInput, ReturnType<typeof parseTrigger>]> = [
    ['user mention', input(`<@${bot}> what is a Space?`), { kind: 'mention', question: 'what is a Space?' }],
    ['legacy mention', input(`<@!${bot}> what is a Space?`), { kind: 'mention', question: 'what is a Space?' }],
    ['mention in the middle', input(`so <@${bot}>   what now`), { kind: 'mention', question: 'so what now' }],
    ['role mention', input(`<@&${role}> hello`), { kind: 'role_mention', question: 'hello' }],
    ['DM without mention', input('hello', { isDirectMessage: true }), { kind: 'direct_message', question: 'hello' }],
    ['mention only', input(`<@${bot}>`), { kind: 'mention', question: '' }],
    ['other user mention', input('<@333333333333333333> hello'), undefined],
    ['other role mention', input('<@&444444444444444444> hello'), undefined],
    ['no mention in a guild', input('hello'), undefined],
    ['bot author', input(`<@${bot}> hi`, { authorIsBot: true }), undefined],
    ['webhook author', input(`<@${bot}> hi`, { fromWebhookOrSystem: true }), undefined],
    ['guild without bot role', input(`<@&${role}> hi`, { botRoleId: undefined }), undefined],
    ['@everyone dropped', input(`<@${bot}> @everyone how do I deploy?`), { kind: 'mention', question: 'how do I deploy?' }],
    ['@here dropped', input(`<@${bot}> deploy @here now`), { kind: 'mention', question: 'deploy now' }],
    ['unknown user dropped', input(`<@${bot}> <@333333333333333333> how do I deploy?`), { kind: 'mention', question: 'how do I deploy?' }],
    [
      'known names kept',
      input(`<@${bot}> what did <@!333333333333333333> say in <#555555555555555555>?`, {
        mentionNames: new Map([
          ['333333333333333333', 'alice'],
          ['555555555555555555', 'deploys'],
        ]),
      }),
      { kind: 'mention', question: 'what did @alice say in #deploys ?' },
    ],
  ];

  for (const [name, given, expected] of cases) {
    it(`handles ${name}`, () => {
      expect(parseTrigger(given)).toEqual(expected);
    });
  }

  it('keeps code layout in the question', () => {
    const question = `<@${bot}> why does this fail?\n\`\`\`py\nif x:\n    run()\n\`\`\``;
    expect(parseTrigger(input(question))?.question).toBe('why does this fail?\n```py\nif x:\n    run()\n```');
  });
});

describe('Discord rendering', () => {
  it('shows the placeholder until text arrives', () => {
    expect(renderStreaming('')).toBe('-# Searching the docs…');
    expect(renderStreaming('Hello')).toBe('Hello ▌');
  });

  it('renders sources on one line in citation order', () => {
    const line = renderSources([
      { index: 2, path: 'b.md', heading: '', score: 0.5 },
      { index: 1, path: 'a.md', heading: '', score: 0.9, url: 'https://example.org/a' },
    ]);
    expect(line).toBe('-# Sources: [1] <https://example.org/a> · [2] `b.md`');
  });

  it('renders no sources line without sources', () => {
    expect(renderFinal('Answer.', [])).toBe('Answer.');
  });

  it('replaces an empty final answer', () => {
    expect(renderFinal('  ', [])).toBe('I could not find an answer to that in the docs.');
  });

  it('puts a note under partial text', () => {
    expect(renderWithNote('Partial ', 'Stopped.')).toBe('Partial\n\n-# Stopped.');
    expect(renderWithNote('', 'Stopped.')).toBe('Stopped.');
  });
});

describe('Discord edit lanes', () => {
  it('maps message edits to their lane', () => {
    expect(editLaneOf('/channels/123456789012345678/messages/223456789012345678')).toBe('channel:123456789012345678');
    expect(editLaneOf('/webhooks/123456789012345678/secret-token/messages/%40original')).toMatch(/^webhook:[0-9a-f]{16}$/);
    expect(editLaneOf('/webhooks/123456789012345678/secret-token/messages/@original')).not.toContain('secret-token');
    expect(editLaneOf('/channels/123456789012345678/messages')).toBeUndefined();
  });

  it('rejects rate limits only for paced edits', () => {
    const data = (method: string, route: string) => ({ method, route }) as Parameters<typeof rejectPacedEdits>[0];
    expect(rejectPacedEdits(data('PATCH', '/channels/:id/messages/:id'))).toBe(true);
    expect(rejectPacedEdits(data('patch', '/webhooks/:id/:token/messages/%40original'))).toBe(true);
    expect(rejectPacedEdits(data('POST', '/channels/:id/messages'))).toBe(false);
    expect(rejectPacedEdits(data('DELETE', '/channels/:id/messages/:id'))).toBe(false);
  });
});

describe('/ask definition', () => {
  it('caps the question length at Discord maximum', () => {
    const command = buildAskCommand(20_000);
    expect(command.options?.[0]).toMatchObject({ name: 'question', max_length: 6000, required: true });
    expect(buildAskCommand(500).options?.[0]).toMatchObject({ max_length: 500 });
  });
});

describe('Discord configuration', () => {
  it('reads the intent settings', () => {
    const config = loadConfig({ DISCORD_MESSAGE_CONTENT_INTENT: 'false', DISCORD_PRESENCE_INTENT: 'true' });
    expect(config.discordMessageContentIntent).toBe(false);
    expect(config.discordPresenceIntent).toBe(true);
  });

  it('rejects a guild id that is not a snowflake', () => {
    expect(() => loadConfig({ DISCORD_GUILD_ID: 'my-server' })).toThrow('DISCORD_GUILD_ID: "my-server" is not a Discord id (17 to 20 digits)');
  });
});
