// The sweep of one target (reference, relay, stack, stack with two generators): levels in rising
// N, stopping at its first failing level; then a bisection between its last pass and first fail
// narrows its limit. Targets are swept one after another (run.mjs): a target's processes are kept
// across its levels, and the two stack series share one queue.
import { interferencePct, runLevel } from './level.mjs';
import { perTurnText, redisClusterText } from './report-format.mjs';
import { say } from './say.mjs';

function describe(target, rec) {
  const g = rec.lg.gap;
  const t = rec.lg.ttft;
  const busy = Object.entries(rec.cpu)
    .map(([name, c]) => `${name} ${c.peakPct}%`)
    .join(' ');
  return (
    `[${target.name} N=${rec.n}] ${rec.pass ? 'PASS' : `FAIL (${rec.reasons.join('; ')})`} ` +
    `ttft p50/p99 ${t.p50}/${t.p99} ms, gap mean/p99 ${g.mean}/${g.p99} ms, done ${rec.lg.completed}/${rec.n}, ` +
    `mem/stream ${rec.memory.perStreamKb} KB, peak cpu: ${busy}, machine ${rec.machine.peakBusyPct}% (others ${rec.machine.othersPct}%, steal ${rec.machine.stealPct}% of a core)\n` +
    `  cpu per turn ms: ${perTurnText(rec.cpu, rec.n)}` +
    (rec.redisSockets ? `; redis socket reads/writes per turn ${rec.redisSockets.readsPerTurn}/${rec.redisSockets.writesPerTurn}` : '') +
    (redisClusterText(rec) ? `\n${redisClusterText(rec)}` : '')
  );
}

export class Sweep {
  /** `budgetMs`: the time each target's sweep may take (`run`), or all of `ladder` called alone. */
  constructor(workload, { retries, refineSteps, budgetMs }) {
    this.workload = workload;
    this.retries = retries;
    this.refineSteps = refineSteps;
    this.budgetMs = budgetMs;
    this.deadline = Date.now() + budgetMs;
  }

  get outOfTime() {
    return Date.now() > this.deadline;
  }

  /** Runs a level; a failing level is re-run (background load on a shared machine only ever hurts). */
  async attempt(series, n, { retry = true } = {}) {
    const failures = [];
    for (let i = 0; ; i++) {
      const rec = await runLevel(series.target, n, this.workload);
      say(describe(series.target, rec));
      // A failing level is re-run once (at small N, p99 is one straggler); a second time only
      // when others' load can explain the failures (another job, or the hypervisor's steal, took
      // > 25% of a core).
      const interference = interferencePct(rec.machine);
      const noisy = [...failures.map((f) => f.interferencePct), interference].some((pct) => pct > 25);
      if (rec.pass || !retry || i >= this.retries || (i >= 1 && !noisy) || this.outOfTime) {
        rec.failedAttempts = failures;
        series.levels.push(rec);
        return rec;
      }
      failures.push({ reasons: rec.reasons, interferencePct: interference });
    }
  }

  async ladder(seriesList, levels) {
    for (const n of levels) {
      for (const series of seriesList.filter((s) => s.alive)) {
        if (this.outOfTime) {
          series.alive = false;
          series.truncated = true;
          continue;
        }
        const rec = await this.attempt(series, n);
        if (rec.pass) series.lastPass = n;
        else {
          series.alive = false;
          series.firstFail = n;
        }
      }
    }
  }

  /** One target's whole sweep: its ladder, the bisection, and (`goalN`) the goals' level. */
  async run(series, levels, goalN) {
    this.deadline = Date.now() + this.budgetMs;
    await this.ladder([series], levels);
    await this.refine(series);
    if (goalN !== undefined) await this.ensureLevel(series, goalN);
  }

  /** Bisection between the last passing and the first failing N, on a grid of `refineGrain`. */
  async refine(series) {
    let lo = series.lastPass;
    let hi = series.firstFail;
    for (let step = 0; hi !== undefined && step < this.refineSteps && !this.outOfTime; step++) {
      const grain = hi - lo <= 20 ? 5 : hi - lo <= 100 ? 10 : hi - lo <= 500 ? 25 : 50;
      const mid = Math.round((lo + hi) / 2 / grain) * grain;
      if (mid <= lo || mid >= hi) break;
      if ((await this.attempt(series, mid)).pass) lo = mid;
      else hi = mid;
    }
    series.maxN = lo;
    series.failN = hi;
  }

  /** The goals are stated at a fixed N: measure it even past a target's limit. */
  async ensureLevel(series, n) {
    if (series.levels.some((l) => l.n === n) || this.outOfTime) return;
    say(`[${series.target.name}] measuring N=${n} for the goals, beyond its sweep`);
    (await this.attempt(series, n)).extra = true;
  }
}

export function newSeries(target) {
  return { target, levels: [], alive: true, lastPass: 0, firstFail: undefined, maxN: 0, failN: undefined, truncated: false };
}
