// Samples CPU time and RSS of every bench process from /proc every 250 ms — one sampler for all
// pids, so no process is read twice — plus the machine's total CPU (/proc/stat), which shows how
// much of the 2 cores other people's jobs took during a level.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // CLK_TCK = 100 on Linux x86-64 (getconf CLK_TCK)
const PAGE_KB = 4; // getconf PAGESIZE = 4096

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces), from field 3 ("state"). */
export function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** A process's own CPU time (utime + stime) and RSS, from its stat fields. */
function usageOf(f) {
  return { cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS, rssKb: Number(f[21]) * PAGE_KB };
}

/** CPU ms and RSS KB of a live process, or undefined once it has exited. */
export function readProc(pid) {
  try {
    return usageOf(statFields(pid));
  } catch {
    return undefined; // the process has exited
  }
}

/** A live process's CPU ms spent in the kernel (stime): system calls, and the loopback TCP work they do. */
export function readKernelMs(pid) {
  return Number(statFields(pid)[12]) * TICK_MS;
}

/**
 * CPU ms and RSS of a process with the children it forks, for a server that is not the bench's
 * child (PostgreSQL): its own time, the time of its children that have exited (cutime/cstime,
 * which the kernel adds to the parent when it reaps them: pooled backends come and go), and the
 * live children's time. RSS is its own plus its live children's.
 */
export function readProcessTree(root) {
  try {
    const f = statFields(root);
    let { cpuMs, rssKb } = usageOf(f);
    cpuMs += (Number(f[13]) + Number(f[14])) * TICK_MS; // cutime + cstime: reaped children
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const child = readChildOf(entry, root);
      if (!child) continue;
      cpuMs += child.cpuMs;
      rssKb += child.rssKb;
    }
    return { cpuMs, rssKb };
  } catch {
    return undefined; // the root has exited
  }
}

function readChildOf(pid, parent) {
  try {
    const f = statFields(pid);
    return Number(f[1]) === parent ? usageOf(f) : undefined;
  } catch {
    return undefined; // exited while we looked
  }
}

function readMachine() {
  const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = v[3] + v[4];
  const total = v.reduce((a, b) => a + b, 0);
  // steal: time this VM's cores were ready to run and the hypervisor ran someone else's instead.
  return { busyMs: (total - idle) * TICK_MS, totalMs: total * TICK_MS, stealMs: (v[7] ?? 0) * TICK_MS };
}

export class ProcSampler {
  /** @param {Record<string, number | (() => {cpuMs: number, rssKb: number} | undefined)>} pids name → pid, or a reader for a process tree */
  constructor(pids, everyMs = 250) {
    this.pids = pids;
    this.samples = [];
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  sample() {
    const procs = {};
    for (const [name, pid] of Object.entries(this.pids)) procs[name] = typeof pid === 'function' ? pid() : readProc(pid);
    this.samples.push({ t: performance.now(), procs, machine: readMachine() });
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
    return this.summary();
  }

  /**
   * CPU ms of each process between the first sample at or after `from` and the last at or before
   * `to` (orchestrator clock); with the actual bounds, so the caller can count chunks in them.
   */
  between(from, to) {
    const inside = this.samples.filter((s) => s.t >= from && s.t <= to);
    if (inside.length < 2) return undefined;
    const [a, b] = [inside[0], inside[inside.length - 1]];
    const cpuMs = {};
    for (const name of Object.keys(this.pids)) if (a.procs[name] && b.procs[name]) cpuMs[name] = b.procs[name].cpuMs - a.procs[name].cpuMs;
    return { from: a.t, to: b.t, cpuMs };
  }

  /**
   * Per process: CPU ms over the window, peak CPU over any ~1 s stretch (% of one core), RSS at
   * the start and at its peak. Machine: mean and peak busy % of all cores.
   */
  summary() {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const span = 4; // 4 × 250 ms ≈ 1 s
    const processes = {};
    for (const name of Object.keys(this.pids)) {
      const own = this.samples.map((s) => ({ t: s.t, p: s.procs[name] })).filter((s) => s.p);
      if (own.length < 2) continue;
      let peakPct = 0;
      for (let i = span; i < own.length; i++) {
        peakPct = Math.max(peakPct, ((own[i].p.cpuMs - own[i - span].p.cpuMs) / (own[i].t - own[i - span].t)) * 100);
      }
      const cpuMs = own[own.length - 1].p.cpuMs - own[0].p.cpuMs;
      processes[name] = {
        cpuMs,
        meanPct: (cpuMs / (own[own.length - 1].t - own[0].t)) * 100,
        peakPct,
        rssStartKb: own[0].p.rssKb,
        rssPeakKb: Math.max(...own.map((s) => s.p.rssKb)),
      };
    }
    let machinePeak = 0;
    for (let i = span; i < this.samples.length; i++) {
      const a = this.samples[i - span].machine;
      const b = this.samples[i].machine;
      machinePeak = Math.max(machinePeak, ((b.busyMs - a.busyMs) / (b.totalMs - a.totalMs)) * 100);
    }
    const busyMs = last.machine.busyMs - first.machine.busyMs;
    const stealMs = last.machine.stealMs - first.machine.stealMs;
    const ours = Object.values(processes).reduce((sum, p) => sum + p.cpuMs, 0);
    return {
      windowMs: last.t - first.t,
      processes,
      machine: {
        meanBusyPct: (busyMs / (last.machine.totalMs - first.machine.totalMs)) * 100,
        peakBusyPct: machinePeak,
        // CPU that none of the bench's processes used: other people's jobs, kernel work.
        othersMs: Math.max(0, busyMs - stealMs - ours),
        stealMs,
      },
    };
  }
}
