import { hostname } from 'node:os';
import {
  diag,
  DiagConsoleLogger,
  DiagLogLevel,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';

/**
 * Traces (docs/architecture.md "Tracing"). Off unless an OTLP endpoint is configured: then no SDK
 * is loaded, `@opentelemetry/api` hands out its no-op tracer, and nothing is written into jobs or
 * turn events. Spans are manual and take their parent explicitly (no context manager, so no
 * AsyncLocalStorage and no promise hooks); a turn's context crosses the queue as a W3C
 * `traceparent` in the job data and in the turn events.
 */

/** The SDK's provider, while tracing runs. */
let provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> } | undefined;
let propagator: TextMapPropagator | undefined;

/**
 * Whether this environment asks for traces (the standard OTEL_* rules): `unsupported` says why a
 * request for them cannot be met (a protocol or exporter this setup does not have).
 */
export function tracingSettings(env: NodeJS.ProcessEnv = process.env): { on: true; protocol: 'http/protobuf' | 'http/json' } | { on: false; unsupported?: string } {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { on: false };
  if (!env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() && !env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) return { on: false };
  const exporters = (env.OTEL_TRACES_EXPORTER?.trim() || 'otlp').split(',').map((e) => e.trim().toLowerCase());
  if (exporters.includes('none')) return { on: false };
  if (!exporters.includes('otlp')) return { on: false, unsupported: `OTEL_TRACES_EXPORTER=${env.OTEL_TRACES_EXPORTER} (only otlp is supported)` };
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() || env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim() || 'http/protobuf').toLowerCase();
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') return { on: false, unsupported: `OTLP protocol ${protocol} (http/protobuf or http/json are supported)` };
  return { on: true, protocol };
}

/**
 * Starts the SDK when the environment asks for traces; call it first in a service's main, before
 * the app is created. The SDK's modules are imported here, and only then: a service without
 * OTEL_* settings never loads them. Returns whether tracing runs.
 */
export async function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (provider) return true;
  const settings = tracingSettings(env);
  if (!settings.on) {
    // Asked for but not possible: said once at start rather than every span dropped in silence.
    if (settings.unsupported) process.emitWarning(`${service}: traces are not exported: ${settings.unsupported}`);
    return false;
  }
  // The SDK's own complaints (an unreachable collector, a bad setting) on stderr, at OTEL_LOG_LEVEL; silent by default.
  const logLevel = env.OTEL_LOG_LEVEL?.trim().toUpperCase() as keyof typeof DiagLogLevel | undefined;
  if (logLevel && logLevel in DiagLogLevel) diag.setLogger(new DiagConsoleLogger(), { logLevel: DiagLogLevel[logLevel] });
  const [{ BasicTracerProvider, BatchSpanProcessor }, { W3CTraceContextPropagator }, resources, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  // The exporters read OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, _HEADERS, _TIMEOUT, _COMPRESSION themselves.
  const { OTLPTraceExporter } =
    settings.protocol === 'http/json' ? await import('@opentelemetry/exporter-trace-otlp-http') : await import('@opentelemetry/exporter-trace-otlp-proto');
  // The service's own name unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES say otherwise.
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, 'service.instance.id': `${hostname()}-${process.pid}` }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  // Sampler from OTEL_TRACES_SAMPLER(_ARG), batching from OTEL_BSP_*: read by the SDK.
  const sdk = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] });
  if (!trace.setGlobalTracerProvider(sdk)) return false;
  provider = sdk;
  propagator = new W3CTraceContextPropagator();
  return true;
}

/** Exports what is buffered and stops the SDK (a service's shutdown); bounded by OTEL_BSP_EXPORT_TIMEOUT. */
export async function shutdownTracing(): Promise<void> {
  const running = provider;
  provider = undefined;
  propagator = undefined;
  if (running) trace.disable(); // back to the no-op tracer (and a later startTracing may register again)
  await running?.shutdown().catch(() => undefined);
}

export function tracingEnabled(): boolean {
  return provider !== undefined;
}

/** The product's tracer (a no-op one while tracing is off). */
export function tracer(): Tracer {
  return trace.getTracer('chat-backend');
}

/**
 * The span every step gets while tracing is off: one object whose methods do nothing, as the no-op
 * tracer's spans do. The API's no-op path would build a tracer, a span and a context per step, in
 * code a new process must warm up again on its first requests (docs/benchmarks.md, item 47).
 */
const SPAN_WHILE_OFF: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** A span of the product's tracer, child of `parent` (`SPAN_WHILE_OFF` while tracing is off). */
export function startSpan(name: string, options?: Parameters<Tracer['startSpan']>[1], parent?: Context): Span {
  return provider ? tracer().startSpan(name, options, parent) : SPAN_WHILE_OFF;
}

/** `ctx` as a W3C traceparent to carry in a job or an event; undefined while tracing is off. */
export function traceparentOf(ctx: Context): string | undefined {
  if (!propagator) return undefined;
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, { set: (c, key, value) => (c[key] = value) });
  return carrier.traceparent;
}

/** The context a carried traceparent names (the root context when there is none, or tracing is off). */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!propagator || !traceparent) return ROOT_CONTEXT;
  return propagator.extract(ROOT_CONTEXT, { traceparent }, { get: (c, key) => c[key], keys: (c) => Object.keys(c) });
}

/** A child context holding `span`: the parent to give the spans of a step (the root one while tracing is off). */
export function contextWith(span: Span): Context {
  return provider ? trace.setSpan(ROOT_CONTEXT, span) : ROOT_CONTEXT;
}

/** `{ trace_id }` for a log line, when the span belongs to a trace (nothing while tracing is off). */
export function traceFields(span: Span | undefined): { trace_id?: string } {
  const spanContext = span?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? { trace_id: spanContext.traceId } : {};
}

/** `{ trace_id }` for a log line from a carried traceparent (nothing when there is none). */
export function traceIdFields(traceparent: string | undefined): { trace_id?: string } {
  const traceId = traceparent?.split('-')[1];
  return traceId ? { trace_id: traceId } : {};
}

/** Ends a span, as failed when `err` is given. */
export function endSpan(span: Span, err?: unknown): void {
  if (err !== undefined) {
    const error = err instanceof Error ? err : new Error(String(err));
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}

/**
 * Runs `step` in a span that is a child of `parent`, ending it with the step's outcome. `step` is
 * given the span (for attributes) and the context to parent its own steps on.
 */
export async function inSpan<T>(name: string, parent: Context, options: Parameters<Tracer['startSpan']>[1], step: (span: Span, ctx: Context) => Promise<T>): Promise<T> {
  if (!provider) return step(SPAN_WHILE_OFF, parent);
  const span = tracer().startSpan(name, options, parent);
  try {
    const result = await step(span, trace.setSpan(parent, span));
    endSpan(span);
    return result;
  } catch (err) {
    endSpan(span, err);
    throw err;
  }
}
