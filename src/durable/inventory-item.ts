import { DurableObject } from "cloudflare:workers";
import { checkDurableObjectSql } from "../lib/platform-limits";
import { placeOf } from "../lib/hash";
import { defaultVariantId, isVariantKey, variantIdOfKey } from "../lib/variant-ids";
import { errorFields, log } from "../lib/logger";
import {
  backfillDefaultVariant,
  setVariantBuckets,
  variantStock,
  type ProjectedLevel,
} from "../services/catalog/stock-columns";
import { StockProjection } from "../services/inventory/stock-projection";
import { StockStore, type StockLevel } from "../services/inventory/stock-store";
import { HISTORY_RETENTION_MS, ReservationLedger, type Reservation } from "./reservation-ledger";
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
 *
 * Longer than 300 lines: its stock arithmetic and projection are apart
 * (services/inventory/stock-store.ts, stock-projection.ts) and reservations too
 * (reservation-ledger.ts); what is left is the object's RPC surface, each method a short
 * synchronous step over that shared state.
 */

export type { StockLevel };

export type InventoryResult<T = StockLevel> =
  | ({ ok: true } & T)
  | {
      ok: false;
      code: "not_found" | "out_of_stock" | "reservation_expired" | "invalid_state" | "below_reserved" | "overloaded";
      message: string;
      available?: number;
    };

/** The most bucket objects one product's stock may be spread over. */
const MAX_BUCKETS = 64;

export interface ReservationOutcome extends StockLevel, Reservation {}

export const MAX_RESERVATION_TTL_MS = 60 * 60 * 1000;

