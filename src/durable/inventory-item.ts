import { DurableObject } from "cloudflare:workers";
import { errorFields, log } from "../lib/logger";

/**
 * The source of truth for one product's stock: one object per product id, its
 * state in the object's SQLite storage.
 *
 *   available: what can still be reserved (what API.md calls stock_available)
 *   reserved:  held by checkouts in progress; becomes sold on commit, or
 *              returns to available on release or expiry
 *
 * Every operation is synchronous SQL inside one object, so concurrent callers
 * are serialised and the last unit cannot be sold twice. Every operation is
 * idempotent by the id the caller passes (reservation id, adjustment id): a
 * retried call returns the first outcome and changes nothing again.
 *
 * The object initialises itself from the product's D1 row on first use (that
 * is how seeded and newly created products get their opening stock). From then
 * on D1's `stock_available` is only a projection this object writes, guarded by
 * a sequence number so an older write never overwrites a newer one.
 */

export type ReservationState = "held" | "committed" | "released" | "expired";

export interface StockLevel {
  product_id: string;
  available: number;
  reserved: number;
  seq: number;
}

export type InventoryResult<T = StockLevel> =
  | ({ ok: true } & T)
  | { ok: false; code: "not_found" | "out_of_stock" | "reservation_expired" | "invalid_state" | "below_reserved"; message: string; available?: number };

export interface ReservationOutcome extends StockLevel {
  reservation_id: string;
  quantity: number;
  state: ReservationState;
  expires_at: number;
}

/** Finished reservations and adjustments are kept this long, so late retries still see their outcome. */
const HISTORY_RETENTION_MS = 7 * 24 * 3600 * 1000;
export const MAX_RESERVATION_TTL_MS = 60 * 60 * 1000;

