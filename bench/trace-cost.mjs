// CPU cost of a turn's tracing: the spans one turn makes in the three services (gateway 3, generator 3,
// history 2, and the traceparent carried twice), created in one process with the services' own
// setup (libs/platform/src/tracing) and exported to a local OTLP/HTTP receiver that discards them.
// `node bench/trace-cost.mjs [turns]` after `npm run build`; prints CPU µs per turn, tracing off and on,
// for http/json and http/protobuf.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { say } from './lib/say.mjs';

const tracing = new URL('../dist/apps/gateway/libs/platform/src/tracing/tracing.js', import.meta.url);
const turns = Number(process.argv[2] ?? 20_000);

if (process.env.TRACE_COST_CHILD) {
  const t = await import(tracing.href);
  await t.startTracing('bench');
  const { SpanKind } = await import('@opentelemetry/api');
  const turn = (i) => {
    const ids = { stream_id: `stream-${i}`, session_id: `session-${i}` };
    const root = t.tracer().startSpan('chat turn', { kind: SpanKind.SERVER, attributes: { ...ids, api: 'unified' } });
    const rootCtx = t.contextWith(root);
    t.endSpan(t.tracer().startSpan('admission', { attributes: ids }, rootCtx));
    const enqueue = t.tracer().startSpan('enqueue generation', { kind: SpanKind.PRODUCER, attributes: ids }, rootCtx);
    const jobTraceparent = t.traceparentOf(t.contextWith(enqueue));
    t.endSpan(enqueue);
    t.endSpan(root);
    const attempt = t.tracer().startSpan('generation attempt', { kind: SpanKind.CONSUMER, attributes: { ...ids, 'job.attempt': 1 } }, t.contextFromTraceparent(jobTraceparent));
    const attemptCtx = t.contextWith(attempt);
    const eventTraceparent = t.traceparentOf(attemptCtx);
    t.endSpan(t.tracer().startSpan('prepare input', { attributes: ids }, attemptCtx));
    const provider = t.tracer().startSpan('provider reply', { attributes: ids }, attemptCtx);
    provider.setAttribute('chunks', 60);
    t.endSpan(provider);
    for (const kind of ['turn-started', 'turn-finished']) {
      const write = t.tracer().startSpan('history write', { kind: SpanKind.CONSUMER, attributes: { ...ids, 'history.event': kind } }, t.contextFromTraceparent(eventTraceparent));
      write.setAttribute('history.result', 'stored');
      t.endSpan(write);
    }
    t.endSpan(attempt);
  };
  for (let i = 0; i < 2_000; i++) {
    turn(i); // warm-up
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 3));
  }
  await new Promise((r) => setTimeout(r, 500)); // its exports done
  const cpu = process.cpuUsage();
  const started = performance.now();
  // In slices of 50 turns (400 spans, under one export batch of 512), as turns arrive: the batch
  // processor exports between them, one request at a time, as it does in a service.
  for (let i = 0; i < turns; i++) {
    turn(i);
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 3));
  }
  await t.shutdownTracing(); // everything exported
  const used = process.cpuUsage(cpu);
  process.send({ cpuUsPerTurn: (used.user + used.system) / turns, wallMs: performance.now() - started });
  process.exit(0);
}

let requests = 0;
let bytes = 0;
const receiver = createServer((req, res) => {
  req.on('data', (c) => (bytes += c.length));
  req.on('end', () => {
    requests += 1;
    res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' }).end(req.headers['content-type']?.includes('json') ? '{}' : '');
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const endpoint = `http://127.0.0.1:${receiver.address().port}`;

// A queue that holds every span of the run: none dropped, all of them exported and counted.
const exporting = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_MAX_QUEUE_SIZE: String(turns * 10), OTEL_BSP_SCHEDULE_DELAY: '1' };
const run = (env) =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [String(turns)], { env: { PATH: process.env.PATH, TRACE_COST_CHILD: '1', ...env } });
    child.on('message', resolve);
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the measuring process exited with ${code} (is the build there? npm run build)`)));
  });

const results = {
  off: await run({}),
  'http/json': await run({ ...exporting, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }),
  'http/protobuf': await run({ ...exporting, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }),
};
receiver.close();
for (const [mode, r] of Object.entries(results)) say(`${mode.padEnd(14)} ${r.cpuUsPerTurn.toFixed(1).padStart(7)} µs CPU per turn (8 spans), ${turns} turns in ${Math.round(r.wallMs)} ms`);
say(`received ${requests} export requests (warm-up included), ${Math.round(bytes / 1024)} KiB (both protocols)`);
