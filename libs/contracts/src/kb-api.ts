/** Shapes of the knowledge-base routes (docs/api.md §14), shared by history, the gateway, the CLI's tests and the generator. */

/** Document ids are made by history (randomUUID): a UUIDv4, any case. */
export const KB_DOCUMENT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export const KB_DOCUMENT_ID_RULE = 'document_id must be a UUID';

/** Largest document content, in UTF-8 bytes: under the 64 KiB body limit with room for the other fields. */
export const KB_MAX_DOCUMENT_BYTES = 48 * 1024;
export const KB_MAX_TITLE_CHARS = 200;
export const KB_MAX_URL_CHARS = 2_048;

export type KbDocumentFormat = 'markdown' | 'text';

/** What `POST /api/v1/kb/documents` takes (and the gateway forwards to history as it is). */
export interface KbDocumentInput {
  title: string;
  content: string;
  format?: KbDocumentFormat;
  source_url?: string;
}

export interface KbDocumentSummary {
  document_id: string;
  title: string;
  format: KbDocumentFormat;
  source_url: string | null;
  /** Where sources name it: the path under `KB_DIR` of a shipped article, `documents/<id>` for an added one. */
  path: string;
  bytes: number;
  sections: number;
  created_at: string;
}

export interface KbDocumentList {
  /** The knowledge-base version: it grows by one with every added or removed document. */
  version: number;
  total_documents: number;
  documents: KbDocumentSummary[];
}

export interface KbDocumentCreated extends KbDocumentSummary {
  version: number;
}

export interface KbDocumentDeleted {
  success: true;
  document_id: string;
  version: number;
}

/** One document as the generators load it into their index (history's internal `GET /kb/index`). */
export interface KbIndexDocument {
  document_id: string;
  path: string;
  title: string;
  format: KbDocumentFormat;
  source_url: string | null;
  content: string;
}

/** Everything a generator indexes, at one version. */
export interface KbIndex {
  version: number;
  documents: KbIndexDocument[];
  /** Section embeddings by section `ref`, present when embeddings are configured; same model for all. */
  embeddings: Record<string, number[]>;
  /** The embedding model the vectors came from (`EMBEDDINGS_MODEL` at ingestion), or null. */
  embeddings_model: string | null;
}

/** Redis key holding the knowledge-base version (history sets it): the truth generators and a response cache go by. */
export function kbVersionKey(prefix: string): string {
  return `${prefix}:kb:version`;
}

/** Channel on which history announces each new version as it sets the key, so generators need not read it per turn. */
export function kbVersionChannel(prefix: string): string {
  return `${prefix}:kb:version:changed`;
}
