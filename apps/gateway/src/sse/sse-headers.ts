import type { Response } from 'express';

/**
 * Headers of a stream response (API.md §1). Nest writes its own, stricter Cache-Control when it
 * commits the SSE headers; the contract promises exactly `no-cache`, so it is set at that moment.
 */
export function setStreamHeaders(res: Response, streamId: string, sessionId: string): void {
  res.setHeader('X-Stream-Id', streamId);
  res.setHeader('X-Session-Id', sessionId);
  const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, unknown>) => Response;
  res.writeHead = ((status: number, headers?: Record<string, unknown>) =>
    writeHead(status, { ...headers, 'Cache-Control': 'no-cache' })) as Response['writeHead'];
}
