import { DurableObject } from "cloudflare:workers";
import { checkDurableObjectSql } from "../lib/platform-limits";
import { placeOf } from "../lib/hash";
import { defaultVariantId, isVariantKey, variantIdOfKey } from "../lib/variant-ids";
import { errorFields, log } from "../lib/logger";
import { HISTORY_RETENTION_MS, ReservationLedger, type Reservation, type ReservationState } from "./reservation-ledger";

/**
 * The source of truth for one variant's stock: one object per stock key (the
 * product id for a product's default variant, else the variant id; see
 * src/lib/variant-ids.ts), its state in the object's SQLite storage. Below,
 * "productId" parameters carry that key.
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
 * The object initialises itself from the variant's D1 row on first use (that
 * is how seeded and newly created variants get their opening stock). From then
 * on D1's `stock_available` (the variant's, and the product's as the sum over
 * its variants) is only a projection this object writes, guarded by a sequence
 * number so an older write never overwrites a newer one.
 */

export type { ReservationState };

export interface StockLevel {
  product_id: string;
  available: number;
  reserved: number;
  seq: number;
}

export type InventoryResult<T = StockLevel> =
  | ({ ok: true } & T)
  | {
      ok: false;
      code: "not_found" | "out_of_stock" | "reservation_expired" | "invalid_state" | "below_reserved" | "overloaded";
      message: string;
      available?: number;
    };

/** The most bucket objects one product's stock may be spread over. */
export const MAX_BUCKETS = 64;

export interface ReservationOutcome extends StockLevel, Reservation {}

export const MAX_RESERVATION_TTL_MS = 60 * 60 * 1000;

