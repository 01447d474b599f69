import { wordCount } from '@app/knowledge';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ContextTurnData } from '@app/contracts';
import type { ProviderInput, ProviderReply } from '../chat-provider.js';
import { BuiltinProvider } from './builtin.provider.js';

const KB_DIR = fileURLToPath(new URL('../../../../../kb/', import.meta.url));

const input = (message: string, history: ContextTurnData[] = [], passages: string[] = []): ProviderInput => ({
  message,
  history,
  passages,
});

async function collect(reply: ProviderReply): Promise<string[]> {
  const pieces: string[] = [];
  for await (const piece of reply.text) pieces.push(piece);
  return pieces;
}

describe('BuiltinProvider', () => {
  let provider: BuiltinProvider;
  const ask = async (message: string, history: ContextTurnData[] = [], passages: string[] = []) => {
    const reply = await provider.reply(input(message, history, passages), new AbortController().signal);
    return { text: (await collect(reply)).join(''), sources: reply.sources };
  };
  const articlesOf = (sources: { ref: string }[]) => sources.map((s) => s.ref.split('#')[0]);

  beforeAll(async () => {
    provider = await BuiltinProvider.load(KB_DIR);
  });

  it('is named builtin', () => {
    expect(provider.name).toBe('builtin');
  });

  it.each([
    ['How do I start the server?', 'product/getting-started.md'],
    ['Which environment variable sets the Redis URL?', 'product/configuration.md'],
    ['How do I configure Redis?', 'product/configuration.md'],
    ['What does flux_position mean?', 'product/elp-analysis.md'],
    ['What is the 0–13 ELP scale?', 'product/elp-analysis.md'],
    ['How do I resume a stream after a disconnect?', 'product/streaming-api.md'],
    ['What happens when a generator crashes?', 'product/reliability.md'],
    ['What is a token bucket?', 'general/rate-limiting.md'],
  ])('answers %j from %s first', async (question, article) => {
    const { text, sources } = await ask(question);
    expect(articlesOf(sources)[0]).toBe(article);
    expect(text).not.toMatch(/could not find/);
  });

  it('quotes the section a question is about, not just its article', async () => {
    const { text, sources } = await ask('How do I resume a stream after a disconnect?');
    expect(sources[0]).toEqual({ title: 'Streaming API', ref: 'product/streaming-api.md#resuming-a-stream' });
    expect(text).toContain('Last-Event-ID');
  });

  it('ends with a Sources line naming exactly the articles in sources', async () => {
    const { text, sources } = await ask('How do I resume a stream after a disconnect?');
    const titles = [...new Set(sources.map((s) => s.title))];
    expect(text.split('\n').at(-1)).toBe(`Sources: ${titles.join('; ')}`);
  });

  it('keeps replies around 80–200 words', async () => {
    for (const question of ['How do I configure Redis?', 'What is Docker?', 'Explain the event loop', 'What is ELP?']) {
      const words = wordCount((await ask(question)).text);
      expect(words).toBeGreaterThanOrEqual(60);
      expect(words).toBeLessThanOrEqual(220);
    }
  });

  it('quotes the best section’s code block intact', async () => {
    const article = await readFile(`${KB_DIR}/product/getting-started.md`, 'utf8');
    const block = /```bash\nnpm ci\nnpm start\n```/.exec(article)?.[0];
    expect(block).toBeDefined();
    const { text, sources } = await ask('How do I install it with npm ci?');
    expect(sources[0].ref).toBe('product/getting-started.md#install-and-start');
    expect(text).toContain(`\n\n${block}\n\n`);
  });

  it('gives byte-identical replies for the same input, across separately loaded providers', async () => {
    const history: ContextTurnData[] = [
      { role: 'user', content: 'What is Redis pub/sub?' },
      { role: 'assistant', content: 'Redis is an in-memory data store…' },
    ];
    const passages = ['Our Redis runs at redis://cache.internal:6379 — ask ops before changing it.'];
    const other = await BuiltinProvider.load(KB_DIR);
    const signal = new AbortController().signal;
    const a = await provider.reply(input('and how do I configure it?', history, passages), signal);
    const b = await other.reply(input('and how do I configure it?', history, passages), signal);
    const [textA, textB] = [(await collect(a)).join(''), (await collect(b)).join('')];
    expect(Buffer.from(textA, 'utf8').equals(Buffer.from(textB, 'utf8'))).toBe(true);
    expect(b.sources).toEqual(a.sources);
  });

  describe('follow-ups', () => {
    const conversationAbout = async (question: string): Promise<ContextTurnData[]> => [
      { role: 'user', content: question },
      { role: 'assistant', content: (await ask(question)).text },
    ];

    it('answers "tell me more" about the topic of the previous turn', async () => {
      const aboutRedis = await ask('tell me more', await conversationAbout('What is Redis pub/sub?'));
      const aboutDocker = await ask('tell me more', await conversationAbout('What is Docker?'));
      expect(articlesOf(aboutRedis.sources)[0]).toBe('general/redis-pub-sub.md');
      expect(articlesOf(aboutDocker.sources)[0]).toBe('general/docker-basics.md');
      expect(aboutRedis.text).not.toBe(aboutDocker.text);
    });

    it('says something new rather than repeating the previous answer', async () => {
      const history = await conversationAbout('What is Redis pub/sub?');
      const first = (await ask('What is Redis pub/sub?')).sources.map((s) => s.ref);
      const more = (await ask('tell me more', history)).sources.map((s) => s.ref);
      expect(more.length).toBeGreaterThan(0);
      expect(more.filter((ref) => first.includes(ref))).toEqual([]);
    });

    it('resolves "and how do I configure it?" against the previous question', async () => {
      const { sources } = await ask('and how do I configure it?', await conversationAbout('What is Redis?'));
      expect(sources[0].ref).toBe('product/configuration.md#redis');
    });

    it('answers the same follow-up without history by saying what it covers', async () => {
      const { text, sources } = await ask('tell me more');
      expect(text).toMatch(/could not find/);
      expect(sources).toEqual([]);
    });
  });

  it('says plainly what it covers when nothing matches, listing the topics', async () => {
    const { text, sources } = await ask('xqzv blorf wuggle');
    expect(sources).toEqual([]);
    expect(text).toMatch(/^I could not find anything about that in my knowledge base/);
    for (const title of ['Getting Started', 'Configuration', 'Streaming API', 'Docker Basics', 'Ethos, Logos and Pathos in Aristotle’s Rhetoric']) {
      expect(text).toContain(title);
    }
  });

  describe('provided context', () => {
    it('quotes a matching passage and cites it as "Provided context"', async () => {
      const { text, sources } = await ask('What is the refund policy?', [], [
        'Shipping is free above 50 €.',
        'Our refund policy: items may be returned within 30 days for a full refund.',
      ]);
      expect(text).toContain('Our refund policy: items may be returned within 30 days for a full refund.');
      expect(sources).toEqual([{ title: 'Provided context', ref: 'context#passage-2' }]);
      expect(text.endsWith('Sources: Provided context')).toBe(true);
    });

    it('ignores passages that have nothing to do with the question', async () => {
      const { sources } = await ask('How do I configure Redis?', [], ['Shipping is free above 50 €.']);
      expect(sources.map((s) => s.title)).not.toContain('Provided context');
      expect(sources[0].ref).toBe('product/configuration.md#redis');
    });
  });

  describe('streaming and cancellation', () => {
    it('yields the reply in several pieces', async () => {
      const pieces = await collect(await provider.reply(input('How do I configure Redis?'), new AbortController().signal));
      expect(pieces.length).toBeGreaterThan(2);
    });

    it('stops iterating once the signal aborts', async () => {
      const controller = new AbortController();
      const reply = await provider.reply(input('How do I configure Redis?'), controller.signal);
      const pieces: string[] = [];
      for await (const piece of reply.text) {
        pieces.push(piece);
        controller.abort();
      }
      expect(pieces).toHaveLength(1);
    });

    it('yields nothing when the signal aborted before the first piece', async () => {
      const controller = new AbortController();
      controller.abort();
      expect(await collect(await provider.reply(input('How do I configure Redis?'), controller.signal))).toEqual([]);
    });
  });

  it.each([
    ['emoji only', '🚀🔥💯 👍🏽'],
    ['zero-width and bidi controls', '\u200b\u202e\u0000 ̸̡̛̖ Z̴̢a̵l̷g̸o̶ \ud800'],
    ['a 8,000-character message', 'redis configuration streaming '.repeat(300).slice(0, 8000)],
    ['8,000 characters without spaces', 'x'.repeat(8000)],
    ['code', 'const x = await fetch("/api/v1/chat/unified/stream", { method: "POST" }); // why 400?'],
    ['Markdown', '# Title\n\n```\n## not a heading\n```\n\n- item'],
  ])('answers %s without throwing, never empty', async (_, message) => {
    const { text } = await ask(message);
    expect(text.trim().length).toBeGreaterThan(0);
  });
});