export class InventoryItem extends DurableObject<Env> {
  private productId: string | null = null;
  private flushing = false;
  /** Callers waiting until D1's projection holds at least their sequence number. */
  private waiters: { seq: number; resolve: () => void }[] = [];
  /** When the alarm is set for (mirrors storage; null until known). */
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS stock (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          product_id TEXT NOT NULL,
          available INTEGER NOT NULL CHECK (available >= 0),
          reserved INTEGER NOT NULL CHECK (reserved >= 0),
          seq INTEGER NOT NULL,
          projected_seq INTEGER NOT NULL DEFAULT 0,
          pending_event INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS reservations (
          id TEXT PRIMARY KEY,
          quantity INTEGER NOT NULL,
          state TEXT NOT NULL,
          expires_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS reservations_held ON reservations (state, expires_at);
        CREATE TABLE IF NOT EXISTS adjustments (
          id TEXT PRIMARY KEY,
          delta INTEGER NOT NULL,
          created_at INTEGER NOT NULL
        );
      `);
      // Added after the first release: whether the last inventory.changed said "in stock" (for 0 -> n alerts).
      try {
        this.ctx.storage.sql.exec("ALTER TABLE stock ADD COLUMN announced_in_stock INTEGER");
      } catch {
        // already there
      }
      const row = this.ctx.storage.sql.exec<{ product_id: string }>("SELECT product_id FROM stock WHERE id = 1").toArray()[0];
      this.productId = row?.product_id ?? null;
    });
  }

  /**
   * Loads the opening stock from D1 the first time this product is touched.
   * blockConcurrencyWhile holds every other call until it is done, so two
   * first calls cannot both initialise.
   */
  private async ensureLoaded(productId: string): Promise<boolean> {
    if (this.productId) return true;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.productId) return;
      const row = await this.env.DB.prepare("SELECT stock_available FROM products WHERE id = ?")
        .bind(productId)
        .first<{ stock_available: number }>();
      if (!row) return;
      this.ctx.storage.sql.exec(
        "INSERT INTO stock (id, product_id, available, reserved, seq, projected_seq, announced_in_stock) VALUES (1, ?, ?, 0, 1, 1, ?)",
        productId,
        Math.max(0, row.stock_available),
        row.stock_available > 0 ? 1 : 0,
      );
      this.productId = productId;
    });
    return this.productId !== null;
  }

  private level(): StockLevel {
    const row = this.ctx.storage.sql
      .exec<{ product_id: string; available: number; reserved: number; seq: number }>(
        "SELECT product_id, available, reserved, seq FROM stock WHERE id = 1",
      )
      .one();
    return { product_id: row.product_id, available: row.available, reserved: row.reserved, seq: row.seq };
  }

  /** Applies a change to the counters, bumps the sequence and schedules the D1 projection. */
  private change(dAvailable: number, dReserved: number, announce = false): StockLevel {
    const before = this.level();
    const crossesZero = (before.available === 0) !== (before.available + dAvailable === 0);
    this.ctx.storage.sql.exec(
      "UPDATE stock SET available = available + ?, reserved = reserved + ?, seq = seq + 1, pending_event = pending_event OR ? WHERE id = 1",
      dAvailable,
      dReserved,
      crossesZero || announce ? 1 : 0,
    );
    this.scheduleFlush();
    return this.level();
  }

  private notFound(): InventoryResult<never> {
    return { ok: false, code: "not_found", message: "No such product" };
  }

  async get(productId: string): Promise<InventoryResult> {
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    this.expireDue(Date.now());
    return { ok: true, ...this.level() };
  }

  /** Resolves once D1's projection shows the current level (after unawaited reserves). */
  async sync(productId: string): Promise<void> {
    if (!(await this.ensureLoaded(productId))) return;
    await this.projected(this.level().seq);
  }

  /** All-or-nothing: holds `quantity` units until `ttlMs` from now, or refuses with what is available. */
  /**
   * `awaitProjection: false` answers before D1's projection is written (checkout
   * does, then commits later, and commit waits for it): the write overlaps the
   * rest of the saga instead of adding to it.
   */
  async reserve(productId: string, reservationId: string, quantity: number, ttlMs: number, awaitProjection = true): Promise<InventoryResult<ReservationOutcome>> {
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    const now = Date.now();
    this.expireDue(now);
    const existing = this.reservation(reservationId);
    if (existing) return { ok: true, ...this.level(), ...existing };
    if (!Number.isSafeInteger(quantity) || quantity <= 0) {
      return { ok: false, code: "invalid_state", message: "quantity must be a positive integer" };
    }
    const { available } = this.level();
    if (available < quantity) {
      return { ok: false, code: "out_of_stock", message: `Only ${available} left`, available };
    }
    const expiresAt = now + Math.min(Math.max(ttlMs, 1000), MAX_RESERVATION_TTL_MS);
    this.ctx.storage.sql.exec(
      "INSERT INTO reservations (id, quantity, state, expires_at, updated_at) VALUES (?, ?, 'held', ?, ?)",
      reservationId,
      quantity,
      expiresAt,
      now,
    );
    const level = this.change(-quantity, quantity);
    // An alarm is already due at or before this expiry in the common case; only an earlier expiry re-arms.
    if (this.alarmAt === null || expiresAt < this.alarmAt) await this.armAlarm();
    if (awaitProjection) await this.projected(level.seq);
    return { ok: true, ...level, reservation_id: reservationId, quantity, state: "held", expires_at: expiresAt };
  }

  /** Takes held units for good (payment succeeded). Refused once the hold has expired or been released. */
  async commit(productId: string, reservationId: string): Promise<InventoryResult<ReservationOutcome>> {
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    this.expireDue(Date.now());
    const r = this.reservation(reservationId);
    if (!r) return { ok: false, code: "not_found", message: "No such reservation" };
    if (r.state === "committed") return { ok: true, ...this.level(), ...r };
    if (r.state !== "held") {
      return { ok: false, code: "reservation_expired", message: `The reservation was ${r.state} before it could be committed` };
    }
    this.setState(reservationId, "committed");
    const level = this.change(0, -r.quantity);
    // Available does not move on commit, but an unawaited reserve's projection must land before the caller answers.
    await this.projected(level.seq - 1);
    return { ok: true, ...level, ...r, state: "committed" };
  }

  /** Returns held units to available. Releasing twice, or after expiry, is a no-op. */
  async release(productId: string, reservationId: string): Promise<InventoryResult<ReservationOutcome | StockLevel>> {
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    this.expireDue(Date.now());
    const r = this.reservation(reservationId);
    if (!r) {
      // Releasing a reservation that never happened (a saga compensating a step
      // that failed before it reached us) must succeed, and must block a late
      // reserve with the same id from holding stock afterwards.
      this.ctx.storage.sql.exec(
        "INSERT INTO reservations (id, quantity, state, expires_at, updated_at) VALUES (?, 0, 'released', 0, ?)",
        reservationId,
        Date.now(),
      );
      return { ok: true, ...this.level() };
    }
    if (r.state === "committed") {
      return { ok: false, code: "invalid_state", message: "A committed reservation cannot be released; restock instead" };
    }
    if (r.state !== "held") return { ok: true, ...this.level(), ...r };
    this.setState(reservationId, "released");
    const level = this.change(r.quantity, -r.quantity);
    await this.projected(level.seq);
    return { ok: true, ...level, ...r, state: "released" };
  }

  /** Restock (positive) or remove stock (negative), never below zero available: reserved units are untouchable. */
  async adjust(productId: string, adjustmentId: string, delta: number): Promise<InventoryResult> {
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    const seen = this.ctx.storage.sql.exec("SELECT 1 FROM adjustments WHERE id = ?", adjustmentId).toArray();
    if (seen.length > 0) return { ok: true, ...this.level() };
    if (!Number.isSafeInteger(delta)) return { ok: false, code: "invalid_state", message: "delta must be an integer" };
    const { available, reserved } = this.level();
    if (available + delta < 0) {
      return {
        ok: false,
        code: "below_reserved",
        message: `Cannot remove ${-delta}: ${available} available, ${reserved} held by checkouts`,
        available,
      };
    }
    this.ctx.storage.sql.exec("INSERT INTO adjustments (id, delta, created_at) VALUES (?, ?, ?)", adjustmentId, delta, Date.now());
    const level = this.change(delta, 0, true);
    await this.projected(level.seq);
    return { ok: true, ...level };
  }

  /** Sets available to an absolute value (a seller editing stock_available), as an adjustment by the difference. */
  async setAvailable(productId: string, adjustmentId: string, target: number): Promise<InventoryResult> {
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    // adjust() ignores an adjustment id it has seen, so a retried set changes nothing twice.
    return this.adjust(productId, adjustmentId, target - this.level().available);
  }

  async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    this.expireDue(now);
    this.ctx.storage.sql.exec(
      "DELETE FROM reservations WHERE state != 'held' AND updated_at < ?",
      now - HISTORY_RETENTION_MS,
    );
    this.ctx.storage.sql.exec("DELETE FROM adjustments WHERE created_at < ?", now - HISTORY_RETENTION_MS);
    await this.flush();
    await this.armAlarm();
  }

  private reservation(id: string): Omit<ReservationOutcome, keyof StockLevel> | null {
    const row = this.ctx.storage.sql
      .exec<{ id: string; quantity: number; state: ReservationState; expires_at: number }>(
        "SELECT id, quantity, state, expires_at FROM reservations WHERE id = ?",
        id,
      )
      .toArray()[0];
    return row ? { reservation_id: row.id, quantity: row.quantity, state: row.state, expires_at: row.expires_at } : null;
  }

  private setState(id: string, state: ReservationState): void {
    this.ctx.storage.sql.exec("UPDATE reservations SET state = ?, updated_at = ? WHERE id = ?", state, Date.now(), id);
  }

  /** Returns the stock of holds past their expiry. Runs before every operation as well as in the alarm. */
  private expireDue(now: number): void {
    const due = this.ctx.storage.sql
      .exec<{ id: string; quantity: number }>("SELECT id, quantity FROM reservations WHERE state = 'held' AND expires_at <= ?", now)
      .toArray();
    for (const r of due) {
      this.setState(r.id, "expired");
      this.change(r.quantity, -r.quantity);
    }
  }

  /** The next alarm: the earliest hold's expiry, a retry of an unfinished projection, or a daily history purge. */
  private async armAlarm(): Promise<void> {
    const next = this.ctx.storage.sql
      .exec<{ t: number | null }>("SELECT MIN(expires_at) AS t FROM reservations WHERE state = 'held'")
      .one().t;
    const stock = this.ctx.storage.sql.exec<{ seq: number; projected_seq: number; pending_event: number }>(
      "SELECT seq, projected_seq, pending_event FROM stock WHERE id = 1",
    ).toArray()[0];
    const unflushed = stock && (stock.seq > stock.projected_seq || stock.pending_event);
    const candidates = [Date.now() + 24 * 3600 * 1000];
    if (next !== null) candidates.push(next);
    if (unflushed) candidates.push(Date.now() + 5000);
    this.alarmAt = Math.min(...candidates);
    await this.ctx.storage.setAlarm(this.alarmAt);
  }

  /**
   * Resolves once D1's projection holds `seq` (or the flush gave up; the alarm
   * retries then). Callers answer after this, so a client that reads the product
   * right after a checkout or restock sees the new stock. Awaiting does not
   * block other calls: state changes are synchronous, and one D1 write in
   * flight covers every change made meanwhile.
   */
  private projected(seq: number): Promise<void> {
    const s = this.ctx.storage.sql.exec<{ projected_seq: number }>("SELECT projected_seq FROM stock WHERE id = 1").toArray()[0];
    if (!s || s.projected_seq >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ seq, resolve });
      this.scheduleFlush();
    });
  }

  private wake(all: boolean): void {
    const projected = this.ctx.storage.sql.exec<{ projected_seq: number }>("SELECT projected_seq FROM stock WHERE id = 1").toArray()[0]?.projected_seq ?? 0;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) (all || w.seq <= projected ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = true;
    // Not awaited: callers get their answer without waiting for D1. The loop
    // coalesces bursts (a hot SKU writes its latest level, not every step).
    this.ctx.waitUntil(
      this.flush().finally(() => {
        this.flushing = false;
      }),
    );
  }

  /**
   * Writes the latest level to D1's projection (only if newer than what is
   * there) and, when the product crossed zero or was restocked, publishes
   * `inventory.changed`. On failure the alarm retries.
   */
  private async flush(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      const s = this.ctx.storage.sql
        .exec<{ product_id: string; available: number; seq: number; projected_seq: number; pending_event: number; announced_in_stock: number | null }>(
          "SELECT product_id, available, seq, projected_seq, pending_event, announced_in_stock FROM stock WHERE id = 1",
        )
        .toArray()[0];
      if (!s || (s.seq <= s.projected_seq && !s.pending_event)) {
        this.wake(true);
        return;
      }
      try {
        if (s.seq > s.projected_seq) {
          await this.env.DB.prepare(
            "UPDATE products SET stock_available = ?, stock_version = ? WHERE id = ? AND stock_version < ?",
          )
            .bind(s.available, s.seq, s.product_id, s.seq)
            .run();
        }
        if (s.pending_event) {
          await this.env.EVENTS.send(
            {
              id: `evt_inv_${s.product_id}_${s.seq}`,
              type: "inventory.changed",
              occurred_at: new Date().toISOString(),
              data: {
                product_id: s.product_id,
                available: s.available,
                in_stock: s.available > 0,
                was_in_stock: s.announced_in_stock === null ? undefined : s.announced_in_stock === 1,
                seq: s.seq,
              },
            },
            { contentType: "json" },
          );
        }
        this.ctx.storage.sql.exec(
          `UPDATE stock SET projected_seq = MAX(projected_seq, ?), pending_event = CASE WHEN seq = ? THEN 0 ELSE pending_event END,
             announced_in_stock = CASE WHEN ? THEN ? ELSE announced_in_stock END WHERE id = 1`,
          s.seq,
          s.seq,
          s.pending_event,
          s.available > 0 ? 1 : 0,
        );
        this.wake(false);
      } catch (err) {
        log("warn", "inventory projection failed; the alarm retries", { product_id: s.product_id, ...errorFields(err) });
        this.wake(true);
        await this.armAlarm();
        return;
      }
    }
    this.wake(true);
  }
}
