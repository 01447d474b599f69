// The goals of issue 5, each checked against the run's figures: measured, not asserted.
import { at, bottleneckText, fmt, GOAL_N, limitOf, rssSlopeKb, table } from './report-format.mjs';

export function goalsTable(results) {
  const ref = results.series.find((s) => s.kind === 'reference');
  const one = results.series.find((s) => s.name === 'stack');
  const two = results.series.find((s) => s.name === 'stack-2gen');
  const l = at(one, GOAL_N);
  const check = (ok) => (ok === undefined ? 'not measured' : ok ? 'holds' : '**does not hold**');
  const lines = [];
  const nRatio = ref.maxN > 0 ? one.maxN / ref.maxN : undefined;
  lines.push(['stack largest N ≥ 0.6 × reference', `${limitOf(one)} vs ${limitOf(ref)} → ${nRatio === undefined ? '–' : `×${nRatio.toFixed(2)}`}`, check(nRatio === undefined ? undefined : nRatio >= 0.6)]);
  if (l) {
    lines.push([`p50 TTFT ≤ 15 ms at N=${GOAL_N}`, `${fmt(l.lg.ttft.p50)} ms`, check(l.lg.ttft.p50 <= 15)]);
    lines.push([`p99 TTFT ≤ 100 ms at N=${GOAL_N}`, `${fmt(l.lg.ttft.p99)} ms`, check(l.lg.ttft.p99 <= 100)]);
    lines.push([`p99 gap ≤ 45 ms at N=${GOAL_N}`, `${fmt(l.lg.gap.p99)} ms`, check(l.lg.gap.p99 <= 45)]);
    lines.push([`mean gap 30 ± 2 ms at N=${GOAL_N}`, `${fmt(l.lg.gap.mean, 2)} ms`, check(Math.abs(l.lg.gap.mean - 30) <= 2)]);
    lines.push([
      `gateway memory per open stream ≤ 40 KB (N=${GOAL_N})`,
      `RSS growth ÷ N ${fmt(l.memory.perStreamKb)} KB (reference ${fmt(at(ref, GOAL_N)?.memory.perStreamKb)} KB); slope over levels ${fmt(rssSlopeKb(one))} KB`,
      check(l.memory.perStreamKb <= 40),
    ]);
    lines.push([
      'Redis commands per chunk ≤ 2',
      `raw ${fmt(l.redis.perChunk, 2)} (incl. inside scripts); EVALSHA ${fmt(l.redis.scriptsPerChunk, 2)}; client-issued ${results.accounting?.slowlog?.issuedPerChunk ?? '–'}`,
      `raw: ${check(l.redis.perChunk <= 2)}; round trips: ${check((results.accounting?.slowlog?.issuedPerChunk ?? 99) <= 2)}`,
    ]);
  } else {
    lines.push([`figures at N=${GOAL_N}`, '–', 'not measured']);
  }
  const failing = at(one, one.failN);
  // Generator-bound = a generator process saturated at the 1-generator limit.
  const genBound = failing ? failing.bottleneck.saturated && failing.bottleneck.process?.startsWith('generator') : undefined;
  const scale = one.maxN > 0 ? two.maxN / one.maxN : undefined;
  lines.push([
    '2 generators ≥ 1.6 × the N of 1 (when the generator is the bottleneck)',
    `${limitOf(two)} vs ${limitOf(one)} → ${scale === undefined ? '–' : `×${scale.toFixed(2)}`}; busiest at the 1-generator limit: ${bottleneckText(failing)}`,
    genBound === false ? `not applicable: the generator is not the bottleneck (measured ×${scale?.toFixed(2)})` : check(scale === undefined ? undefined : scale >= 1.6),
  ]);
  return table(['goal', 'measured', 'verdict'], lines);
}
