#!/usr/bin/env node
// `node bench/gap-stalls.mjs <gap files…>`: where a level's slowest gaps come from. The files are
// the load generator's gap logs (`BENCH_GAP_LOG=<prefix> npm run bench -- …`, one per level). Per
// file: the p99 gap, the first gap of each stream against the later ones (a stream's second chunk
// waits for its pacing slot), and the gaps above the p99 by the half second of the level they
// arrived in. Gaps above the p99 that crowd into one half second, across most streams, are one
// pause of a process on the chunk path (a collection, a burst of finishes), not a steady cost.
// With `--pauses=<dir>` (the BENCH_PAUSE_LOG directory of the same run) it also says, for each half
// second that holds a tenth or more of the slow gaps, which service's event loop stalled in it and
// how much of that was collection (bench/lib/pause-probe.mjs), on the wall clock of the level's start.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { say } from './lib/say.mjs';
import { percentile } from './lib/stats.mjs';

const args = process.argv.slice(2);
const pausesDir = args.find((a) => a.startsWith('--pauses='))?.slice('--pauses='.length);
const files = args.filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  process.stderr.write('usage: node bench/gap-stalls.mjs [--pauses=<dir>] <gap files…>\n');
  process.exit(2);
}
const pauses = pausesDir ? readPauses(pausesDir) : [];
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const t0 = Number(lines.find((line) => line.startsWith('# t0 '))?.slice(5));
  const rows = lines.filter((line) => !line.startsWith('#')).map((line) => line.split(' ').map(Number));
  const gaps = rows.filter(([, seq]) => seq > 1).map(([stream, seq, atMs, gapMs]) => ({ stream, seq, atMs, gapMs }));
  const firsts = rows.filter(([, seq]) => seq === 1).map(([stream, , atMs, ttftMs, headersMs, metaMs]) => ({ stream, atMs, ttftMs, headersMs, metaMs }));
  const p99 = percentile(gaps.map((g) => g.gapMs), 99);
  const first = gaps.filter((g) => g.seq === 2).map((g) => g.gapMs);
  const later = gaps.filter((g) => g.seq > 2).map((g) => g.gapMs);
  const slow = gaps.filter((g) => g.gapMs > p99);
  const byHalfSecond = new Map();
  for (const g of slow) byHalfSecond.set(Math.floor(g.atMs / 500), (byHalfSecond.get(Math.floor(g.atMs / 500)) ?? 0) + 1);
  const bins = [...byHalfSecond].sort((a, b) => a[0] - b[0]).map(([bin, count]) => `${(bin / 2).toFixed(1)} s: ${count}`);
  say(`${basename(file)}: ${gaps.length} gaps, p99 ${p99.toFixed(1)} ms; first gaps p50/p99 ${percentile(first, 50).toFixed(1)}/${percentile(first, 99).toFixed(1)} ms, later p99 ${percentile(later, 99).toFixed(1)} ms`);
  say(`  ${slow.length} above the p99 (${slow.filter((g) => g.seq === 2).length} of them first gaps), by half second: ${bins.join(', ')}`);
  if (firsts.length > 0) slowStarts(firsts);
  if (pausesDir && Number.isFinite(t0)) {
    for (const [bin, count] of [...byHalfSecond].sort((a, b) => a[0] - b[0])) {
      if (count < slow.length / 10) continue;
      // A gap is logged when its late chunk arrives: the pause that made it began up to a gap earlier.
      const from = t0 + bin * 500 - 100;
      const to = t0 + bin * 500 + 500;
      say(`  ${(bin / 2).toFixed(1)} s (${count} slow gaps): ${pausesIn(pauses, from, to) || 'no service paused 8 ms or more'}`);
    }
  }
}

/**
 * The first chunks above the TTFT p99, by the half second their request was sent in, with where
 * their time went: to response headers (the gateway's admission), to `meta`, and from `meta` to
 * the first chunk (queue, generator, the chunk's way back).
 */
function slowStarts(firsts) {
  const p99 = percentile(firsts.map((f) => f.ttftMs), 99);
  const slow = firsts.filter((f) => f.ttftMs >= p99);
  const byHalfSecond = new Map();
  for (const f of slow) {
    const bin = Math.floor((f.atMs - f.ttftMs) / 500);
    const group = byHalfSecond.get(bin);
    if (group) group.push(f);
    else byHalfSecond.set(bin, [f]);
  }
  const median = (values) => percentile(values, 50).toFixed(1);
  say(`  TTFT p99 ${p99.toFixed(1)} ms (p50 ${median(firsts.map((f) => f.ttftMs))}); the slowest ${slow.length} by the half second they were sent in (median to headers / to meta / meta → first chunk, ms):`);
  for (const [bin, group] of [...byHalfSecond].sort((a, b) => a[0] - b[0])) {
    say(`    ${(bin / 2).toFixed(1)} s: ${group.length}, ${median(group.map((f) => f.headersMs))} / ${median(group.map((f) => f.metaMs))} / ${median(group.map((f) => f.ttftMs - f.metaMs))}`);
  }
}

/** Every service log's probe lines: `{ service, kind: 'gc' | 'loop', at, ms, what }`. */
function readPauses(dir) {
  const found = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.log'))) {
    const service = name.replace(/\.log$/, '');
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (!line.startsWith('pause-probe ')) continue;
      const [, kind, at, ms, what] = line.split(' ');
      found.push({ service, kind, at: Number(at), ms: Number(ms), what });
    }
  }
  return found;
}

/** Per service, its loop stalls and collections of at least 2 ms in [from, to). */
function pausesIn(all, from, to) {
  const byService = new Map();
  for (const p of all) {
    const end = p.kind === 'gc' ? p.at + p.ms : p.at;
    if (end < from || end - p.ms >= to) continue;
    const entry = byService.get(p.service) ?? { loop: [], gc: [] };
    entry[p.kind].push(p);
    byService.set(p.service, entry);
  }
  const described = [];
  for (const [service, { loop, gc }] of byService) {
    if (loop.length === 0) continue;
    const gcMs = gc.reduce((sum, p) => sum + p.ms, 0);
    const kinds = [...new Set(gc.map((p) => p.what))].join('/');
    described.push(
      `${service} stalled ${loop.length}× (max ${Math.max(...loop.map((p) => p.ms)).toFixed(0)} ms, ${loop.reduce((s, p) => s + p.ms, 0).toFixed(0)} ms in all); collections ${gc.length} (${gcMs.toFixed(0)} ms${kinds ? ` ${kinds}` : ''})`,
    );
  }
  return described.join('; ');
}
