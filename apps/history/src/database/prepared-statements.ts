/** A statement prepared on the embedded database's one connection. */
export interface PreparedStatement {
  name: string;
  /** The type (oid) of each parameter, as PostgreSQL inferred it: how to send each value. */
  parameterTypes: readonly number[];
}

/**
 * Most statements the service runs have a fixed text; a few (a list filter of varying length) do
 * not. This many are kept prepared, the least recently used closed first, so that memory stays
 * bounded however many texts come by.
 */
const MAX_PREPARED = 100;

/** The prepared statements of one connection by SQL text, least recently used first. */
export class PreparedStatements {
  private readonly bySql = new Map<string, PreparedStatement>();
  /** Names prepared on the connection that nothing uses any more: closed with the next preparation. */
  private closing: string[] = [];
  private count = 0;

  get(sql: string): PreparedStatement | undefined {
    const statement = this.bySql.get(sql);
    if (statement) {
      this.bySql.delete(sql);
      this.bySql.set(sql, statement);
    }
    return statement;
  }

  /** A name for a new statement, and the names to close before it is prepared (evicted or forgotten). */
  reserve(): { name: string; closing: string[] } {
    for (const [sql, oldest] of this.bySql) {
      if (this.bySql.size < MAX_PREPARED) break;
      this.bySql.delete(sql);
      this.closing.push(oldest.name);
    }
    const closing = this.closing;
    this.closing = [];
    return { name: `s${++this.count}`, closing };
  }

  add(sql: string, statement: PreparedStatement): PreparedStatement {
    this.bySql.set(sql, statement);
    return statement;
  }

  /** After a schema change: every statement is prepared again when next used. */
  forgetAll(): void {
    for (const statement of this.bySql.values()) this.closing.push(statement.name);
    this.bySql.clear();
  }
}
