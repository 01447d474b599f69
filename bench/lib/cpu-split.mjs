// Splits each process's CPU of a level into three costs, using the /proc samples and the load
// generator's chunk arrivals per 50 ms: per chunk (steady state: every stream open, none starting
// or ending), per stream start (the ramp), and per stream finish (the rest). Which of the three
// dominates says what to tune: the relay and pacing path, or the admission / completion path.
import { round } from './stats.mjs';

/** CPU ms per process and chunks received between two offsets (ms) from the level's start. */
function windowOf(sampler, sentAt, lg, fromOffset, toOffset) {
  const window = sampler.between(sentAt + fromOffset, sentAt + toOffset);
  if (!window) return undefined;
  let chunks = 0;
  const first = Math.max(0, Math.ceil((window.from - sentAt) / lg.binMs));
  const last = Math.floor((window.to - sentAt) / lg.binMs);
  for (let i = first; i < last; i++) chunks += lg.bins[i] ?? 0;
  return { ...window, chunks };
}

/**
 * `steady`: CPU per 1,000 chunks after the ramp and before the first stream can end.
 * `startMs` / `finishMs`: per stream, CPU of the ramp window (from the sample taken just before
 * the first request) minus its chunks at the steady rate; and what is left of the whole level.
 */
export function splitCpu(sampler, sentAt, lg, workload, procs) {
  const steadyWindow = windowOf(sampler, sentAt, lg, workload.rampMs + 500, workload.expectChunks * workload.pacingMs - 200);
  if (!steadyWindow || steadyWindow.chunks === 0) return undefined;
  const rampWindow = windowOf(sampler, sentAt, lg, -1_000, workload.rampMs + 300);
  const per1kChunks = {};
  const pct = {};
  const startMs = {};
  const finishMs = {};
  for (const [name, p] of Object.entries(procs.processes)) {
    const perChunk = (steadyWindow.cpuMs[name] ?? 0) / steadyWindow.chunks;
    per1kChunks[name] = round(perChunk * 1000, 1);
    pct[name] = round(((steadyWindow.cpuMs[name] ?? 0) / (steadyWindow.to - steadyWindow.from)) * 100, 0);
    const start = rampWindow ? Math.max(0, (rampWindow.cpuMs[name] ?? 0) - perChunk * rampWindow.chunks) : 0;
    startMs[name] = round(start / lg.n, 2);
    finishMs[name] = round(Math.max(0, p.cpuMs - perChunk * lg.chunks - start) / lg.n, 2);
  }
  return { windowMs: Math.round(steadyWindow.to - steadyWindow.from), chunks: steadyWindow.chunks, per1kChunks, pct, startMs, finishMs };
}
