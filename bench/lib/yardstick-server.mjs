// The HTTP side the yardstick servers (bench/reference-server.mjs, bench/relay/) share: plain
// node:http, the stream route, `/metrics` with the event-loop figures the services' prom-client
// reports (same names, sampled at the services' interval, LOOP_SAMPLE_MS, so the figures compare and
// the bench subtracts one interval from both; the histogram resets per read),
// `/health/*`, and an exit on SIGTERM.
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LOOP_SAMPLE_MS } from './service-metrics.mjs';

/**
 * Serves `stream(req, res)` at POST /api/v1/chat/unified/stream on `port`. A stream that fails
 * before its headers answers 503, after them loses its connection. `ready()`: whether the health
 * routes answer 200.
 */
export function serveYardstick({ port, stream, ready = () => true }) {
  const loop = monitorEventLoopDelay({ resolution: LOOP_SAMPLE_MS });
  loop.enable();
  const metrics = (res) => {
    const s = (ns) => ns / 1e9;
    const lines = [
      `process_resident_memory_bytes ${process.memoryUsage.rss()}`,
      `nodejs_eventloop_lag_mean_seconds ${s(loop.mean)}`,
      `nodejs_eventloop_lag_p50_seconds ${s(loop.percentile(50))}`,
      `nodejs_eventloop_lag_p99_seconds ${s(loop.percentile(99))}`,
      `nodejs_eventloop_lag_max_seconds ${s(loop.max)}`,
    ];
    loop.reset();
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${lines.join('\n')}\n`);
  };
  const server = http.createServer({ noDelay: true }, (req, res) => {
    if (req.method === 'POST' && req.url === '/api/v1/chat/unified/stream') {
      return void stream(req, res).catch(() => {
        if (res.headersSent) res.destroy();
        else res.writeHead(503).end();
      });
    }
    if (req.method === 'GET' && req.url === '/metrics') return metrics(res);
    if (req.method === 'GET' && req.url?.startsWith('/health/')) return void (ready() ? res.writeHead(200).end('{"status":"ok"}') : res.writeHead(503).end());
    res.writeHead(404).end();
  });
  server.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
