import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat request the fake model server received. */
export interface SeenChatRequest {
  authorization?: string;
  body: { model: string; stream: boolean; messages: Array<{ role: string; content: string }> };
}

/** Dimensions of the fake embeddings. */
export const FAKE_EMBEDDING_DIMENSIONS = 256;

/**
 * Deterministic stand-in for an embedding model: each word's character trigrams (with the word's
 * edges marked) hashed into 256 dimensions, L2-normalised. Texts that share spelling are close
 * even when no word is exactly the same ("flangewidgt" and "flangewidget"), which is what lets a
 * test tell vector retrieval from word matching.
 */
export function fakeEmbedding(text: string): number[] {
  const vector = new Array<number>(FAKE_EMBEDDING_DIMENSIONS).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const marked = `^${word}$`;
    for (let i = 0; i + 3 <= marked.length; i++) {
      const slot = createHash('sha256').update(marked.slice(i, i + 3)).digest().readUInt32BE(0) % FAKE_EMBEDDING_DIMENSIONS;
      vector[slot] += 1;
    }
  }
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0)) || 1;
  return vector.map((x) => x / norm);
}

/**
 * A small fake of an OpenAI-compatible server (a model server cannot run here): streamed
 * `/v1/chat/completions` answering `reply`, and `/v1/embeddings` with fakeEmbedding. It records
 * what it was sent, so tests can check what reached the model.
 */
export class FakeModelServer {
  readonly chats: SeenChatRequest[] = [];
  readonly embedded: string[] = [];

  private readonly server: Server;

  private constructor(private readonly reply: string) {
    this.server = createServer((req, res) => void this.answer(req, res));
  }

  static async start(reply = 'Here is what I found.'): Promise<FakeModelServer> {
    const fake = new FakeModelServer(reply);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const part of req) raw += part;
    if (req.url === '/v1/embeddings') {
      const body = JSON.parse(raw) as { model: string; input: string | string[] };
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      this.embedded.push(...inputs);
      const data = inputs.map((input, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(input) }));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ object: 'list', model: body.model, data, usage: { prompt_tokens: 0, total_tokens: 0 } }));
    }
    if (req.url !== '/v1/chat/completions') return void res.writeHead(404).end();
    const body = JSON.parse(raw) as SeenChatRequest['body'];
    this.chats.push({ authorization: req.headers.authorization, body });
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    for (const piece of this.reply.match(/[\s\S]{1,4}/g) ?? []) {
      res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: piece }, finish_reason: null }] })}\n\n`);
    }
    res.write(`data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\n\n`);
    res.end('data: [DONE]\n\n');
  }

  /** The base URL an OpenAI client is given (`…/v1`). */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** The system message of the last chat request. */
  lastSystemPrompt(): string {
    return this.chats.at(-1)?.body.messages.find((m) => m.role === 'system')?.content ?? '';
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
