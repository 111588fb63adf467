import { DurableObject } from "cloudflare:workers";
import { checkDurableObjectSql } from "../lib/platform-limits";
import { errorFields, log } from "../lib/logger";
import {
  MAX_RESERVATION_TTL_MS,
  type InventoryResult,
  type ReservationOutcome,
  type StockLevel,
} from "./inventory-item";
import { ReservationLedger } from "./reservation-ledger";

/**
 * One bucket of a hot product's stock. A product whose demand exceeds what one
 * object serialises (see docs/hot-skus.md) spreads its reservations over N
 * buckets; each reservation id always maps to the same bucket, so retries,
 * commits and releases meet their hold.
 *
 * Stock is never in two places: a bucket sells only units the product's
 * InventoryItem (the primary) granted it, and gives back its unreserved units
 * when the primary reclaims them to rebalance (a dry bucket asked for more and
 * the pool was empty) or to resize. Grants and surrenders carry ids and are
 * idempotent, so a retried transfer moves units once. The bucket reports its
 * level to the primary, which projects the product's total to D1.
 *
 * Longer than 300 lines: the grant, reserve, commit, release and reclaim steps share the bucket's
 * storage and each must run in one synchronous step (no await between reading and writing the
 * stock), so they stay in one class.
 */

type BucketRow = {
  product_id: string;
  idx: number;
  available: number;
  reserved: number;
  sold: number;
  seq: number;
  transfers: number;
  pending_transfer: string | null;
};

/** How long a bucket gathers changes before it reports its level (the product's total lags by about this). */
const REPORT_DELAY_MS = 100;

