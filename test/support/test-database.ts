import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pgliteTemplate } from './pglite-template.js';

export type DatabaseKind = 'pglite' | 'postgres';

/** The database kinds to run history tests against: PGlite always, PostgreSQL when CI provides it. */
export function databaseKinds(): DatabaseKind[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** A fresh, empty database for one stack: a temp PGlite directory or a new PostgreSQL database. */
export class TestDatabase {
  private constructor(
    readonly env: Record<string, string>,
    private readonly cleanup: () => Promise<void>,
  ) {}

  /**
   * `fromTemplate`: a PGlite directory starts as a copy of history's first start on this build
   * (pglite-template.ts), which saves each stack PGlite's initdb; the first start itself is what a
   * suite without it tests.
   */
  static async create(kind: DatabaseKind, { fromTemplate = false } = {}): Promise<TestDatabase> {
    if (kind === 'pglite') {
      const dir = mkdtempSync(join(tmpdir(), 'chat-history-'));
      if (fromTemplate) cpSync(await pgliteTemplate(), dir, { recursive: true, filter: (source) => !source.endsWith('READY') });
      return new TestDatabase({ HISTORY_DATA_DIR: dir }, async () => rmSync(dir, { recursive: true, force: true }));
    }
    const adminUrl = process.env.TEST_DATABASE_URL;
    if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
    const name = `chat_test_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return new TestDatabase({ DATABASE_URL: url.toString() }, async () => {
      const drop = new pg.Client({ connectionString: adminUrl });
      await drop.connect();
      await drop.query(`drop database if exists ${name} with (force)`);
      await drop.end();
    });
  }

  dispose(): Promise<void> {
    return this.cleanup();
  }
}
