import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { logLines } from './support/log-lines.js';
import { readStream } from './support/sse-reader.js';
import { TestStack } from './support/test-stack.js';

describe('structured logs', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await TestStack.start({ env: { LOG_LEVEL: 'info' } });
  }, 90_000);
  afterAll(() => stack?.stop(), 30_000);

  it("tags a request's log lines with its X-Request-Id; probes and scrapes still answer", async () => {
    const res = await readStream(`${stack.gateway.url}/api/v1/chat/unified/stream`, {
      body: { message: 'What is JSON?', user_id: 'log-user' },
      headers: { 'X-Request-Id': 'trace-4711' },
    });
    expect(res.headers.get('x-request-id')).toBe('trace-4711');
    const started = logLines(stack.gateway.logs).find((line) => line.msg === 'stream started');
    expect(started).toMatchObject({ reqId: 'trace-4711', stream_id: res.headers.get('x-stream-id') });

    // Probes and scrapes run without a request-scoped logger (see libs/platform logging).
    for (const service of [stack.gateway, ...stack.generators, stack.history]) {
      expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
      expect((await fetch(`${service.url}/metrics`)).status).toBe(200);
    }
  }, 60_000);
});
