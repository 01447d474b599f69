// Loaded into a service with `node --import` when BENCH_PAUSE_LOG is set (stack.mjs): it prints the
// service's pauses on the wall clock, so that bench/gap-stalls.mjs can set them beside a level's
// slow gaps and name the process that stalled the chunk path.
// - `pause-probe gc <start epoch ms> <ms> <kind>`: every collection pause of the main thread of
//   2 ms or more (a PerformanceObserver, no cost between collections);
// - `pause-probe loop <end epoch ms> <ms>`: the event loop came back to a 10 ms timer that much
//   late (8 ms or more), whatever held it: a collection, a long callback, or no core to run on.
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';

const TICK_MS = 10;
const LATE_MS = 8;
const GC_MS = 2;
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'scavenge',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'mark-compact',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak-callbacks',
};
const origin = performance.timeOrigin;
const lines = [];
const flush = () => {
  if (lines.length > 0) process.stdout.write(lines.splice(0).join(''));
};

new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.duration < GC_MS) continue;
    lines.push(`pause-probe gc ${(origin + entry.startTime).toFixed(1)} ${entry.duration.toFixed(1)} ${KINDS[entry.detail?.kind] ?? entry.detail?.kind}\n`);
  }
}).observe({ entryTypes: ['gc'] });

let last = performance.now();
setInterval(() => {
  const now = performance.now();
  const late = now - last - TICK_MS;
  last = now;
  if (late >= LATE_MS) lines.push(`pause-probe loop ${(origin + now).toFixed(1)} ${late.toFixed(1)}\n`);
}, TICK_MS).unref();
// Written once a second, not as they happen: the probe should not add writes to the pauses it logs.
setInterval(flush, 1_000).unref();
process.on('exit', flush);
