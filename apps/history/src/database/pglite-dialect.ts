import type { PGlite } from '@electric-sql/pglite';
import { PostgresDialect } from 'kysely';

/**
 * Kysely's Postgres dialect over an embedded PGlite. PGlite is one connection, so the "pool" hands
 * it to one client at a time: a transaction can never interleave with another query.
 */
export function pgliteDialect(db: PGlite): PostgresDialect {
  let queue: Promise<void> = Promise.resolve();
  const client = {
    async query(sql: string, parameters: readonly unknown[]) {
      const result = await db.query<Record<string, unknown>>(sql, parameters as unknown[]);
      return {
        command: sql.trimStart().split(/\s/, 1)[0].toUpperCase(),
        rowCount: result.affectedRows ?? result.rows.length,
        rows: result.rows,
      };
    },
    release() {},
  };
  const pool = {
    connect() {
      let release!: () => void;
      const turn = queue;
      queue = new Promise<void>((resolve) => (release = resolve));
      return turn.then(() => ({ ...client, release }));
    },
    async end() {
      await db.close();
    },
  };
  return new PostgresDialect({ pool: pool as never });
}
