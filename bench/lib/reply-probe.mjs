// Asks the stack the benchmark question once and keeps the chunk texts, so the reference server
// streams byte-for-byte the same reply (same chunk count, same sizes) as the product.
import { startFrontEnd } from './stack.mjs';

export async function probeReply(backEnd, message) {
  const front = await startFrontEnd(backEnd, 1);
  try {
    const res = await fetch(`${front.gateway.url}/api/v1/chat/unified/stream`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ message, user_id: `bench-probe-${Date.now()}` }),
      signal: AbortSignal.timeout(30_000),
    });
    const raw = await res.text();
    const words = [];
    let done;
    for (const block of raw.split('\n\n')) {
      const data = block.split('\n').find((line) => line.startsWith('data: '))?.slice(6);
      if (!data) continue;
      if (/^event: done$/m.test(block)) done = JSON.parse(data);
      else if (!/^event: /m.test(block)) words.push(JSON.parse(data).text);
    }
    if (!done || done.chunks !== words.length) throw new Error(`probe stream did not complete: ${raw.slice(-500)}`);
    return { words, bytes: Buffer.byteLength(raw), words150: words.join('').split(/\s+/).filter(Boolean).length };
  } finally {
    await front.stop();
  }
}
