// The benchmark chart as a self-contained SVG (no plotting dependency): inter-chunk gap and time
// to first chunk, p50 (dashed) and p99 (solid), against N, one colour per server, log scale.
const COLORS = { reference: '#6b6b6b', relay: '#27ae60', stack: '#c0392b', 'stack-2gen': '#2471a3' };
const W = 460;
const H = 330;
const PAD = { left: 58, right: 14, top: 46, bottom: 46 };

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

function logTicks(min, max) {
  const ticks = [];
  for (let d = 10 ** Math.floor(Math.log10(min)); d <= max * 1.001; d *= 10) for (const m of [1, 2, 5]) if (d * m >= min && d * m <= max) ticks.push(d * m);
  return ticks;
}

function panel(x0, title, metric, threshold, series, maxN) {
  const values = series.flatMap((s) => s.levels.flatMap((l) => [l.lg[metric].p50, l.lg[metric].p99])).filter((v) => v > 0);
  const yMin = metric === 'gap' ? 10 : 1;
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(threshold * 2, ...values)));
  // N on a log axis too: the stack's limit and the reference's are an order of magnitude apart.
  const xMin = 20;
  const px = (n) => x0 + PAD.left + (Math.log10(Math.max(n, xMin) / xMin) / Math.log10(maxN / xMin)) * (W - PAD.left - PAD.right);
  const py = (v) => PAD.top + (1 - (Math.log10(Math.max(v, yMin)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - PAD.top - PAD.bottom);
  const out = [`<text x="${x0 + PAD.left}" y="${PAD.top - 26}" font-weight="bold">${esc(title)}</text>`];
  for (const t of logTicks(yMin, yMax)) {
 out.push(`<line x1="${px(xMin)}" x2="${px(maxN)}" y1="${py(t)}" y2="${py(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${px(xMin) - 6}" y="${py(t) + 4}" text-anchor="end">${t >= 1000 ? `${t / 1000} s` : `${t} ms`}</text>`);
  }
  for (const n of logTicks(xMin, maxN)) {
    out.push(`<line x1="${px(n)}" x2="${px(n)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${px(n)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${n}</text>`);
  }
  out.push(`<text x="${px(Math.sqrt(xMin * maxN))}" y="${H - 10}" text-anchor="middle">concurrent streams N (log scale)</text>`);
  out.push(`<line x1="${px(xMin)}" x2="${px(maxN)}" y1="${py(threshold)}" y2="${py(threshold)}" stroke="#000" stroke-dasharray="2 3"/>`);
  out.push(`<text x="${px(xMin) + 4}" y="${py(threshold) - 4}">p99 limit ${threshold} ms</text>`);
  out.push(`<rect x="${px(xMin)}" y="${PAD.top}" width="${px(maxN) - px(xMin)}" height="${H - PAD.top - PAD.bottom}" fill="none" stroke="#999"/>`);
  for (const s of series) {
    const levels = [...s.levels].sort((a, b) => a.n - b.n);
    const color = COLORS[s.name] ?? '#000';
    for (const [p, dash] of [['p50', '5 4'], ['p99', '']]) {
      const points = levels.map((l) => `${px(l.n).toFixed(1)},${py(l.lg[metric][p]).toFixed(1)}`).join(' ');
      out.push(`<polyline points="${points}" fill="none" stroke="${color}" stroke-width="2" ${dash ? `stroke-dasharray="${dash}"` : ''}/>`);
      for (const l of levels) {
        const fill = l.pass ? color : '#fff';
        out.push(`<circle cx="${px(l.n).toFixed(1)}" cy="${py(l.lg[metric][p]).toFixed(1)}" r="3" fill="${fill}" stroke="${color}"/>`);
      }
    }
  }
  return out.join('\n');
}

/** @param {object} results the run's results (results.series[*].levels[*].lg.{gap,ttft}) */
export function chartSvg(results) {
  // The scaling pass (capped generators) is another experiment: its levels are in the tables.
  const series = results.series.filter((s) => s.levels.length > 0 && !s.generatorCores);
  const maxN = Math.max(...series.flatMap((s) => s.levels.map((l) => l.n))) * 1.15;
  const legend = series
    .map((s, i) => `<g transform="translate(${PAD.left + i * 250},${H + 8})"><line x1="0" x2="24" y1="0" y2="0" stroke="${COLORS[s.name] ?? '#000'}" stroke-width="2"/><text x="30" y="4">${esc(s.label)}</text></g>`)
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 40}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="#fff"/>
${panel(0, 'Inter-chunk gap (solid p99, dashed p50)', 'gap', 45, series, maxN)}
${panel(W, 'Time to first chunk (solid p99, dashed p50)', 'ttft', 100, series, maxN)}
${legend}
<text x="${2 * W - 8}" y="${H + 30}" text-anchor="end" fill="#555">hollow marker = level failed the criteria · ${esc(results.startedAt.slice(0, 16).replace('T', ' '))} UTC</text>
</svg>
`;
}
