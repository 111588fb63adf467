import { errorFields, log } from "../../lib/logger";
import { projectStock, type ProjectedLevel } from "../catalog/stock-columns";
import type { StockLevel, StockStore } from "./stock-store";

/**
 * D1's copy of one inventory object's stock: `product_variants.stock_available` (and the
 * product's as the sum over its variants), written after the object answers, guarded by the
 * object's sequence number so an older write never overwrites a newer one, and the
 * `inventory.changed` event when the level crossed zero or was restocked. One write in flight
 * covers every change made meanwhile (a hot SKU writes its latest level, not every step). On
 * failure the object's alarm retries (`retryLater`).
 */
export class StockProjection {
  private flushing = false;
  /** What this object last wrote to D1's projection (in memory: after an eviction the first flush writes again). */
  private projectedAvailable: number | null = null;
  /** Callers waiting until D1's projection holds at least their sequence number. */
  private waiters: { seq: number; resolve: () => void }[] = [];

  constructor(
    private readonly sql: SqlStorage,
    private readonly store: StockStore,
    private readonly env: Pick<Env, "DB" | "EVENTS">,
    private readonly waitUntil: (p: Promise<unknown>) => void,
    private readonly retryLater: () => Promise<void>,
  ) {}

  /** Whether a change has not reached D1 yet (the alarm comes back for it). */
  behind(): boolean {
    const s = this.sql
      .exec<{ seq: number; projected_seq: number; pending_event: number }>(
        "SELECT seq, projected_seq, pending_event FROM stock WHERE id = 1",
      )
      .toArray()[0];
    return Boolean(s && (s.seq > s.projected_seq || s.pending_event));
  }

  /**
   * Resolves once D1's projection holds `seq` (or the flush gave up; the alarm
   * retries then). Callers answer after this, so a client that reads the product
   * right after a checkout or restock sees the new stock. Awaiting does not
   * block other calls: state changes are synchronous, and one D1 write in
   * flight covers every change made meanwhile.
   */
  projected(seq: number): Promise<void> {
    const s = this.sql.exec<{ projected_seq: number }>("SELECT projected_seq FROM stock WHERE id = 1").toArray()[0];
    if (!s || s.projected_seq >= seq) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ seq, resolve });
      this.schedule();
    });
  }

  /**
   * The caller writes the current level to D1 itself, in a batch it makes anyway (a paid order's,
   * with the order): one write transaction per order instead of one per line. The level is marked
   * projected here, so no flush writes it again, and returned for the caller to write. A due
   * `inventory.changed` still goes out through a flush. If the caller's write never lands (its
   * batch failed and the rewrite too), D1 trails until this object's next change: the projection
   * is for display and search, the object alone decides what can be sold.
   */
  handOver(level: StockLevel): ProjectedLevel {
    const { pending_event } = this.sql
      .exec<{ pending_event: number }>(
        "UPDATE stock SET projected_seq = MAX(projected_seq, ?) WHERE id = 1 RETURNING pending_event",
        level.seq,
      )
      .one();
    this.projectedAvailable = level.available;
    if (pending_event) this.schedule();
    this.wake(false, level.seq);
    return { ...this.store.owner(), available: level.available, seq: level.seq };
  }

  /** Starts a flush unless one is running (it loops until D1 has the latest level). */
  schedule(): void {
    if (this.flushing) return;
    this.flushing = true;
    // Not awaited: callers get their answer without waiting for D1.
    this.waitUntil(
      this.flush().finally(() => {
        this.flushing = false;
      }),
    );
  }

  /** Resolves the waiters D1 now covers (all: every one); `known`, the projected seq when the caller has it. */
  private wake(all: boolean, known?: number): void {
    const projected =
      known ??
      this.sql.exec<{ projected_seq: number }>("SELECT projected_seq FROM stock WHERE id = 1").toArray()[0]
        ?.projected_seq ??
      0;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) all || w.seq <= projected ? w.resolve() : still.push(w);
    this.waiters = still;
  }

  /** Writes the latest level (only if newer than what D1 has) and publishes a due `inventory.changed`. */
  async flush(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      const s = this.sql
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
      s.available = this.store.level().available; // the product's total, buckets included
      try {
        // A change that left the total where D1 already has it (a commit moves reserved units to sold) needs no write.
        const owner = this.store.owner();
        if (s.seq > s.projected_seq && s.available !== this.projectedAvailable) {
          await projectStock(this.env.DB, {
            productId: owner.productId,
            variantId: owner.variantId,
            available: s.available,
            seq: s.seq,
          });
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
        this.sql.exec(
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
        await this.retryLater();
        return;
      }
    }
    this.wake(true);
  }
}
