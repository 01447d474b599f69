import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProviderError } from '../provider-error.js';
import { OpenAiProvider } from './openai.provider.js';

// The provider's deadlines and error mapping against a small HTTP server in this process.
const held: ServerResponse[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let raw = '';
    for await (const part of req) raw += part;
    const question = (JSON.parse(raw) as { messages: Array<{ content: string }> }).messages.at(-1)!.content;
    if (question === 'no headers') return void held.push(res);
    if (question === 'no token') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] })}\n\n`);
      return void held.push(res);
    }
    if (question === 'not found') return void res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":{"message":"model not found"}}');
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'fine' }, finish_reason: null }] })}\n\ndata: [DONE]\n\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => {
  held.forEach((res) => res.destroy());
  server.closeAllConnections(); // the client's keep-alive connections too
  server.close();
});

const provider = () => new OpenAiProvider({ baseUrl, model: 'm', timeoutMs: 300, maxRetries: 0 });
const input = (message: string) => ({ message, history: [], passages: [] });

async function text(message: string, signal = new AbortController().signal): Promise<string> {
  let out = '';
  for await (const piece of (await provider().reply(input(message), signal)).text) out += piece;
  return out;
}

describe('OpenAiProvider', () => {
  it('streams the content deltas', async () => {
    expect(await text('hello')).toBe('fine');
  });

  it('gives up with upstream_timeout when the response headers do not come in time', async () => {
    const failure = (await text('no headers').catch((err: unknown) => err)) as ProviderError;
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure.code).toBe('upstream_timeout');
    expect(failure.final).toBe(false);
  });

  it('gives up with upstream_timeout when the headers come but no token follows', async () => {
    const started = Date.now();
    const failure = (await text('no token').catch((err: unknown) => err)) as ProviderError;
    expect(failure.code).toBe('upstream_timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('maps a refused request to a final error', async () => {
    const failure = (await text('not found').catch((err: unknown) => err)) as ProviderError;
    expect(failure).toMatchObject({ code: 'upstream_model_not_found', final: true });
  });

  it('ends quietly when the job is cancelled mid-stream', async () => {
    const controller = new AbortController();
    const reply = await provider().reply(input('no token'), controller.signal);
    setTimeout(() => controller.abort(), 50);
    const pieces: string[] = [];
    for await (const piece of reply.text) pieces.push(piece);
    expect(pieces).toEqual([]);
  });
});
