// Time of the ELP analysis of a 2 KB reply, against its budget of 2 ms on average: the generator
// analyses every reply it ends (docs/architecture.md, "Flow of a turn", step 8). A wall-clock
// figure, so it lives here and not in the unit specs, which must not depend on the machine's load.
// `node bench/elp-cost.mjs [runs]` after `npm run build`; exits 1 when over budget.
import { readFile } from 'node:fs/promises';
import { say } from './lib/say.mjs';

const BUDGET_MS = 2;
const runs = Number(process.argv[2] ?? 1_000);
const { analyzeElp } = await import(new URL('../dist/apps/generator/libs/elp/src/elp-analyzer.js', import.meta.url).href);

// A knowledge-base article is what a built-in reply is made of: Markdown, sentences, lists, code.
let text = '';
for (const article of ['general/redis-pub-sub.md', 'general/message-queues.md', 'general/json.md']) {
  text += await readFile(new URL(`../kb/${article}`, import.meta.url), 'utf8');
}
text = text.slice(0, 2048);

for (let i = 0; i < 50; i++) analyzeElp(text); // warm-up: let V8 optimise before measuring
const started = performance.now();
for (let i = 0; i < runs; i++) analyzeElp(text);
const averageMs = (performance.now() - started) / runs;

say(`ELP analysis of ${text.length} characters: ${averageMs.toFixed(3)} ms on average over ${runs} runs (budget ${BUDGET_MS} ms)`);
if (averageMs >= BUDGET_MS) {
  say('over budget');
  process.exitCode = 1;
}
