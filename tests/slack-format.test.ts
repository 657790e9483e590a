// Slack text helpers: escaping, splitting, source links and question parsing.
import { describe, expect, it } from 'vitest';
import { answerMessage, escapableLength, escapeSlackText, sourcesBlock, splitForSlack } from '../src/bots/slack/format.js';
import { isDirectQuestion, parseQuestion, SeenEvents, slackSessionKey } from '../src/bots/slack/triggers.js';

describe('escapeSlackText', () => {
  it('escapes control characters and pings', () => {
    expect(escapeSlackText('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(escapeSlackText('<!channel> <!here|here> <@U123> <!subteam^S1>')).toBe('&lt;!channel&gt; &lt;!here|here&gt; &lt;@U123&gt; &lt;!subteam^S1&gt;');
    expect(escapeSlackText('@here @Channel @everyone @hereford')).toBe('@\u200bhere @\u200bChannel @\u200beveryone @\u200bhereford');
  });

  it('keeps Markdown intact', () => {
    const markdown = '**bold** _it_ [link](https://hf.co/docs?a=1) `code`\n- item';
    expect(escapeSlackText(markdown)).toBe('**bold** _it_ [link](https://hf.co/docs?a=1) `code`\n- item');
  });
});

describe('escapableLength', () => {
  it('holds back a possible ping', () => {
    expect(escapableLength('ask @he')).toBe(4);
    expect(escapableLength('ask @')).toBe(4);
    expect(escapableLength('ask me')).toBe(6);
  });

  it('never splits a surrogate pair', () => {
    const text = 'ok 😀';
    expect(escapableLength(text.slice(0, -1))).toBe(3);
  });
});

describe('splitForSlack', () => {
  it('keeps escaped parts within the limit', () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i} with <tags> & more <<>>`).join('\n');
    const parts = splitForSlack(text, 1000);

    expect(parts.length).toBeGreaterThan(5);
    for (const part of parts) expect(escapeSlackText(part).length).toBeLessThanOrEqual(1000);
    expect(parts.join('\n')).toBe(text);
  });
});

describe('sourcesBlock', () => {
  it('links at most five sources', () => {
    const sources = Array.from({ length: 7 }, (_, i) => ({ index: i + 1, path: `hub/doc-${i}.md`, heading: `Heading <${i}>`, score: 1, url: `https://hf.co/docs/${i}?a=1&b=2` }));
    const block = sourcesBlock(sources)!;
    const text = (block.elements[0] as { text: string }).text;

    expect(text.match(/<https:/g)).toHaveLength(5);
    expect(text).toContain('<https://hf.co/docs/0?a=1&amp;b=2|[1] Heading &lt;0&gt;>');
    expect(text).not.toContain('doc-5');
  });

  it('names the path without a URL', () => {
    const block = sourcesBlock([
      { index: 2, path: 'hub/spaces.md', heading: '', score: 1 },
      { index: 3, path: 'hub/repos.md', heading: 'Repositories', score: 1 },
    ])!;
    expect((block.elements[0] as { text: string }).text).toBe('*Sources:* [2] hub/spaces.md  ·  [3] Repositories (hub/repos.md)');
  });

  it('omits the block without sources', () => {
    expect(sourcesBlock([])).toBeUndefined();
    expect(answerMessage('Hi', { sources: [] }).blocks).toHaveLength(1);
  });
});

describe('parseQuestion', () => {
  it('strips the bot mention and decodes Slack text', () => {
    expect(parseQuestion('<@U0BOT> is a &lt; b &amp;&amp; <https://hf.co|the hub> ok?', 'U0BOT')).toEqual({ question: 'is a < b && the hub (https://hf.co) ok?', profile: 'normal' });
  });

  it('reads the compact prefix', () => {
    expect(parseQuestion('Compact  how do I log in?')).toEqual({ question: 'how do I log in?', profile: 'compact' });
    expect(parseQuestion('compactness of models?')).toEqual({ question: 'compactness of models?', profile: 'normal' });
    expect(parseQuestion('compact')).toEqual({ question: '', profile: 'compact' });
  });
});

describe('slack triggers', () => {
  it('keys sessions by thread', () => {
    expect(slackSessionKey('T1', 'C1', 'U1', '17.1')).toEqual({ platform: 'slack', team: 'T1', channel: 'C1:17.1', user: 'U1' });
    expect(slackSessionKey('T1', 'D1', 'U1')).toEqual({ platform: 'slack', team: 'T1', channel: 'D1', user: 'U1' });
  });

  it('answers only direct messages from people', () => {
    const base = { type: 'message', channel_type: 'im', user: 'U1', text: 'hi' };
    expect(isDirectQuestion(base, 'UBOT')).toBe(true);
    expect(isDirectQuestion({ ...base, subtype: 'message_changed' }, 'UBOT')).toBe(false);
    expect(isDirectQuestion({ ...base, bot_id: 'B1' }, 'UBOT')).toBe(false);
    expect(isDirectQuestion({ ...base, user: 'UBOT' }, 'UBOT')).toBe(false);
    expect(isDirectQuestion({ ...base, channel_type: 'channel' }, 'UBOT')).toBe(false);
  });

  it('remembers event ids', () => {
    const seen = new SeenEvents({ max: 2 });
    expect(seen.firstDelivery('E1')).toBe(true);
    expect(seen.firstDelivery('E1')).toBe(false);
    expect(seen.firstDelivery(undefined)).toBe(true);
    expect(seen.firstDelivery(undefined)).toBe(true);
  });
});
