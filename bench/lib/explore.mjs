// Two explorations beside the sweep (run.mjs --burst, --steady), each one level per series with
// the sweep's level code (fresh servers, warm-up, /proc sampling, the same criteria):
//   burst:  N streams started at once, no ramp; how the wait for headers and the first chunk
//           grows along the launch order (per tenth), and what the burst cost each process;
//   steady: streams arriving as a Poisson process at N / (reply duration) per second for a fixed
//           time (so about N are open at once, as a service sees them), and CPU per turn.
import { runLevel } from './level.mjs';
import { fmt, perTurnText, redisClusterText } from './report-format.mjs';
import { say } from './say.mjs';

const pair = (s) => `${fmt(s?.p50)} / ${fmt(s?.p99)}`;
const verdict = (rec) => (rec.pass ? 'PASS' : `FAIL (${rec.reasons.join('; ')})`);

/** Start offsets (ms) of a Poisson process of `ratePerS` over `durationMs`. */
export function poissonArrivals(ratePerS, durationMs, random = Math.random) {
  const arrivals = [];
  for (let t = -Math.log(1 - random()) * (1000 / ratePerS); t < durationMs; t += -Math.log(1 - random()) * (1000 / ratePerS)) arrivals.push(t);
  return arrivals;
}

function cpuLines(rec) {
  const peaks = Object.entries(rec.cpu)
    .map(([name, c]) => `${name} ${fmt(c.cpuMs, 0)} ms (peak ${fmt(c.peakPct, 0)}%)`)
    .join(', ');
  say(`  CPU over the level: ${peaks}`);
  say(`  CPU per turn, ms: ${perTurnText(rec.cpu, rec.n)}`);
  if (rec.redisSockets) say(`  Redis socket reads per turn ${fmt(rec.redisSockets.readsPerTurn)}, writes ${fmt(rec.redisSockets.writesPerTurn)}`);
  if (rec.redisCluster) say(redisClusterText(rec));
}

/** What SLOWLOG counted (`--slowlog`): a turn's Redis commands and its own script calls. */
function redisLines(rec) {
  const s = rec.slowlog;
  if (!s) return;
  say(`  Redis per turn: ${fmt(s.issuedPerStream)} client-issued commands; script calls ${fmt(s.scriptCallsPerStream)} (chunk batches excluded) and ${fmt(s.chunkBatchesPerStream)} chunk batches`);
  const top = s.rows.filter((r) => r.usPerStream > 0).sort((a, b) => b.usPerStream - a.usPerStream).slice(0, 8);
  say(`  Redis execution per turn ${fmt(s.executionUsPerStream)} µs; by command: ${top.map((r) => `${r.key} ${fmt(r.usPerStream)}`).join(', ')}`);
  say(`  by script: ${Object.entries(s.scriptUsPerStream ?? {}).map(([name, us]) => `${name} ${fmt(us)}`).join(', ')}`);
}

/** `slowlog`: also count every client-issued Redis command of the stack's series (SLOWLOG at threshold 0, which costs Redis CPU). */
export async function burstPass(seriesTargets, n, workload, { slowlog = false } = {}) {
  const records = [];
  for (const target of seriesTargets) {
    const rec = await runLevel(target, n, { ...workload, rampMs: 0 }, { tenths: true, slowlog: slowlog && target.name.startsWith('stack') });
    say(`\n[${target.name} burst N=${n}] ${verdict(rec)}, done ${rec.lg.completed}/${n}, machine peak ${rec.machine.peakBusyPct}% (others ${rec.machine.othersPct}% of a core)`);
    say(`  all:       headers p50/p99 ${pair(rec.lg.toHeaders)} ms, TTFT p50/p99 ${pair(rec.lg.ttft)} ms, gap p99 ${fmt(rec.lg.gap.p99)} ms`);
    // The queue and the generator's share of TTFT (the yardsticks send meta at once too).
    say(`  meta → first chunk p50/p99 ${pair(rec.lg.metaToFirst)} ms`);
    rec.lg.tenths.forEach((t, i) => say(`  tenth ${String(i + 1).padStart(2)}:  headers p50/p99 ${pair(t.toHeaders)} ms, TTFT p50/p99 ${pair(t.ttft)} ms`));
    cpuLines(rec);
    redisLines(rec);
    records.push({ series: target.name, mode: 'burst', ...rec });
  }
  return records;
}

export async function steadyPass(seriesTargets, n, workload, durationS) {
  const replyS = (workload.expectChunks * workload.pacingMs) / 1000;
  const ratePerS = n / replyS;
  const records = [];
  for (const target of seriesTargets) {
    const arrivalsMs = poissonArrivals(ratePerS, durationS * 1000);
    const rec = await runLevel(target, arrivalsMs.length, workload, { arrivalsMs });
    say(`\n[${target.name} steady ~${n} open, ${fmt(ratePerS)}/s for ${durationS} s] ${verdict(rec)}, ${arrivalsMs.length} turns, done ${rec.lg.completed}/${arrivalsMs.length}, machine peak ${rec.machine.peakBusyPct}% (others ${rec.machine.othersPct}% of a core)`);
    say(`  headers p50/p99 ${pair(rec.lg.toHeaders)} ms, TTFT p50/p99 ${pair(rec.lg.ttft)} ms, gap p50/p99 ${pair(rec.lg.gap)} ms`);
    cpuLines(rec);
    records.push({ series: target.name, mode: 'steady', openTarget: n, ratePerS, durationS, ...rec });
  }
  return records;
}
