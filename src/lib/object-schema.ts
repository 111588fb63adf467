/**
 * A Durable Object's SQLite schema, brought up to date once in the object's life instead of at
 * every wake. A cart object wakes cold at most checkouts (its shopper added to it minutes before),
 * and its idempotent DDL (CREATE TABLE IF NOT EXISTS, and ALTER TABLE ADD COLUMN that throws once the
 * column exists) cost a dozen statements and three exceptions per wake; behind a version it is one
 * read. An object made before versions reads 0 and runs the idempotent steps once more, so every
 * migration must stay safe to run again.
 */
export function ensureObjectSchema(sql: SqlStorage, part: string, version: number, migrate: () => void): void {
  if (schemaVersion(sql, part) >= version) return;
  migrate();
  sql.exec("CREATE TABLE IF NOT EXISTS object_schema (part TEXT PRIMARY KEY, version INTEGER NOT NULL)");
  sql.exec("INSERT OR REPLACE INTO object_schema (part, version) VALUES (?, ?)", part, version);
}

/** The version of one part of an object's storage (an object may hold several: stock, its ledger). */
function schemaVersion(sql: SqlStorage, part: string): number {
  try {
    return (
      sql.exec<{ version: number }>("SELECT version FROM object_schema WHERE part = ?", part).toArray()[0]?.version ?? 0
    );
  } catch {
    // No such table: a new object, or one from before versions.
    return 0;
  }
}

/** Adds columns that may already be there (ALTER TABLE has no IF NOT EXISTS): for migrations only. */
export function addColumns(sql: SqlStorage, table: string, columns: string[]): void {
  for (const column of columns) {
    try {
      sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column}`);
    } catch {
      // already there
    }
  }
}
