import { parse, protocol, type messages, type PGlite } from '@electric-sql/pglite';
import { PostgresDialect } from 'kysely';
import { bindMessage } from './bind-message.js';
import { PreparedStatements } from './prepared-statements.js';

const DESCRIBE_PORTAL = protocol.serialize.describe({ type: 'P' });
const EXECUTE = protocol.serialize.execute({});
const SYNC = protocol.serialize.sync();

/** Statements that read or write rows: prepared once, then only bound and executed (as is any statement with parameters). */
const ROW_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;
/** Statements that leave every table as it was: what a prepared statement reads stays valid. */
const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

/**
 * Kysely's Postgres dialect over an embedded PGlite. PGlite is one connection, so the "pool" hands
 * it to one client at a time: a transaction can never interleave with another query.
 *
 * Queries go through PostgreSQL's wire protocol, not PGlite's `query()`: that one parses, plans and
 * describes every statement anew in six calls into the database. Here a statement is parsed once
 * per text, as a named prepared statement, and each execution is one call (bind, describe,
 * execute, sync). A turn batch's writes took 23-28% less CPU so (docs/benchmarks.md item 39).
 *
 * Each execution is still planned with its values, as node-postgres's unnamed statements are on
 * PostgreSQL: PostgreSQL would otherwise switch a statement to a generic plan after five runs and
 * keep it while the tables grow. The turn batch's read did so with a hash of every stored message
 * id, chosen while the table was small: 3.3 times the CPU of planning each run.
 */
export function pgliteDialect(db: PGlite): PostgresDialect {
  const statements = new PreparedStatements();
  let queue: Promise<void> = Promise.resolve();
  // The wire protocol, unlike query(), does not wait for PGlite to open.
  const ready = db.waitReady.then(() => db.exec('set plan_cache_mode = force_custom_plan'));

  async function prepared(sql: string) {
    const known = statements.get(sql);
    if (known) return known;
    const { name, closing } = statements.reserve();
    const { messages: replies } = await db.execProtocol(
      Buffer.concat([...closing.map((old) => protocol.serialize.close({ type: 'S', name: old })), protocol.serialize.parse({ name, text: sql }), protocol.serialize.describe({ type: 'S', name }), protocol.serialize.sync()]),
    );
    const description = replies.find((m): m is messages.ParameterDescriptionMessage => m.name === 'parameterDescription');
    return statements.add(sql, { name, parameterTypes: description?.dataTypeIDs ?? [] });
  }

  async function run(sql: string, parameters: readonly unknown[]) {
    if (parameters.length === 0 && !ROW_STATEMENT.test(sql)) {
      const { messages: replies } = await db.execProtocol(protocol.serialize.query(sql));
      // A schema change may alter what a prepared statement returns: prepare them again.
      if (!TRANSACTION_CONTROL.test(sql)) statements.forgetAll();
      return replies;
    }
    const statement = await prepared(sql);
    // As PGlite's query() does: text values, through its serializer for the parameter's type.
    const values = parameters.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serialize = db.serializers[statement.parameterTypes[i]];
      return serialize ? serialize(value) : String(value);
    });
    const bind = values.every(isTextOrNull) ? bindMessage(statement.name, values) : protocol.serialize.bind({ statement: statement.name, values });
    const { messages: replies } = await db.execProtocol(Buffer.concat([bind, DESCRIBE_PORTAL, EXECUTE, SYNC]));
    return replies;
  }

  const client = {
    async query(sql: string, parameters: readonly unknown[]) {
      const replies = await db.runExclusive(() => run(sql, parameters));
      const result = parse.parseResults(replies, db.parsers).at(-1);
      const rows = (result?.rows ?? []) as Record<string, unknown>[];
      return { command: sql.trimStart().split(/\s/, 1)[0].toUpperCase(), rowCount: result?.affectedRows ?? rows.length, rows };
    },
    release() {},
  };
  const pool = {
    connect() {
      let release!: () => void;
      const turn = queue;
      queue = new Promise<void>((resolve) => (release = resolve));
      return turn.then(() => ready).then(() => ({ ...client, release }));
    },
    async end() {
      await db.close();
    },
  };
  return new PostgresDialect({ pool: pool as never });
}

function isTextOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}
