import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { MessageEvent } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Subject } from 'rxjs';
import { sendEventStream } from './event-stream.js';

/**
 * The SSE writer on a real HTTP server and socket: what a client reads, and how many socket
 * writes the server made for it (each one a system call and a wake-up of the client).
 */
describe('sendEventStream', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  /** Serves one stream of `events`; resolves with the body the client read and the socket writes after the head. */
  async function serve(play: (events: Subject<MessageEvent>, writesSoFar: () => number) => Promise<void>): Promise<{ body: string; writes: number }> {
    const events = new Subject<MessageEvent>();
    let writes = 0;
    server = createServer((req, res) => {
      const socket = req.socket as Socket & { _writeGeneric: (...args: unknown[]) => unknown };
      sendEventStream(req as Request, res as Response, events, { streamId: 's', sessionId: 'x', maxPendingChars: 1 << 20 });
      // Counted from here: the head and whatever went with it are one write already.
      const writeGeneric = socket._writeGeneric;
      socket._writeGeneric = function (...args: unknown[]) {
        writes += 1;
        return writeGeneric.apply(this, args);
      };
      void play(events, () => writes);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const body = await new Promise<string>((resolve, reject) => {
      request({ port, host: '127.0.0.1', method: 'POST' }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (piece: string) => (text += piece));
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    return { body, writes };
  }

  const later = () => new Promise((resolve) => setTimeout(resolve, 20));
  const chunk = (seq: number): MessageEvent => ({ id: String(seq), data: `{"text":"w${seq} ","seq":${seq}}` });
  const elp = (seq: number): MessageEvent => ({ type: 'elp', id: String(seq), data: '{"ethos":0.2}' });
  const done: MessageEvent = { type: 'done', id: '2', data: '{"status":"completed"}' };

  it('writes each chunk at once, an ELP snapshot with the chunk that follows it, and done with the end of the body', async () => {
    const { body, writes } = await serve(async (events) => {
      events.next(chunk(1));
      await later();
      // As the relay hands them over: the snapshot, then its chunk a few microtasks later.
      events.next(elp(1));
      await Promise.resolve();
      await Promise.resolve();
      events.next(chunk(2));
      await later();
      events.next(done);
      events.complete();
    });
    expect(body).toBe(
      'id: 1\ndata: {"text":"w1 ","seq":1}\n\n' +
        'event: elp\nid: 1\ndata: {"ethos":0.2}\n\n' +
        'id: 2\ndata: {"text":"w2 ","seq":2}\n\n' +
        'event: done\nid: 2\ndata: {"status":"completed"}\n\n',
    );
    // The first chunk; the snapshot with the second; done with the body's end.
    expect(writes).toBe(3);
  });

  it('sends a snapshot that nothing follows in the same turn of the event loop on its own, without waiting for the next event', async () => {
    let writesAfterSnapshot = -1;
    const { body, writes } = await serve(async (events, writesSoFar) => {
      events.next(elp(0));
      await later();
      writesAfterSnapshot = writesSoFar();
      events.next(done);
      events.complete();
    });
    expect(writesAfterSnapshot).toBe(1);
    expect(writes).toBe(2);
    expect(body).toBe('event: elp\nid: 0\ndata: {"ethos":0.2}\n\nevent: done\nid: 2\ndata: {"status":"completed"}\n\n');
  });
});