export class InventoryBucket extends DurableObject<Env> {
  /** One grant request in flight at a time; concurrent dry reserves wait for it. */
  private refilling: Promise<number> | null = null;
  private reporting = false;
  private alarmAt: number | null = null;
  private readonly ledger: ReservationLedger;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    checkDurableObjectSql(ctx, env);
    this.ledger = new ReservationLedger(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => {
      this.ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS bucket (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          product_id TEXT NOT NULL,
          idx INTEGER NOT NULL,
          available INTEGER NOT NULL CHECK (available >= 0),
          reserved INTEGER NOT NULL CHECK (reserved >= 0),
          sold INTEGER NOT NULL DEFAULT 0,
          seq INTEGER NOT NULL DEFAULT 0,
          reported_seq INTEGER NOT NULL DEFAULT 0,
          transfers INTEGER NOT NULL DEFAULT 0,
          pending_transfer TEXT
        );
        CREATE TABLE IF NOT EXISTS surrenders (id TEXT PRIMARY KEY, units INTEGER NOT NULL, created_at INTEGER NOT NULL);
      `);
    });
  }

  private row(productId: string, idx: number): BucketRow {
    this.ctx.storage.sql.exec(
      "INSERT OR IGNORE INTO bucket (id, product_id, idx, available, reserved) VALUES (1, ?, ?, 0, 0)",
      productId,
      idx,
    );
    return this.ctx.storage.sql
      .exec<BucketRow>(
        "SELECT product_id, idx, available, reserved, sold, seq, transfers, pending_transfer FROM bucket WHERE id = 1",
      )
      .one();
  }

  private primary(productId: string) {
    return this.env.INVENTORY.get(this.env.INVENTORY.idFromName(productId));
  }

  private level(b: BucketRow): StockLevel {
    return { product_id: b.product_id, available: b.available, reserved: b.reserved, seq: b.seq };
  }

  private change(productId: string, idx: number, dAvailable: number, dReserved: number, dSold = 0): BucketRow {
    this.ctx.storage.sql.exec(
      "UPDATE bucket SET available = available + ?, reserved = reserved + ?, sold = sold + ?, seq = seq + 1 WHERE id = 1",
      dAvailable,
      dReserved,
      dSold,
    );
    this.scheduleReport();
    return this.row(productId, idx);
  }

  /** Asks the primary for units; the transfer id is stored first, so a retry after a lost answer is the same transfer. Resolves to the units granted. */
  private refill(productId: string, idx: number, want: number): Promise<number> {
    this.refilling ??= (async () => {
      try {
        let b = this.row(productId, idx);
        let transferId = b.pending_transfer;
        if (!transferId) {
          transferId = `grant:${idx}:${b.transfers + 1}`;
          this.ctx.storage.sql.exec(
            "UPDATE bucket SET transfers = transfers + 1, pending_transfer = ? WHERE id = 1",
            transferId,
          );
        }
        const units = await this.primary(productId).grant(productId, idx, want, transferId);
        b = this.row(productId, idx);
        if (b.pending_transfer !== transferId) return 0;
        this.ctx.storage.sql.exec("UPDATE bucket SET pending_transfer = NULL WHERE id = 1");
        if (units > 0) this.change(productId, idx, units, 0);
        return units;
      } finally {
        this.refilling = null;
      }
    })();
    return this.refilling;
  }

  /**
   * Holds `quantity` units until `ttlMs` from now, refilling from the primary
   * when this bucket runs short. `deadline`: a call that waited in this
   * object's queue past it is refused at once (overloaded), so a spike sheds
   * load instead of queueing without bound.
   */
  async reserve(
    productId: string,
    idx: number,
    reservationId: string,
    quantity: number,
    ttlMs: number,
    deadline = 0,
  ): Promise<InventoryResult<ReservationOutcome>> {
    if (deadline && Date.now() > deadline)
      return { ok: false, code: "overloaded", message: "This product is in very high demand; try again in a moment" };
    const now = Date.now();
    this.expireDue(productId, idx, now);
    const existing = this.ledger.find(reservationId);
    if (existing) return { ok: true, ...this.level(this.row(productId, idx)), ...existing };
    if (!Number.isSafeInteger(quantity) || quantity <= 0)
      return { ok: false, code: "invalid_state", message: "quantity must be a positive integer" };
    // Concurrent reserves may take a refill before this one resumes: ask again until the primary has nothing left to grant.
    while (this.row(productId, idx).available < quantity) {
      if ((await this.refill(productId, idx, quantity - this.row(productId, idx).available)) === 0) break;
    }
    // Another call may have held this id while we waited for the primary.
    const raced = this.ledger.find(reservationId);
    if (raced) return { ok: true, ...this.level(this.row(productId, idx)), ...raced };
    const b = this.row(productId, idx);
    if (b.available < quantity)
      return { ok: false, code: "out_of_stock", message: `Only ${b.available} left here`, available: b.available };
    const expiresAt = now + Math.min(Math.max(ttlMs, 1000), MAX_RESERVATION_TTL_MS);
    this.ledger.hold(reservationId, quantity, expiresAt, now);
    const after = this.change(productId, idx, -quantity, quantity);
    if (this.alarmAt === null || expiresAt < this.alarmAt) await this.armAlarm();
    return {
      ok: true,
      ...this.level(after),
      reservation_id: reservationId,
      quantity,
      state: "held",
      expires_at: expiresAt,
    };
  }

  async commit(productId: string, idx: number, reservationId: string): Promise<InventoryResult<ReservationOutcome>> {
    this.expireDue(productId, idx, Date.now());
    const r = this.ledger.find(reservationId);
    if (!r) return { ok: false, code: "not_found", message: "No such reservation" };
    if (r.state === "committed") return { ok: true, ...this.level(this.row(productId, idx)), ...r };
    if (r.state !== "held")
      return {
        ok: false,
        code: "reservation_expired",
        message: `The reservation was ${r.state} before it could be committed`,
      };
    this.ledger.setState(reservationId, "committed");
    return {
      ok: true,
      ...this.level(this.change(productId, idx, 0, -r.quantity, r.quantity)),
      ...r,
      state: "committed",
    };
  }

  /** Returns held units to this bucket. Releasing an unknown id leaves a tombstone so a late reserve cannot hold. */
  async release(
    productId: string,
    idx: number,
    reservationId: string,
    tombstone = true,
  ): Promise<InventoryResult<ReservationOutcome | StockLevel>> {
    this.expireDue(productId, idx, Date.now());
    const r = this.ledger.find(reservationId);
    if (!r) {
      if (!tombstone) return { ok: false, code: "not_found", message: "No such reservation" };
      this.ledger.tombstone(reservationId);
      return { ok: true, ...this.level(this.row(productId, idx)) };
    }
    if (r.state === "committed")
      return {
        ok: false,
        code: "invalid_state",
        message: "A committed reservation cannot be released; restock instead",
      };
    if (r.state !== "held") return { ok: true, ...this.level(this.row(productId, idx)), ...r };
    this.ledger.setState(reservationId, "released");
    return { ok: true, ...this.level(this.change(productId, idx, r.quantity, -r.quantity)), ...r, state: "released" };
  }

  /** Whether this bucket knows the reservation (routing after a resize looks for it). */
  async has(reservationId: string): Promise<boolean> {
    return this.ledger.find(reservationId) !== null;
  }

  /** Gives every unreserved unit back to the primary (rebalance, resize). Idempotent by `transferId`. */
  async surrender(productId: string, idx: number, transferId: string): Promise<number> {
    const seen = this.ctx.storage.sql
      .exec<{ units: number }>("SELECT units FROM surrenders WHERE id = ?", transferId)
      .toArray()[0];
    if (seen) return seen.units;
    this.expireDue(productId, idx, Date.now());
    const { available } = this.row(productId, idx);
    this.ctx.storage.sql.exec(
      "INSERT INTO surrenders (id, units, created_at) VALUES (?, ?, ?)",
      transferId,
      available,
      Date.now(),
    );
    if (available > 0) this.change(productId, idx, -available, 0);
    return available;
  }

  async get(productId: string, idx: number): Promise<StockLevel & { sold: number }> {
    this.expireDue(productId, idx, Date.now());
    const b = this.row(productId, idx);
    return { ...this.level(b), sold: b.sold };
  }

  async alarm(): Promise<void> {
    this.alarmAt = null;
    const b = this.ctx.storage.sql
      .exec<{ product_id: string; idx: number }>("SELECT product_id, idx FROM bucket WHERE id = 1")
      .toArray()[0];
    if (!b) return;
    const now = Date.now();
    this.expireDue(b.product_id, b.idx, now);
    this.ledger.purgeHistory(now);
    await this.report();
    await this.armAlarm();
  }

  private expireDue(productId: string, idx: number, now: number): void {
    for (const r of this.ledger.expireDue(now)) this.change(productId, idx, r.quantity, -r.quantity);
  }

  private async armAlarm(): Promise<void> {
    const next = this.ledger.nextExpiry();
    const b = this.ctx.storage.sql
      .exec<{ seq: number; reported_seq: number }>("SELECT seq, reported_seq FROM bucket WHERE id = 1")
      .toArray()[0];
    const candidates = [Date.now() + 24 * 3600 * 1000];
    if (next !== null) candidates.push(next);
    if (b && b.seq > b.reported_seq) candidates.push(Date.now() + 5000);
    this.alarmAt = Math.min(...candidates);
    await this.ctx.storage.setAlarm(this.alarmAt);
  }

  private scheduleReport(): void {
    if (this.reporting) return;
    this.reporting = true;
    // Not awaited, and batched: shoppers get their answer first, and one report every REPORT_DELAY_MS covers
    // every change meanwhile, so a hot bucket costs the product's object a few calls a second, not one per sale.
    this.ctx.waitUntil(
      new Promise((r) => setTimeout(r, REPORT_DELAY_MS))
        .then(() => this.report())
        .finally(() => (this.reporting = false)),
    );
  }

  /** Tells the primary this bucket's level (for the product's total and its D1 projection); the alarm retries failures. */
  private async report(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      const b = this.ctx.storage.sql
        .exec<BucketRow & { reported_seq: number }>(
          "SELECT product_id, idx, available, reserved, sold, seq, reported_seq FROM bucket WHERE id = 1",
        )
        .toArray()[0];
      if (!b || b.seq <= b.reported_seq) return;
      try {
        await this.primary(b.product_id).report(b.product_id, b.idx, {
          reserved: b.reserved,
          sold: b.sold,
          seq: b.seq,
        });
        this.ctx.storage.sql.exec("UPDATE bucket SET reported_seq = MAX(reported_seq, ?) WHERE id = 1", b.seq);
      } catch (err) {
        log("warn", "bucket report failed; the alarm retries", {
          product_id: b.product_id,
          bucket: b.idx,
          ...errorFields(err),
        });
        await this.armAlarm();
        return;
      }
    }
  }
}
