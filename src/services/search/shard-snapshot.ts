import type { RawData } from "@orama/orama";
import type { DocInfo } from "./orama-index";

/**
 * A search shard's snapshot in its Durable Object's storage: the Orama index, each document's
 * version and its stemmed words, as JSON in chunks (a stored value is at most 2 MB). A cold
 * shard restores from it; one of another layout is dropped and the shard is rebuilt from D1.
 */

/** 4: documents carry `ends_at` and the listing facet (older snapshots are rebuilt from D1). */
const SNAPSHOT_FORMAT = 4;
const CHUNK_CHARS = 1_000_000;

export interface ShardSnapshot {
  index: RawData;
  versions: [string, number][];
  words: [string, DocInfo][];
}

export function createSnapshotTables(sql: SqlStorage): void {
  sql.exec(`
    CREATE TABLE IF NOT EXISTS snapshot_chunks (n INTEGER PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
  `);
}

/** The stored snapshot; null when there is none. Throws when it is unreadable or of another format. */
export function readSnapshot(sql: SqlStorage): ShardSnapshot | null {
  const chunks = sql.exec<{ data: string }>("SELECT data FROM snapshot_chunks ORDER BY n").toArray();
  if (chunks.length === 0) return null;
  const { format, ...snap } = JSON.parse(chunks.map((c) => c.data).join("")) as ShardSnapshot & { format?: number };
  if (format !== SNAPSHOT_FORMAT) throw new Error(`snapshot format ${format ?? 1}, expected ${SNAPSHOT_FORMAT}`);
  return snap;
}

/** Replaces the stored snapshot in one transaction. */
export function writeSnapshot(storage: DurableObjectStorage, snap: ShardSnapshot): void {
  const text = JSON.stringify({ format: SNAPSHOT_FORMAT, ...snap });
  storage.transactionSync(() => {
    storage.sql.exec("DELETE FROM snapshot_chunks");
    for (let i = 0, n = 0; i < text.length; i += CHUNK_CHARS, n++) {
      storage.sql.exec("INSERT INTO snapshot_chunks (n, data) VALUES (?, ?)", n, text.slice(i, i + CHUNK_CHARS));
    }
  });
}

/** Forgets the snapshot and that the shard was filled (it is rebuilt from D1 on its next use); `everything`: all its meta too. */
export function dropSnapshot(sql: SqlStorage, opts: { everything?: boolean } = {}): void {
  sql.exec("DELETE FROM snapshot_chunks");
  if (opts.everything) sql.exec("DELETE FROM meta");
  else sql.exec("DELETE FROM meta WHERE k = 'filled'");
}

/** How many chunks the snapshot has, and their characters (the shard's stats). */
export function snapshotSize(sql: SqlStorage): { n: number; c: number } {
  return sql
    .exec<{ n: number; c: number }>("SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(data)), 0) AS c FROM snapshot_chunks")
    .one();
}