export class InventoryItem extends DurableObject<Env> {
  private readonly store: StockStore;
  private readonly projection: StockProjection;
  /** When the alarm is set for (mirrors storage; null until known). */
  private alarmAt: number | null = null;
  private readonly ledger: ReservationLedger;
  /** The earliest expiry of a hold (null: none; undefined: not read yet): expiry is looked for only once it is due. */
  private earliestHold: number | null | undefined = undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    checkDurableObjectSql(ctx, env);
    this.ledger = new ReservationLedger(ctx.storage.sql);
    this.store = new StockStore(ctx.storage.sql);
    this.projection = new StockProjection(
      ctx.storage.sql,
      this.store,
      env,
      (p) => ctx.waitUntil(p),
      () => this.armAlarm(),
    );
  }

  /**
   * Loads the opening stock from D1 the first time this product is touched.
   * blockConcurrencyWhile holds every other call until it is done, so two
   * first calls cannot both initialise.
   */
  private async ensureLoaded(productId: string): Promise<boolean> {
    if (this.store.productId) return true;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.store.productId) return;
      const variantId = variantIdOfKey(productId);
      let row: { product_id: string; stock_available: number } | null = await variantStock(this.env.DB, variantId);
      if (!row && !isVariantKey(productId)) {
        // A product row without its default variant (written by a version from before variants, during a
        // rolling deploy): the variant is made from it, as migration 0017 made them for the rows it found.
        row = await backfillDefaultVariant(this.env.DB, variantId, productId);
      }
      // The key must name the variant's object: a variant id for a default variant is refused (its object is the product's).
      if (!row || (isVariantKey(productId) && defaultVariantId(row.product_id) === productId)) return;
      this.store.open(productId, row.stock_available, variantId, row.product_id);
    });
    return this.store.productId !== null;
  }

  /** A change to the stock, then the D1 projection scheduled (see StockStore.change). */
  private change(dAvailable: number, dReserved: number, announce = false, alsoApply?: () => void): StockLevel {
    const level = this.store.change(dAvailable, dReserved, announce, alsoApply);
    this.projection.schedule();
    return level;
  }

  private notFound(): InventoryResult<never> {
    return { ok: false, code: "not_found", message: "No such product" };
  }

  async get(productId: string): Promise<InventoryResult> {
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    this.expireDue(Date.now());
    return { ok: true, ...this.store.level() };
  }

  /** Resolves once D1's projection shows the current level (after unawaited reserves). */
  async sync(productId: string): Promise<void> {
    if (!(await this.ensureLoaded(productId))) return;
    await this.projection.projected(this.store.level().seq);
  }

  /**
   * All-or-nothing: holds `quantity` units until `ttlMs` from now, or refuses with what is available.
   * `awaitProjection: false` (checkout's) answers without writing D1's projection at all: the caller
   * then commits with `handOver` and writes the level in its own batch, or releases (the level D1
   * has is right again), or syncs (a hold waiting for 3-D Secure). Until then D1 shows the stock
   * before the hold; if the caller vanishes, the hold's expiry restores exactly that level.
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
    if (existing) return { ok: true, ...this.store.level(), ...existing };
    if (!Number.isSafeInteger(quantity) || quantity <= 0) {
      return { ok: false, code: "invalid_state", message: "quantity must be a positive integer" };
    }
    // The pool, not the total: units granted to buckets are theirs to sell, until taken back here.
    let { available } = this.store.pool();
    if (available < quantity && this.store.bucketsHoldSpare()) {
      await this.reclaim(-1);
      const raced = this.ledger.find(reservationId);
      if (raced) return { ok: true, ...this.store.level(), ...raced };
      available = this.store.pool().available;
    }
    if (available < quantity) {
      return { ok: false, code: "out_of_stock", message: `Only ${available} left`, available };
    }
    const expiresAt = now + Math.min(Math.max(ttlMs, 1000), MAX_RESERVATION_TTL_MS);
    this.ledger.hold(reservationId, quantity, expiresAt, now);
    if (this.earliestHold !== undefined)
      this.earliestHold = this.earliestHold === null ? expiresAt : Math.min(this.earliestHold, expiresAt);
    const level = awaitProjection ? this.change(-quantity, quantity) : this.store.change(-quantity, quantity);
    // An alarm is already due at or before this expiry in the common case; only an earlier expiry re-arms.
    if (this.alarmAt === null || expiresAt < this.alarmAt) await this.armAlarm();
    if (awaitProjection) await this.projection.projected(level.seq);
    return { ok: true, ...level, reservation_id: reservationId, quantity, state: "held", expires_at: expiresAt };
  }

  /**
   * Takes held units for good (payment succeeded). Refused once the hold has expired or been released.
   * `handOver`: the answer carries the level for the caller to write to D1 in its own batch (see
   * StockProjection.handOver) instead of this object writing it before answering.
   */
  async commit(
    productId: string,
    reservationId: string,
    handOver = false,
  ): Promise<InventoryResult<ReservationOutcome & { projection?: ProjectedLevel }>> {
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    this.expireDue(Date.now());
    const r = this.ledger.find(reservationId);
    if (!r) {
      // Made in a bucket under another bucket count?
      const idx = await this.bucketHolding(productId, reservationId);
      if (idx !== null) return this.bucketStub(productId, idx).commit(productId, idx, reservationId);
      return { ok: false, code: "not_found", message: "No such reservation" };
    }
    if (r.state === "committed") {
      const level = this.store.level();
      return { ok: true, ...level, ...r, ...(handOver ? { projection: this.projection.handOver(level) } : {}) };
    }
    if (r.state !== "held") {
      return {
        ok: false,
        code: "reservation_expired",
        message: `The reservation was ${r.state} before it could be committed`,
      };
    }
    this.ledger.setState(reservationId, "committed");
    if (handOver) {
      const level = this.store.change(0, -r.quantity);
      return { ok: true, ...level, ...r, state: "committed", projection: this.projection.handOver(level) };
    }
    const level = this.change(0, -r.quantity);
    // Available does not move on commit, but an unawaited reserve's projection must land before the caller answers.
    await this.projection.projected(level.seq - 1);
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
      return { ok: true, ...this.store.level() };
    }
    if (r.state === "committed") {
      return {
        ok: false,
        code: "invalid_state",
        message: "A committed reservation cannot be released; restock instead",
      };
    }
    if (r.state !== "held") return { ok: true, ...this.store.level(), ...r };
    this.ledger.setState(reservationId, "released");
    const level = this.change(r.quantity, -r.quantity);
    await this.projection.projected(level.seq);
    return { ok: true, ...level, ...r, state: "released" };
  }

  /** Restock (positive) or remove stock (negative), never below zero available: reserved units are untouchable. */
  async adjust(productId: string, adjustmentId: string, delta: number): Promise<InventoryResult> {
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    const seen = this.ctx.storage.sql.exec("SELECT 1 FROM adjustments WHERE id = ?", adjustmentId).toArray();
    if (seen.length > 0) return { ok: true, ...this.store.level() };
    if (!Number.isSafeInteger(delta)) return { ok: false, code: "invalid_state", message: "delta must be an integer" };
    // Removing more than the pool holds takes back the buckets' unreserved units first.
    if (delta < 0 && this.store.pool().available + delta < 0) await this.reclaim(-1);
    if (this.ctx.storage.sql.exec("SELECT 1 FROM adjustments WHERE id = ?", adjustmentId).toArray().length > 0)
      return { ok: true, ...this.store.level() };
    const { available } = this.store.pool();
    const { reserved } = this.store.level();
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
    await this.projection.projected(level.seq);
    return { ok: true, ...level };
  }

  /** Sets available to an absolute value (a seller editing stock_available), as an adjustment by the difference. */
  async setAvailable(productId: string, adjustmentId: string, target: number): Promise<InventoryResult> {
    if (!(await this.ensureLoaded(productId))) return this.notFound();
    // adjust() ignores an adjustment id it has seen, so a retried set changes nothing twice.
    return this.adjust(productId, adjustmentId, target - this.store.level().available);
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
      const pool = this.store.pool().available;
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
    this.store.ensureBucket(idx);
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
    const productId = this.store.productId!;
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

  /** A bucket's level, for the product's total; older reports than the last one are ignored. */
  async report(productId: string, idx: number, r: { reserved: number; sold: number; seq: number }): Promise<void> {
    if (!(await this.ensureLoaded(productId))) return;
    this.store.ensureBucket(idx);
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
    const { variantId } = this.store.owner();
    await setVariantBuckets(this.env.DB, variantId, n);
    return { ok: true, ...this.store.level(), buckets: n };
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

  async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    this.expireDue(now);
    this.ledger.purgeHistory(now);
    this.ctx.storage.sql.exec("DELETE FROM adjustments WHERE created_at < ?", now - HISTORY_RETENTION_MS);
    await this.projection.flush();
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
    const unflushed = this.projection.behind();
    const candidates = [Date.now() + 24 * 3600 * 1000];
    if (next !== null) candidates.push(next);
    if (unflushed) candidates.push(Date.now() + 5000);
    this.alarmAt = Math.min(...candidates);
    await this.ctx.storage.setAlarm(this.alarmAt);
  }
}
