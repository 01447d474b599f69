import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { pgliteDialect } from './pglite-dialect.js';

/** The statements prepared on the embedded connection whose text holds `marker`. */
async function preparedWith(pg: PGlite, marker: string): Promise<number> {
  const { rows } = await pg.query<{ n: number }>(`select count(*)::int as n from pg_prepared_statements where statement like '%' || $1 || '%'`, [marker]);
  return rows[0].n;
}

describe('pgliteDialect', () => {
  let pg: PGlite;
  let db: Kysely<Record<string, Record<string, unknown>>>;

  beforeAll(async () => {
    pg = new PGlite('memory://');
    db = new Kysely({ dialect: pgliteDialect(pg) });
    await sql`create table notes (id int primary key, body text not null, tags text[], meta jsonb, at timestamptz)`.execute(db);
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('reads back what it wrote, each type as PGlite reads it', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    await sql`insert into notes (id, body, meta, at) select * from unnest(${[1, 2]}::int[], ${['one', 'two']}::text[], ${['{"k":1}', null]}::jsonb[], ${[at, at]}::timestamptz[])`.execute(db);
    await sql`update notes set tags = ${['a', 'b c']} where id = ${1}`.execute(db);
    const { rows } = await sql<Record<string, unknown>>`select id, body, tags, meta, at from notes where id = any(${[1, 2]}::int[]) order by id`.execute(db);
    const own = await pg.query<Record<string, unknown>>('select id, body, tags, meta, at from notes where id = any($1::int[]) order by id', [[1, 2]]);
    expect(rows).toEqual(own.rows);
    expect(rows[0]).toEqual({ id: 1, body: 'one', tags: ['a', 'b c'], meta: { k: 1 }, at });
    expect(rows[1]).toEqual({ id: 2, body: 'two', tags: null, meta: null, at });
    // Any statement with parameters is bound, whatever its first word.
    const values = await sql<{ column1: number }>`values (${5}::int)`.execute(db);
    expect(values.rows).toEqual([{ column1: 5 }]);
  });

  it('prepares a statement once however often it runs, and counts the rows it changes', async () => {
    for (let i = 10; i < 18; i++) {
      const result = await sql`insert into notes (id, body) values (${i}, ${'prepared-once'})`.execute(db);
      expect(result.numAffectedRows).toBe(1n);
    }
    expect(await preparedWith(pg, `'prepared-once'`)).toBe(0);
    expect(await preparedWith(pg, 'insert into notes (id, body) values')).toBe(1);
    // Planned with its values each time, never with a generic plan kept while the table grows.
    const { rows: plans } = await pg.query<{ generic_plans: number; custom_plans: number }>(
      `select generic_plans::int, custom_plans::int from pg_prepared_statements where statement like 'insert into notes (id, body) values%'`,
    );
    expect(plans).toEqual([{ generic_plans: 0, custom_plans: 8 }]);
    const updated = await sql`update notes set body = ${'updated'} where id >= ${10}`.execute(db);
    expect(updated.numAffectedRows).toBe(8n);
  });

  it('keeps a bounded number of statements prepared, however many texts come by', async () => {
    for (let i = 0; i < 150; i++) await sql.raw(`select ${i} as bounded_${i}`).execute(db);
    expect(await preparedWith(pg, 'bounded_')).toBeLessThanOrEqual(100);
    expect(await preparedWith(pg, 'bounded_149')).toBe(1);
    expect(await preparedWith(pg, 'bounded_0 ')).toBe(0);
    // An evicted text is prepared again when it comes back.
    const { rows } = await sql.raw<{ bounded_0: number }>('select 0 as bounded_0').execute(db);
    expect(rows).toEqual([{ bounded_0: 0 }]);
  });

  it('sees a schema change in a statement prepared before it', async () => {
    const before = await sql<Record<string, unknown>>`select * from notes where id = ${1}`.execute(db);
    expect(Object.keys(before.rows[0])).not.toContain('extra');
    await sql`alter table notes add column extra text default 'x'`.execute(db);
    const after = await sql<Record<string, unknown>>`select * from notes where id = ${1}`.execute(db);
    expect(after.rows[0]).toMatchObject({ id: 1, extra: 'x' });
  });

  it('reports a failed statement with its code, rolls its transaction back, and goes on', async () => {
    const failing = db.transaction().execute(async (trx) => {
      await sql`insert into notes (id, body) values (${100}, ${'kept?'})`.execute(trx);
      await sql`insert into notes (id, body) values (${1}, ${'duplicate'})`.execute(trx);
    });
    await expect(failing).rejects.toMatchObject({ code: '23505' });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from notes where id = ${100}`.execute(db);
    expect(rows).toEqual([{ n: 0 }]);
    await expect(sql`select * from no_such_table`.execute(db)).rejects.toMatchObject({ code: '42P01' });
    const again = await sql<{ body: string }>`select body from notes where id = ${1}`.execute(db);
    expect(again.rows).toEqual([{ body: 'one' }]);
  });
});
