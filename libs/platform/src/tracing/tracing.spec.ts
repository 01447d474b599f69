import { describe, expect, it } from '@jest/globals';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { contextFromTraceparent, contextWith, inSpan, startSpan, traceFields, traceIdFields, traceparentOf, tracer, tracingEnabled, tracingSettings } from './tracing.js';

describe('tracingSettings (the standard OTEL_* rules)', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

  it('is off without an endpoint, with an empty one (compose default), when disabled or exporter none', () => {
    expect(tracingSettings({})).toEqual({ on: false });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toEqual({ on: false });
    expect(tracingSettings({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toEqual({ on: false });
    expect(tracingSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toEqual({ on: false });
  });

  it('is on with an endpoint (or a traces endpoint), http/protobuf by default, http/json on request', () => {
    expect(tracingSettings(endpoint)).toEqual({ on: true, protocol: 'http/protobuf' });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toEqual({ on: true, protocol: 'http/protobuf' });
    expect(tracingSettings({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toEqual({ on: true, protocol: 'http/json' });
    expect(tracingSettings({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })).toEqual({
      on: true,
      protocol: 'http/protobuf',
    });
    expect(tracingSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'otlp,console' })).toEqual({ on: true, protocol: 'http/protobuf' });
  });

  it('says why a request for traces cannot be met', () => {
    expect(tracingSettings({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatchObject({ on: false, unsupported: expect.stringContaining('grpc') });
    expect(tracingSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'zipkin' })).toMatchObject({ on: false, unsupported: expect.stringContaining('zipkin') });
  });
});

describe('tracing off (no SDK started)', () => {
  it('hands out no-op spans and carries no context', () => {
    expect(tracingEnabled()).toBe(false);
    const span = tracer().startSpan('x');
    expect(span.isRecording()).toBe(false);
    expect(traceparentOf(contextWith(span))).toBeUndefined();
    expect(traceFields(span)).toEqual({});
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(contextFromTraceparent(traceparent)).toBe(ROOT_CONTEXT);
    expect(trace.getSpan(contextFromTraceparent(undefined))).toBeUndefined();
    expect(traceIdFields(traceparent)).toEqual({ trace_id: '0af7651916cd43dd8448eb211c80319c' });
    expect(traceIdFields(undefined)).toEqual({});
  });

  it('gives every step one inert span and its parent context, and runs the step as it is', async () => {
    const span = startSpan('chat turn', { attributes: { api: 'unified' } });
    expect(span).toBe(startSpan('another'));
    expect(span.isRecording()).toBe(false);
    expect(span.setAttribute('stream_id', 's')).toBe(span);
    expect(traceFields(span)).toEqual({});
    expect(contextWith(span)).toBe(ROOT_CONTEXT);
    const seen: unknown[] = [];
    const result = await inSpan('admission', ROOT_CONTEXT, {}, async (stepSpan, ctx) => {
      seen.push(stepSpan, ctx);
      return 42;
    });
    expect(result).toBe(42);
    expect(seen).toEqual([span, ROOT_CONTEXT]);
    await expect(inSpan('enqueue', ROOT_CONTEXT, {}, () => Promise.reject(new Error('redis down')))).rejects.toThrow('redis down');
  });
});
