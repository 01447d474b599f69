import type { Kysely } from 'kysely';

/** Per-message metadata: the guardrail decisions taken on the turn (PII, prompt injection). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('metadata', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('metadata').execute();
}
