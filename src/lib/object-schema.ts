/**
 * A Durable Object's SQLite schema, brought up to date once in the object's life instead of at
 * every wake. A cart object wakes cold at most checkouts (its shopper added to it minutes before),
 * and its idempotent DDL (CREATE TABLE IF NOT EXISTS, and ALTER TABLE ADD COLUMN that throws once the
 * column exists) cost a dozen statements and three exceptions per wake; behind a version it is one
 * read. A new object creates its current schema in one go; an object made before versions runs the
 * idempotent steps once more, so every migration must stay safe to run again. The answer says which
 * (a new object has no rows to read at wake).
 */
export function ensureObjectSchema(
  sql: SqlStorage,
  part: string,
  version: number,
  schema: { create: string; migrate: () => void },
): "new" | "current" | "migrated" {
  const current = schemaVersion(sql, part);
  if (current >= version) return "current";
  let made: "new" | "migrated" = "new";
  if (current > 0) {
    schema.migrate();
    made = "migrated";
  } else {
    // No record: a new object, whose whole schema is one statement list (no ALTERs, no exceptions),
    // or one from before versions, whose tables exist: the first CREATE (no IF NOT EXISTS) throws
    // before anything else runs, and its idempotent migration runs instead.
    try {
      sql.exec(schema.create);
    } catch {
      schema.migrate();
      made = "migrated";
    }
  }
  sql.exec("CREATE TABLE IF NOT EXISTS object_schema (part TEXT PRIMARY KEY, version INTEGER NOT NULL)");
  sql.exec("INSERT OR REPLACE INTO object_schema (part, version) VALUES (?, ?)", part, version);
  return made;
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
