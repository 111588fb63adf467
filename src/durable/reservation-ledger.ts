/**
 * The reservations one inventory object holds (an InventoryItem, or one of a
 * hot product's InventoryBucket objects), in that object's SQLite storage.
 * Holds expire; finished ones are kept a week so a late retry still sees its
 * outcome. Callers move the stock counters; this only keeps the ledger.
 */

export type ReservationState = "held" | "committed" | "released" | "expired";

export interface Reservation {
  reservation_id: string;
  quantity: number;
  state: ReservationState;
  expires_at: number;
}

/** Finished reservations (and adjustments) are kept this long, so late retries still see their outcome. */
export const HISTORY_RETENTION_MS = 7 * 24 * 3600 * 1000;

export class ReservationLedger {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS reservations (
        id TEXT PRIMARY KEY,
        quantity INTEGER NOT NULL,
        state TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS reservations_held ON reservations (state, expires_at);
    `);
  }

  find(id: string): Reservation | null {
    const row = this.sql
      .exec<{ id: string; quantity: number; state: ReservationState; expires_at: number }>(
        "SELECT id, quantity, state, expires_at FROM reservations WHERE id = ?",
        id,
      )
      .toArray()[0];
    return row
      ? { reservation_id: row.id, quantity: row.quantity, state: row.state, expires_at: row.expires_at }
      : null;
  }

  hold(id: string, quantity: number, expiresAt: number, now: number): void {
    this.sql.exec(
      "INSERT INTO reservations (id, quantity, state, expires_at, updated_at) VALUES (?, ?, 'held', ?, ?)",
      id,
      quantity,
      expiresAt,
      now,
    );
  }

  /** A release of a reservation never made: a late reserve with this id must find it released. */
  tombstone(id: string): void {
    this.sql.exec(
      "INSERT INTO reservations (id, quantity, state, expires_at, updated_at) VALUES (?, 0, 'released', 0, ?)",
      id,
      Date.now(),
    );
  }

  setState(id: string, state: ReservationState): void {
    this.sql.exec("UPDATE reservations SET state = ?, updated_at = ? WHERE id = ?", state, Date.now(), id);
  }

  /** Marks holds past their expiry expired and returns them (the caller puts their units back). */
  expireDue(now: number): { id: string; quantity: number }[] {
    const due = this.sql
      .exec<{ id: string; quantity: number }>(
        "SELECT id, quantity FROM reservations WHERE state = 'held' AND expires_at <= ?",
        now,
      )
      .toArray();
    for (const r of due) this.setState(r.id, "expired");
    return due;
  }

  /** The earliest expiry among held reservations, for the object's alarm. */
  nextExpiry(): number | null {
    return this.sql
      .exec<{ t: number | null }>("SELECT MIN(expires_at) AS t FROM reservations WHERE state = 'held'")
      .one().t;
  }

  purgeHistory(now: number): void {
    this.sql.exec("DELETE FROM reservations WHERE state != 'held' AND updated_at < ?", now - HISTORY_RETENTION_MS);
  }
}
