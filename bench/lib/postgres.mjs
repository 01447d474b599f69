// The bench's PostgreSQL: a private database on a server that already runs (created for the run,
// dropped after), and the CPU of that server's processes, which /proc cannot attribute to one pid.
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

let created = 0;

/** Creates `bench_<pid>_<n>` on the server of `url`; returns its URL and a drop(). */
export async function createPrivateDatabase(url) {
  created += 1;
  const name = `bench_${process.pid}_${created}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
        await admin.query(`create database ${name}`);
    const { rows } = await admin.query('select pg_backend_pid() as pid');
    const postmaster = parentOf(Number(rows[0].pid));
    const version = (await admin.query('show server_version')).rows[0].server_version.split(' ')[0];
    const privateUrl = new URL(url);
    privateUrl.pathname = `/${name}`;
    return {
      url: privateUrl.toString(),
      name,
      version,
      postmaster,
      async drop() {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query(`drop database if exists ${name} with (force)`);
        } finally {
          await c.end();
        }
      },
    };
  } finally {
    await admin.end();
  }
}

function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields after the command name (which may contain spaces), counted from field 3 ("state").
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function parentOf(pid) {
  return Number(statFields(pid)[1]);
}

const TICK_MS = 10; // CLK_TCK = 100

/**
 * CPU ms of a PostgreSQL server so far: the postmaster's own time, the time of its children that
 * have exited (cutime/cstime, which the kernel adds to the parent when it reaps them: pooled
 * backends come and go), and the live children's time. RSS is the postmaster's plus its children's.
 */
export function readServerTree(postmaster) {
  try {
    const f = statFields(postmaster);
    let cpuMs = (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
    let rssKb = Number(f[21]) * 4;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const c = statFields(entry);
        if (Number(c[1]) !== postmaster) continue;
        cpuMs += (Number(c[11]) + Number(c[12])) * TICK_MS;
        rssKb += Number(c[21]) * 4;
      } catch {
        // exited while we looked
      }
    }
    return { cpuMs, rssKb };
  } catch {
    return undefined;
  }
}
