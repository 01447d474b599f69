// Other engineers run test suites on this 2-core machine. Before a level starts, wait (bounded)
// for a moment when the machine is mostly idle, and record how busy it was, so that a level is
// less often measured in the middle of someone else's burst — and when it is, the table says so.
import { readFileSync } from 'node:fs';
import { sleep } from './ports.mjs';

function cpuTimes() {
  const v = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: v[3] + v[4], total: v.reduce((a, b) => a + b, 0) };
}

async function busyPct(windowMs) {
  const a = cpuTimes();
  await sleep(windowMs);
  const b = cpuTimes();
  return (1 - (b.idle - a.idle) / Math.max(1, b.total - a.total)) * 100;
}

/** Resolves when a 500 ms window shows the machine under `maxBusyPct`, or after `maxWaitMs`. */
export async function waitForQuiet(maxBusyPct = 30, maxWaitMs = 15_000) {
  const started = Date.now();
  let busy = await busyPct(500);
  while (busy > maxBusyPct && Date.now() - started < maxWaitMs) busy = await busyPct(500);
  return { waitedMs: Date.now() - started, busyPct: Math.round(busy) };
}
