import { request } from 'node:http';

export interface RawReply {
  status: number;
  contentType: string | undefined;
  body: string;
}

/**
 * Sends a request with its path exactly as written. fetch() cannot: its URL parser resolves `.`
 * and `..` segments (even `%2E`) and would never let a test send `/history/%2E`, which a
 * hand-written client can. An event stream is closed at its first bytes (only the status matters).
 */
export function rawRequest(baseUrl: string, method: string, path: string, timeoutMs = 10_000): Promise<RawReply> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, timeout: timeoutMs }, (res) => {
      const contentType = res.headers['content-type'];
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (contentType?.startsWith('text/event-stream')) res.destroy();
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, contentType, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
