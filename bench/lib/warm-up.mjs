// A fresh process is cold (JIT, lazily loaded modules, BullMQ script loading): a few streams are
// run to their third chunk and cancelled before measuring, so a level measures the steady path,
// not start-up, and the RSS baseline already includes what any first request allocates.
import { sleep } from './ports.mjs';

async function warmOne(server, message, userId, cancel) {
  const controller = new AbortController();
  try {
    const res = await fetch(`${server.url}/api/v1/chat/unified/stream`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ message, user_id: userId }),
      signal: controller.signal,
    });
    let seen = 0;
    for await (const part of res.body) {
      seen += (Buffer.from(part).toString('latin1').match(/"seq":/g) ?? []).length;
      if (seen >= 3) break;
    }
    const streamId = res.headers.get('x-stream-id');
    if (cancel && streamId) await fetch(`${server.url}/api/v1/chat/streams/${streamId}/cancel`, { method: 'POST' });
  } finally {
    controller.abort();
  }
}

export async function warmUp(server, kind, message, count = 20) {
  await Promise.allSettled(Array.from({ length: count }, (_, i) => warmOne(server, message, `bench-warm-${Date.now()}-${i}`, kind === 'stack')));
  await sleep(kind === 'stack' ? 1_500 : 300); // cancels settle, history writes drain
}