export class InventoryItem extends DurableObject<Env> {
  private productId: string | null = null;
  private flushing = false;
  /** What this object last wrote to D1's projection (in memory: after an eviction the first flush writes again). */
  private projectedAvailable: number | null = null;
  /** Callers waiting until D1's projection holds at least their sequence number. */
  private waiters: { seq: number; resolve: () => void }[] = [];
  /** When the alarm is set for (mirrors storage; null until known). */
  private alarmAt: number | null = null;
  private readonly ledger: ReservationLedger;
  /** Whether any bucket row exists (hot SKUs only): most objects never have one, and skip summing them. */
  private hasBuckets = false;
  /** The earliest expiry of a hold (null: none; undefined: not read yet): expiry is looked for only once it is due. */
  private earliestHold: number | null | undefined = undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    checkDurableObjectSql(ctx, env);
    this.ledger = new ReservationLedger(ctx.storage.sql);
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
        CREATE TABLE IF NOT EXISTS adjustments (
          id TEXT PRIMARY KEY,
          delta INTEGER NOT NULL,
          created_at INTEGER NOT NULL
        );
      `);
      // Added after the first release: whether the last inventory.changed said "in stock" (for 0 -> n alerts),
      // and the bucket count with a counter for reclaim transfer ids (hot SKUs).
      // Then, with variants: the variant and product this object's stock belongs to (null in objects
      // made before: their key is the product id, and they hold its default variant).
      for (const column of [
        "announced_in_stock INTEGER",
        "bucket_count INTEGER NOT NULL DEFAULT 1",
        "transfers INTEGER NOT NULL DEFAULT 0",
        "variant_id TEXT",
        "owner_id TEXT",
      ]) {
        try {
          this.ctx.storage.sql.exec(`ALTER TABLE stock ADD COLUMN ${column}`);
        } catch {
          // already there
        }
      }
      // Hot SKUs (docs/hot-skus.md): what each bucket object was granted and gave back, and its last reported
      // reserved/sold; a bucket's available is granted - returned - reserved - sold, so a grant never dips the total.
      this.ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS buckets (
          idx INTEGER PRIMARY KEY,
          granted INTEGER NOT NULL DEFAULT 0,
          returned INTEGER NOT NULL DEFAULT 0,
          reserved INTEGER NOT NULL DEFAULT 0,
          sold INTEGER NOT NULL DEFAULT 0,
          seq INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS grants (id TEXT PRIMARY KEY, idx INTEGER NOT NULL, units INTEGER NOT NULL, created_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS reclaims (id TEXT PRIMARY KEY, idx INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0);
      `);
      const row = this.ctx.storage.sql
        .exec<{ product_id: string }>("SELECT product_id FROM stock WHERE id = 1")
        .toArray()[0];
      this.productId = row?.product_id ?? null;
      this.hasBuckets = this.ctx.storage.sql.exec("SELECT 1 FROM buckets LIMIT 1").toArray().length > 0;
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
      const variantId = variantIdOfKey(productId);
      let row = await this.env.DB.prepare("SELECT product_id, stock_available FROM product_variants WHERE id = ?")
        .bind(variantId)
        .first<{ product_id: string; stock_available: number }>();
      if (!row && !isVariantKey(productId)) {
        // A product row without its default variant (written by a version from before variants, during a
        // rolling deploy): the variant is made from it, as migration 0017 made them for the rows it found.
        row = await this.env.DB.prepare(
          `INSERT INTO product_variants (id, product_id, options, options_key, stock_available, stock_version, stock_buckets, position)
           SELECT ?, id, '{}', '{}', stock_available, stock_version, stock_buckets, 0 FROM products WHERE id = ?
           ON CONFLICT (id) DO UPDATE SET id = excluded.id RETURNING product_id, stock_available`,
        )
          .bind(variantId, productId)
          .first<{ product_id: string; stock_available: number }>();
      }
      // The key must name the variant's object: a variant id for a default variant is refused (its object is the product's).
      if (!row || (isVariantKey(productId) && defaultVariantId(row.product_id) === productId)) return;
      this.ctx.storage.sql.exec(
        "INSERT INTO stock (id, product_id, available, reserved, seq, projected_seq, announced_in_stock, variant_id, owner_id) VALUES (1, ?, ?, 0, 1, 1, ?, ?, ?)",
        productId,
        Math.max(0, row.stock_available),
        row.stock_available > 0 ? 1 : 0,
        variantId,
        row.product_id,
      );
      this.productId = productId;
    });
    return this.productId !== null;
  }

  /** What this object itself holds: the pool it reserves from (and grants buckets from). */
  private pool(): StockLevel {
    const row = this.ctx.storage.sql
      .exec<{ product_id: string; available: number; reserved: number; seq: number }>(
        "SELECT product_id, available, reserved, seq FROM stock WHERE id = 1",
      )
      .one();
    return { product_id: row.product_id, available: row.available, reserved: row.reserved, seq: row.seq };
  }

  /** The product's stock: the pool plus what its buckets hold (from their reports). What callers and D1 see. */
  private level(): StockLevel {
    const own = this.pool();
    if (!this.hasBuckets) return own;
    const b = this.ctx.storage.sql
      .exec<{ available: number; reserved: number }>(
        "SELECT COALESCE(SUM(granted - returned - reserved - sold), 0) AS available, COALESCE(SUM(reserved), 0) AS reserved FROM buckets",
      )
      .one();
    return { ...own, available: own.available + Math.max(0, b.available), reserved: own.reserved + b.reserved };
  }

  /** Applies a change to the pool (and runs `alsoApply` in the same step), bumps the sequence and schedules the D1 projection. */
  private change(dAvailable: number, dReserved: number, announce = false, alsoApply?: () => void): StockLevel {
    const before = this.level().available;
    this.ctx.storage.sql.exec(
      "UPDATE stock SET available = available + ?, reserved = reserved + ?, seq = seq + 1 WHERE id = 1",
      dAvailable,
      dReserved,
    );
    alsoApply?.();
    const level = this.level();
    if ((before === 0) !== (level.available === 0) || announce)
      this.ctx.storage.sql.exec("UPDATE stock SET pending_event = 1 WHERE id = 1");
    this.scheduleFlush();
    return level;
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
  async reserve(
    productId: string,
    reservationId: string,
    quantity: number,
    ttlMs: number,
    awaitProjection = true,
    deadline = 0,
  ): Promise<InventoryResult<ReservationOutcome>> {
    // A call that waited in this object's queue past its deadline is refused at once: a spike sheds load instead of queueing without bound.
    if (deadline && Date.now() > deadline)
      return { ok: false, code: "overloaded", message: "This product is in very high demand; try again in a moment" };
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    const now = Date.now();
    this.expireDue(now);
    const existing = this.ledger.find(reservationId);
    if (existing) return { ok: true, ...this.level(), ...existing };
    if (!Number.isSafeInteger(quantity) || quantity <= 0) {
      return { ok: false, code: "invalid_state", message: "quantity must be a positive integer" };
    }
    // The pool, not the total: units granted to buckets are theirs to sell, until taken back here.
    if (this.pool().available < quantity && this.bucketsHoldSpare()) {
      await this.reclaim(-1);
      const raced = this.ledger.find(reservationId);
      if (raced) return { ok: true, ...this.level(), ...raced };
    }
    const { available } = this.pool();
    if (available < quantity) {
      return { ok: false, code: "out_of_stock", message: `Only ${available} left`, available };
    }
    const expiresAt = now + Math.min(Math.max(ttlMs, 1000), MAX_RESERVATION_TTL_MS);
    this.ledger.hold(reservationId, quantity, expiresAt, now);
    if (this.earliestHold !== undefined)
      this.earliestHold = this.earliestHold === null ? expiresAt : Math.min(this.earliestHold, expiresAt);
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
    const r = this.ledger.find(reservationId);
    if (!r) {
      // Made in a bucket under another bucket count?
      const idx = await this.bucketHolding(productId, reservationId);
      if (idx !== null) return this.bucketStub(productId, idx).commit(productId, idx, reservationId);
      return { ok: false, code: "not_found", message: "No such reservation" };
    }
    if (r.state === "committed") return { ok: true, ...this.level(), ...r };
    if (r.state !== "held") {
      return {
        ok: false,
        code: "reservation_expired",
        message: `The reservation was ${r.state} before it could be committed`,
      };
    }
    this.ledger.setState(reservationId, "committed");
    const level = this.change(0, -r.quantity);
    // Available does not move on commit, but an unawaited reserve's projection must land before the caller answers.
    await this.projected(level.seq - 1);
    return { ok: true, ...level, ...r, state: "committed" };
  }

  /** Returns held units to available. Releasing twice, or after expiry, is a no-op. */
  async release(productId: string, reservationId: string): Promise<InventoryResult<ReservationOutcome | StockLevel>> {
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    this.expireDue(Date.now());
    const r = this.ledger.find(reservationId);
    if (!r) {
      const idx = await this.bucketHolding(productId, reservationId);
      if (idx !== null) return this.bucketStub(productId, idx).release(productId, idx, reservationId);
      // Releasing a reservation that never happened (a saga compensating a step
      // that failed before it reached us) must succeed, and must block a late
      // reserve with the same id from holding stock afterwards: where that reserve would go.
      const n = this.ctx.storage.sql.exec<{ n: number }>("SELECT bucket_count AS n FROM stock WHERE id = 1").one().n;
      if (n > 1) {
        const at = placeOf(reservationId, n);
        return this.bucketStub(productId, at).release(productId, at, reservationId);
      }
      this.ledger.tombstone(reservationId);
      return { ok: true, ...this.level() };
    }
    if (r.state === "committed") {
      return {
        ok: false,
        code: "invalid_state",
        message: "A committed reservation cannot be released; restock instead",
      };
    }
    if (r.state !== "held") return { ok: true, ...this.level(), ...r };
    this.ledger.setState(reservationId, "released");
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
    // Removing more than the pool holds takes back the buckets' unreserved units first.
    if (delta < 0 && this.pool().available + delta < 0) await this.reclaim(-1);
    if (this.ctx.storage.sql.exec("SELECT 1 FROM adjustments WHERE id = ?", adjustmentId).toArray().length > 0)
      return { ok: true, ...this.level() };
    const { available } = this.pool();
    const { reserved } = this.level();
    if (available + delta < 0) {
      return {
        ok: false,
        code: "below_reserved",
        message: `Cannot remove ${-delta}: ${available} available, ${reserved} held by checkouts`,
        available,
      };
    }
    this.ctx.storage.sql.exec(
      "INSERT INTO adjustments (id, delta, created_at) VALUES (?, ?, ?)",
      adjustmentId,
      delta,
      Date.now(),
    );
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

  // ---- hot SKUs: buckets (docs/hot-skus.md) -------------------------------------------

  private bucketStub(productId: string, idx: number) {
    return this.env.INVENTORY_BUCKET.get(this.env.INVENTORY_BUCKET.idFromName(`${productId}#${idx}`));
  }

  /**
   * Hands a bucket units from the pool: what it wants, or a share of the pool
   * (1/2N) so a hot product's buckets do not come back for every unit. When
   * the pool cannot cover `want`, the other buckets' unreserved units are
   * reclaimed first (rebalancing). Idempotent by `transferId`.
   */
  async grant(productId: string, idx: number, want: number, transferId: string): Promise<number> {
    if (!(await this.ensureLoaded(productId))) return 0;
    const done = () =>
      this.ctx.storage.sql.exec<{ units: number }>("SELECT units FROM grants WHERE id = ?", transferId).toArray()[0]
        ?.units;
    const earlier = done();
    if (earlier !== undefined) return earlier;
    this.expireDue(Date.now());
    const share = () => {
      const pool = this.pool().available;
      const n = Math.max(
        1,
        this.ctx.storage.sql.exec<{ n: number }>("SELECT bucket_count AS n FROM stock WHERE id = 1").one().n,
      );
      return Math.min(pool, Math.max(want, Math.ceil(pool / (2 * n))));
    };
    if (share() < want) {
      await this.reclaim(idx);
      const raced = done(); // a retry of this transfer finished while we waited
      if (raced !== undefined) return raced;
    }
    const units = Math.max(0, share());
    this.ctx.storage.sql.exec(
      "INSERT INTO grants (id, idx, units, created_at) VALUES (?, ?, ?, ?)",
      transferId,
      idx,
      units,
      Date.now(),
    );
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO buckets (idx) VALUES (?)", idx);
    this.hasBuckets = true;
    if (units > 0)
      this.change(-units, 0, false, () =>
        this.ctx.storage.sql.exec("UPDATE buckets SET granted = granted + ? WHERE idx = ?", units, idx),
      );
    return units;
  }

  /**
   * Takes every other bucket's unreserved units back into the pool (`except`:
   * the bucket asking, or -1 for all). Each transfer's id is stored before the
   * call, so one whose answer was lost is retried, never counted twice.
   */
  private async reclaim(except: number): Promise<void> {
    const productId = this.productId!;
    const holders = this.ctx.storage.sql
      .exec<{ idx: number }>(
        "SELECT idx FROM buckets WHERE idx != ? AND granted - returned - reserved - sold > 0",
        except,
      )
      .toArray()
      .map((r) => r.idx);
    for (const idx of holders) {
      if (this.ctx.storage.sql.exec("SELECT 1 FROM reclaims WHERE idx = ? AND done = 0", idx).toArray().length)
        continue;
      const n = this.ctx.storage.sql
        .exec<{ n: number }>("UPDATE stock SET transfers = transfers + 1 WHERE id = 1 RETURNING transfers AS n")
        .one().n;
      this.ctx.storage.sql.exec("INSERT INTO reclaims (id, idx) VALUES (?, ?)", `reclaim:${n}`, idx);
    }
    const pending = this.ctx.storage.sql
      .exec<{ id: string; idx: number }>("SELECT id, idx FROM reclaims WHERE done = 0")
      .toArray();
    await Promise.all(
      pending.map(async ({ id, idx }) => {
        try {
          const units = await this.bucketStub(productId, idx).surrender(productId, idx, id);
          if (
            this.ctx.storage.sql
              .exec("UPDATE reclaims SET done = 1 WHERE id = ? AND done = 0 RETURNING id", id)
              .toArray().length === 0
          )
            return;
          this.change(units, 0, false, () =>
            this.ctx.storage.sql.exec("UPDATE buckets SET returned = returned + ? WHERE idx = ?", units, idx),
          );
        } catch (err) {
          log("warn", "reclaiming a bucket's stock failed; the next reclaim retries it", {
            product_id: productId,
            bucket: idx,
            ...errorFields(err),
          });
        }
      }),
    );
  }

  private bucketsHoldSpare(): boolean {
    return (
      this.hasBuckets &&
      this.ctx.storage.sql
        .exec("SELECT 1 FROM buckets WHERE granted - returned - reserved - sold > 0 LIMIT 1")
        .toArray().length > 0
    );
  }

  /** A bucket's level, for the product's total; older reports than the last one are ignored. */
  async report(productId: string, idx: number, r: { reserved: number; sold: number; seq: number }): Promise<void> {
    if (!(await this.ensureLoaded(productId))) return;
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO buckets (idx) VALUES (?)", idx);
    this.hasBuckets = true;
    const known = this.ctx.storage.sql.exec<{ seq: number }>("SELECT seq FROM buckets WHERE idx = ?", idx).one().seq;
    if (r.seq <= known) return;
    this.change(0, 0, false, () =>
      this.ctx.storage.sql.exec(
        "UPDATE buckets SET reserved = ?, sold = ?, seq = ? WHERE idx = ?",
        r.reserved,
        r.sold,
        r.seq,
        idx,
      ),
    );
  }

  /**
   * Spreads this product's reservations over `n` bucket objects (1: this
   * object alone). Every bucket's unreserved units come back to the pool
   * first; buckets then refill from it on demand. Holds already in a bucket
   * stay there until committed, released or expired.
   */
  async configureBuckets(productId: string, n: number): Promise<InventoryResult<StockLevel & { buckets: number }>> {
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    if (!Number.isInteger(n) || n < 1 || n > MAX_BUCKETS)
      return { ok: false, code: "invalid_state", message: `buckets must be 1 to ${MAX_BUCKETS}` };
    this.ctx.storage.sql.exec("UPDATE stock SET bucket_count = ? WHERE id = 1", n);
    await this.reclaim(-1);
    const { variantId } = this.owner();
    await this.env.DB.prepare("UPDATE product_variants SET stock_buckets = ? WHERE id = ?").bind(n, variantId).run();
    return { ok: true, ...this.level(), buckets: n };
  }

  /** The bucket holding this reservation, among every bucket that ever held stock (rare: after a resize). */
  private async bucketHolding(productId: string, reservationId: string): Promise<number | null> {
    const used = this.ctx.storage.sql
      .exec<{ idx: number }>("SELECT idx FROM buckets ORDER BY idx")
      .toArray()
      .map((r) => r.idx);
    for (const idx of used) if (await this.bucketStub(productId, idx).has(reservationId)) return idx;
    return null;
  }

  /** The variant and product this object's stock belongs to. */
  private owner(): { variantId: string; productId: string } {
    const r = this.ctx.storage.sql
      .exec<{ product_id: string; variant_id: string | null; owner_id: string | null }>(
        "SELECT product_id, variant_id, owner_id FROM stock WHERE id = 1",
      )
      .one();
    return { variantId: r.variant_id ?? defaultVariantId(r.product_id), productId: r.owner_id ?? r.product_id };
  }

  async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    this.expireDue(now);
    this.ledger.purgeHistory(now);
    this.ctx.storage.sql.exec("DELETE FROM adjustments WHERE created_at < ?", now - HISTORY_RETENTION_MS);
    await this.flush();
    await this.armAlarm();
  }

  /** Returns the stock of holds past their expiry. Runs before every operation as well as in the alarm. */
  private expireDue(now: number): void {
    // Nothing can be due before the earliest hold's expiry (a commit or release may leave it early: then one look finds nothing).
    if (this.earliestHold !== undefined && (this.earliestHold === null || now < this.earliestHold)) return;
    for (const r of this.ledger.expireDue(now)) this.change(r.quantity, -r.quantity);
    this.earliestHold = this.ledger.nextExpiry();
  }

  /** The next alarm: the earliest hold's expiry, a retry of an unfinished projection, or a daily history purge. */
  private async armAlarm(): Promise<void> {
    const next = this.ledger.nextExpiry();
    const stock = this.ctx.storage.sql
      .exec<{ seq: number; projected_seq: number; pending_event: number }>(
        "SELECT seq, projected_seq, pending_event FROM stock WHERE id = 1",
      )
      .toArray()[0];
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
    const s = this.ctx.storage.sql
      .exec<{ projected_seq: number }>("SELECT projected_seq FROM stock WHERE id = 1")
      .toArray()[0];
    if (!s || s.projected_seq >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ seq, resolve });
      this.scheduleFlush();
    });
  }

  private wake(all: boolean): void {
    const projected =
      this.ctx.storage.sql.exec<{ projected_seq: number }>("SELECT projected_seq FROM stock WHERE id = 1").toArray()[0]
        ?.projected_seq ?? 0;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) all || w.seq <= projected ? w.resolve() : still.push(w);
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
        .exec<{
          product_id: string;
          available: number;
          seq: number;
          projected_seq: number;
          pending_event: number;
          announced_in_stock: number | null;
        }>(
          "SELECT product_id, available, seq, projected_seq, pending_event, announced_in_stock FROM stock WHERE id = 1",
        )
        .toArray()[0];
      if (!s || (s.seq <= s.projected_seq && !s.pending_event)) {
        this.wake(true);
        return;
      }
      s.available = this.level().available; // the product's total, buckets included
      try {
        // A change that left the total where D1 already has it (a commit moves reserved units to sold) needs no write.
        const owner = this.owner();
        if (s.seq > s.projected_seq && s.available !== this.projectedAvailable) {
          // The variant's level, then the product's as the sum of its variants' (the object's own
          // level when no variant rows exist), in one batch: one round trip, one transaction.
          await this.env.DB.batch([
            this.env.DB.prepare(
              "UPDATE product_variants SET stock_available = ?, stock_version = ? WHERE id = ? AND stock_version < ?",
            ).bind(s.available, s.seq, owner.variantId, s.seq),
            this.env.DB.prepare(
              `UPDATE products SET stock_available = COALESCE((SELECT SUM(stock_available) FROM product_variants WHERE product_id = ?1), ?2),
                 stock_version = stock_version + 1 WHERE id = ?1`,
            ).bind(owner.productId, s.available),
          ]);
        }
        if (s.pending_event) {
          await this.env.EVENTS.send(
            {
              id: `evt_inv_${s.product_id}_${s.seq}`,
              type: "inventory.changed",
              occurred_at: new Date().toISOString(),
              data: {
                product_id: owner.productId,
                variant_id: owner.variantId,
                available: s.available,
                in_stock: s.available > 0,
                was_in_stock: s.announced_in_stock === null ? undefined : s.announced_in_stock === 1,
                seq: s.seq,
              },
            },
            { contentType: "json" },
          );
        }
        this.projectedAvailable = s.available;
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
        log("warn", "inventory projection failed; the alarm retries", {
          product_id: s.product_id,
          ...errorFields(err),
        });
        this.wake(true);
        await this.armAlarm();
        return;
      }
    }
    this.wake(true);
  }
}
