#!/usr/bin/env node
// `npm run kb -- <command>`: manage the knowledge base through the gateway's HTTP API
// (docs/api.md §14). Commands:
//   add <file|dir>...   add Markdown (.md, .markdown) and plain-text (.txt) files; a folder is read recursively
//   list                the documents, one per line: id, sections, path, title
//   remove <id>...      remove documents by id
// Options: --gateway <url> (GATEWAY_URL, default http://127.0.0.1:7000), --token <token>
// (KB_TOKEN: a JWT or API key of an admin), --user <user_id> (auth off: the caller named in the
// query), --title <title> and --url <source url> (add, one file only).
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';

const usage = `usage: npm run kb -- add <file|dir>... [--title T] [--url U] | list | remove <id>...
options: --gateway <url> (or GATEWAY_URL), --token <token> (or KB_TOKEN), --user <user_id>
`;

function fail(message, code = 1) {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      gateway: { type: 'string' },
      token: { type: 'string' },
      user: { type: 'string' },
      title: { type: 'string' },
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (err) {
  fail(`${err.message}\n${usage}`, 2);
}
const { values, positionals } = parsed;
if (values.help || positionals.length === 0) fail(usage, values.help ? 0 : 2);

const gateway = (values.gateway ?? process.env.GATEWAY_URL ?? 'http://127.0.0.1:7000').replace(/\/+$/, '');
const token = values.token ?? process.env.KB_TOKEN;
const query = values.user ? `?user_id=${encodeURIComponent(values.user)}` : '';

async function call(method, path, body) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`${gateway}/api/v1/kb/documents${path}${query}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    fail(`cannot reach the gateway at ${gateway}: ${err.cause?.message ?? err.message}`);
  }
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) {
    const message = Array.isArray(answer.message) ? answer.message.join('; ') : (answer.message ?? res.statusText);
    throw new Error(`${res.status} ${message}`);
  }
  return answer;
}

const FORMATS = { '.md': 'markdown', '.markdown': 'markdown', '.txt': 'text' };

/** Files to add under `target`, sorted; a file named directly is taken whatever its extension (as Markdown unless .txt). */
async function filesOf(target) {
  const info = await stat(target).catch(() => fail(`no such file or folder: ${target}`));
  if (!info.isDirectory()) return [target];
  const entries = await readdir(target, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && FORMATS[extname(e.name).toLowerCase()] && !e.name.startsWith('.'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The first `# ` line of Markdown, else the file name without its extension. */
function titleOf(file, content, format) {
  const heading = format === 'markdown' ? /^#\s+(.+?)\s*#*\s*$/m.exec(content) : null;
  return heading ? heading[1] : basename(file, extname(file));
}

async function add(targets) {
  const files = (await Promise.all(targets.map(filesOf))).flat();
  if (files.length === 0) fail('no .md, .markdown or .txt files found');
  if ((values.title || values.url) && files.length > 1) fail('--title and --url apply to one file only', 2);
  let failed = 0;
  for (const file of files) {
    const bytes = await readFile(file);
    const format = FORMATS[extname(file).toLowerCase()] ?? 'markdown';
    let content;
    try {
      content = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      process.stderr.write(`${file}: not valid UTF-8, skipped\n`);
      failed += 1;
      continue;
    }
    const body = { title: values.title ?? titleOf(file, content, format), content, format };
    if (values.url) body.source_url = values.url;
    try {
      const doc = await call('POST', '', body);
      process.stdout.write(`added ${doc.document_id}  ${doc.sections} sections  ${file}\n`);
    } catch (err) {
      process.stderr.write(`${file}: ${err.message}\n`);
      failed += 1;
    }
  }
  if (failed) process.exit(1);
}

async function list() {
  const { version, documents } = await call('GET', '');
  for (const d of documents) process.stdout.write(`${d.document_id}  ${String(d.sections).padStart(3)}  ${d.path}  ${d.title}\n`);
  process.stdout.write(`${documents.length} documents, version ${version}\n`);
}

async function remove(ids) {
  for (const id of ids) {
    await call('DELETE', `/${encodeURIComponent(id)}`);
    process.stdout.write(`removed ${id}\n`);
  }
}

const [command, ...rest] = positionals;
try {
  if (command === 'add' && rest.length) await add(rest);
  else if (command === 'list' && rest.length === 0) await list();
  else if (command === 'remove' && rest.length) await remove(rest);
  else fail(usage, 2);
} catch (err) {
  fail(err.message);
}
