/**
 * What the generator appends to a stream's replay log and publishes on its channel. The entry is
 * `<kind>:<seq>:<json>`: the gateway routes on kind and seq without parsing JSON, and relays the
 * JSON part as the SSE `data` unchanged (one serialisation per chunk, done by the generator).
 */
export enum EntryKind {
  Chunk = 'c',
  Elp = 'e',
  Done = 'd',
  Error = 'x',
  /**
   * A stop: logged (never published) by a cancel request after the chunks sent so far, so that the
   * chunk script's length check refuses the next chunk without reading the stream's status for
   * every chunk (see append-chunks.ts). Readers of the log skip it.
   */
  Stop = 's',
}

export interface StreamEntry {
  kind: EntryKind;
  /** For a chunk its own seq; for other entries the seq of the last chunk before them. */
  seq: number;
  /** JSON text of the SSE `data` field. */
  data: string;
}

export function encodeEntry(kind: EntryKind, seq: number, data: string): string {
  return `${kind}:${seq}:${data}`;
}

/**
 * A chunk's entry, as the log and channel carry it: its data is `JSON.stringify({ text, seq })`,
 * written out (every chunk of every stream is encoded here, and the generic serialiser with its
 * object was the larger part of the cost).
 */
export function chunkEntry(seq: number, text: string): string {
  return encodeEntry(EntryKind.Chunk, seq, `{"text":${JSON.stringify(text)},"seq":${seq}}`);
}

export function decodeEntry(raw: string): StreamEntry {
  const first = raw.indexOf(':');
  const second = raw.indexOf(':', first + 1);
  return {
    kind: raw.slice(0, first) as EntryKind,
    seq: Number(raw.slice(first + 1, second)),
    data: raw.slice(second + 1),
  };
}

export function isTerminal(kind: EntryKind): boolean {
  return kind === EntryKind.Done || kind === EntryKind.Error;
}
