// Reads V8 .cpuprofile files (node --cpu-prof) and says where a service's CPU went: self time by
// function and by origin (app code, a package in node_modules, Node internals, GC), which is the
// evidence behind the tuning suggestions. A diagnostic pass only: profiling slows the process.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a function comes from, in a few words. */
function origin(url, functionName) {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)' || functionName === '(idle)') return functionName;
  if (!url) return 'native / V8';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  const app = url.match(/dist\/apps\/[^/]+\/(.+)$/);
  return app ? `app: ${app[1].split('/src/')[0]}` : url;
}

function shortUrl(url) {
  return url.replace(/^file:\/\/.*?\/(node_modules|dist\/apps\/[^/]+)\//, '$1/').replace(/^node:/, 'node:');
}

/**
 * `window` ({ fromUs, toUs } on CLOCK_MONOTONIC, the clock of both V8 profiles and
 * process.hrtime) keeps only the measured level: start-up (module loading, PGlite's first open)
 * would otherwise dominate.
 */
function summarizeProfile(profile, top = 15, window = undefined) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map();
  const dt = profile.timeDeltas;
  let t = profile.startTime;
  // Each sample's duration is the next delta: attribute it to the sampled node.
  for (let i = 0; i < profile.samples.length; i++) {
    t += dt[i];
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    hits.set(profile.samples[i], (hits.get(profile.samples[i]) ?? 0) + (dt[i + 1] ?? 0));
  }
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frameName = (callFrame) => `${callFrame.functionName || '(anonymous)'} ${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}`;
  /** The app function nearest the sampled frame: which of our code asked for the work (libraries, Node, V8 included). */
  const appCaller = (id) => {
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { callFrame } = byId.get(at);
      if (origin(callFrame.url, callFrame.functionName).startsWith('app: ')) return frameName(callFrame);
    }
    return `(no app frame) ${origin(byId.get(id).callFrame.url, byId.get(id).callFrame.functionName)}`;
  };
  const fns = new Map();
  const origins = new Map();
  const callers = new Map();
  let total = 0;
  for (const [id, us] of hits) {
    const { callFrame } = byId.get(id);
    const o = origin(callFrame.url, callFrame.functionName);
    if (o === '(idle)') continue;
    total += us;
    origins.set(o, (origins.get(o) ?? 0) + us);
    const key = frameName(callFrame);
    fns.set(key, (fns.get(key) ?? 0) + us);
    const caller = appCaller(id);
    callers.set(caller, (callers.get(caller) ?? 0) + us);
  }
  const share = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), pct: Math.round((us / total) * 1000) / 10 }));
  return { busyMs: Math.round(total / 1000), byOrigin: share(origins), byFunction: share(fns), byAppCaller: share(callers) };
}

/** The profiles node wrote into `dir` (one per process), summarized, keyed by file name. */
export function summarizeDir(dir, top, window) {
  const out = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    out[file] = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), top, window);
  }
  return out;
}
