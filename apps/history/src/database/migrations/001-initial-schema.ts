import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_activity', 'timestamptz', (c) => c.notNull())
    .addColumn('active_stream_id', 'text')
    .execute();
  await db.schema.createIndex('sessions_user_activity').on('sessions').columns(['user_id', 'last_activity']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.session_id').onDelete('cascade'))
    .addColumn('stream_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('user', 'assistant')`))
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('elp', 'jsonb')
    .addColumn('confidence', 'double precision')
    .addColumn('stats', 'jsonb')
    .addColumn('sources', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    // int4 on purpose: PGlite returns int8 as bigint, which JSON cannot carry.
    .addColumn('ordinal', 'serial')
    .execute();
  await db.schema.createIndex('messages_session_order').on('messages').columns(['session_id', 'created_at', 'ordinal']).execute();

  await db.schema
    .createTable('deleted_sessions')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('deleted_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('deleted_sessions').execute();
  await db.schema.dropTable('messages').execute();
  await db.schema.dropTable('sessions').execute();
}
