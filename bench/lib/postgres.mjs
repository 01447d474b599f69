// The bench's PostgreSQL: a private database on a server that already runs (created for the run,
// dropped after), and the server's root process, whose tree the sampler reads.
import pg from 'pg';
import { statFields } from './proc-sampler.mjs';

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

/** The parent of `pid`: for a backend, the postmaster. */
function parentOf(pid) {
  return Number(statFields(pid)[1]);
}
