import { ApiError } from "../../lib/errors";
import { placeOf } from "../../lib/hash";
import { TtlCache } from "../../lib/ttl-cache";
import { stockKey, variantIdOfKey } from "../../lib/variant-ids";
import { projectStockStatements, type ProjectedLevel, variantStock } from "../catalog/stock-columns";
import { errorFields, log } from "../../lib/logger";
import { invalidateProduct } from "../catalog/product-reads";
import type { InventoryResult, ReservationOutcome, StockLevel } from "../../durable/inventory-item";

type CommitOutcome = ReservationOutcome & { projection?: ProjectedLevel };
export type { ProjectedLevel };

type InventoryEnv = Pick<Env, "INVENTORY" | "INVENTORY_BUCKET" | "DB">;

/**
 * The inventory module: every stock change goes through the variant's
 * InventoryItem Durable Object (src/durable/inventory-item.ts). Other modules
 * call these functions, never the object or D1's projection directly.
 *
 * Stock is per variant. A caller names it by product and variant (a missing
 * variant id means the product's default variant); the object's name is the
 * variant's stock key (src/lib/variant-ids.ts).
 *
 * Longer than 300 lines: the inventory domain's one door, and what every caller goes through in the
 * checkout's hot path: routing to the variant's object or a hot SKU's bucket, the per-object queue
 * bound, and the batched reserve, commit and release (one call per object).
 */
interface StockRef {
  product_id: string;
  variant_id?: string | null;
}

/** A product id alone names its default variant (what callers before variants pass). */
export type StockTarget = string | StockRef;
const asRef = (t: StockTarget): StockRef => (typeof t === "string" ? { product_id: t } : t);
const keyOf = (t: StockTarget) => {
  const ref = asRef(t);
  return stockKey(ref.product_id, ref.variant_id);
};

const DEFAULT_RESERVATION_TTL_MS = 15 * 60 * 1000;

function stub(env: Pick<Env, "INVENTORY">, productId: string) {
  return env.INVENTORY.get(env.INVENTORY.idFromName(productId));
}

// ---- hot SKUs: reservations spread over bucket objects (docs/hot-skus.md) --------------

/** Bucket counts by product, per isolate: a resize reaches other isolates within this TTL (the primary finds strays). */
const bucketCounts = new TtlCache<number>(30_000, 10_000);

async function bucketCount(env: InventoryEnv, key: string): Promise<number> {
  const hit = bucketCounts.get(key);
  if (hit !== undefined) return hit;
  const row = await variantStock(env.DB, variantIdOfKey(key));
  const n = Math.max(1, row?.stock_buckets ?? 1);
  bucketCounts.set(key, n);
  return n;
}

/** How long a reservation may wait in an inventory object's queue before it is refused (429) instead. */
const QUEUE_DEADLINE_MS = 1_000;
/** Calls one isolate lets wait on one inventory object; beyond it, 429 at once without calling. */
const MAX_WAITING_PER_OBJECT = 256;
const waiting = new Map<string, number>();

function overloaded(): never {
  throw new ApiError("rate_limited", "This product is in very high demand; try again in a moment", {
    headers: { "Retry-After": "1" },
  });
}

/** Runs a call to one inventory object, counting it against that object's queue in this isolate. */
async function queued<R>(key: string, call: () => Promise<R>): Promise<R> {
  const n = waiting.get(key) ?? 0;
  if (n >= MAX_WAITING_PER_OBJECT) overloaded();
  waiting.set(key, n + 1);
  try {
    return await call();
  } finally {
    const left = (waiting.get(key) ?? 1) - 1;
    if (left > 0) waiting.set(key, left);
    else waiting.delete(key);
  }
}

/**
 * The object a reservation lives in: the product's InventoryItem, or for a
 * hot product one of its buckets, chosen by the reservation id so a retry,
 * commit or release of it always meets it.
 */
interface Holder {
  reserve(quantity: number, ttlMs: number, awaitProjection: boolean): Promise<InventoryResult<ReservationOutcome>>;
  commit(handOver: boolean): Promise<InventoryResult<CommitOutcome>>;
  release(): Promise<InventoryResult<ReservationOutcome | StockLevel>>;
}

async function holder(env: InventoryEnv, productId: string, reservationId: string): Promise<Holder> {
  const n = await bucketCount(env, productId);
  const primary = stub(env, productId);
  if (n <= 1) {
    return {
      reserve: (quantity, ttlMs, awaitProjection) =>
        queued(
          productId,
          async () =>
            (await primary.reserve(
              productId,
              reservationId,
              quantity,
              ttlMs,
              awaitProjection,
              Date.now() + QUEUE_DEADLINE_MS,
            )) as InventoryResult<ReservationOutcome>,
        ),
      commit: async (handOver) =>
        (await primary.commit(productId, reservationId, handOver)) as InventoryResult<CommitOutcome>,
      release: async () =>
        (await primary.release(productId, reservationId)) as InventoryResult<ReservationOutcome | StockLevel>,
    };
  }
  const idx = placeOf(reservationId, n);
  const bucket = env.INVENTORY_BUCKET.get(env.INVENTORY_BUCKET.idFromName(`${productId}#${idx}`));
  return {
    // Bucket holds are visible in D1's projection once the bucket reports (moments later), never awaited.
    reserve: (quantity, ttlMs) =>
      queued(
        `${productId}#${idx}`,
        async () =>
          (await bucket.reserve(
            productId,
            idx,
            reservationId,
            quantity,
            ttlMs,
            Date.now() + QUEUE_DEADLINE_MS,
          )) as InventoryResult<ReservationOutcome>,
      ),
    // Not in this bucket (made under another bucket count): the primary knows every bucket that held stock.
    // A bucket's level reaches D1 through the primary (its report), so a bucket commit hands nothing over.
    commit: async (handOver) => {
      const r = (await bucket.commit(productId, idx, reservationId)) as InventoryResult<CommitOutcome>;
      return !r.ok && r.code === "not_found"
        ? ((await primary.commit(productId, reservationId, handOver)) as InventoryResult<CommitOutcome>)
        : r;
    },
    release: async () => {
      const r = (await bucket.release(productId, idx, reservationId, false)) as InventoryResult<
        ReservationOutcome | StockLevel
      >;
      return !r.ok && r.code === "not_found"
        ? ((await primary.release(productId, reservationId)) as InventoryResult<ReservationOutcome | StockLevel>)
        : r;
    },
  };
}

/** Spreads a product's stock over `n` bucket objects (1: its InventoryItem alone). */
export async function configureBuckets(
  env: InventoryEnv,
  ref: StockTarget,
  n: number,
): Promise<StockLevel & { buckets: number }> {
  const key = keyOf(ref);
  const r = await settled(ref, () => stub(env, key).configureBuckets(key, n));
  if (!r.ok) raise(r);
  bucketCounts.set(key, n);
  return r;
}

/**
 * Every call may move stock: once it settles, this isolate's display cache of the product is dropped.
 * `purge: false` for a call whose change D1 does not show yet (a reserve that does not await the
 * projection): dropping the cache then would only re-cache the old level, so the commit that waits
 * for the projection drops it instead. Each purge is a Cache API call.
 */
async function settled<R>(target: StockTarget, call: () => R, purge = true): Promise<Awaited<R>> {
  try {
    return await call();
  } finally {
    if (purge) await invalidateProduct(asRef(target).product_id, "stock");
  }
}

function raise(result: Extract<InventoryResult, { ok: false }>): never {
  switch (result.code) {
    case "not_found":
      throw new ApiError("not_found", result.message);
    case "out_of_stock":
      throw new ApiError("out_of_stock", result.message);
    case "reservation_expired":
      throw new ApiError("reservation_expired", result.message);
    case "overloaded":
      return overloaded();
    case "below_reserved":
      throw new ApiError("invalid_state", result.message, {
        details: [{ field: "quantity", code: "below_reserved", message: result.message }],
      });
    default:
      throw new ApiError("invalid_state", result.message);
  }
}

export async function getStock(env: Pick<Env, "INVENTORY">, ref: StockTarget): Promise<StockLevel> {
  const key = keyOf(ref);
  const r = await stub(env, key).get(key);
  if (!r.ok) raise(r);
  return r;
}

/** Restock (delta > 0) or remove stock (delta < 0); idempotent by `adjustmentId`. */
export async function adjustStock(
  env: Pick<Env, "INVENTORY">,
  ref: StockTarget,
  adjustmentId: string,
  delta: number,
): Promise<StockLevel> {
  const key = keyOf(ref);
  const r = await settled(ref, () => stub(env, key).adjust(key, adjustmentId, delta));
  if (!r.ok) raise(r);
  return r;
}

export async function setStock(
  env: Pick<Env, "INVENTORY">,
  ref: StockTarget,
  adjustmentId: string,
  target: number,
): Promise<StockLevel> {
  const key = keyOf(ref);
  const r = await settled(ref, () => stub(env, key).setAvailable(key, adjustmentId, target));
  if (!r.ok) raise(r);
  return r;
}

export interface ReservationLine extends StockRef {
  quantity: number;
}

/**
 * Reserves every line or none. Lines are taken in a fixed order (by product
 * id, quantities of repeated products summed) so two checkouts never wait on
 * each other in opposite orders; on the first refusal everything already held
 * is released before the error is thrown. The same `reservationId` is used in
 * each product's object, so a retried checkout reserves nothing twice.
 * `awaitProjection: false` writes nothing to D1: the caller must end each hold by a commit with
 * `handOver` (writing the levels itself), a release, or `syncProjection`.
 */
export async function reserveAll(
  env: InventoryEnv,
  reservationId: string,
  lines: ReservationLine[],
  ttlMs = DEFAULT_RESERVATION_TTL_MS,
  opts: { awaitProjection?: boolean } = {},
): Promise<ReservationOutcome[]> {
  const merged = new Map<string, { ref: StockRef; quantity: number }>();
  for (const l of lines) {
    const key = keyOf(l);
    merged.set(key, { ref: l, quantity: (merged.get(key)?.quantity ?? 0) + l.quantity });
  }
  const ordered = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const held: StockTarget[] = [];
  try {
    const out: ReservationOutcome[] = [];
    for (const [key, { ref, quantity }] of ordered) {
      const at = await holder(env, key, reservationId);
      const r = await settled(
        ref,
        () => at.reserve(quantity, ttlMs, opts.awaitProjection ?? true),
        opts.awaitProjection ?? true,
      );
      if (!r.ok) {
        if (r.code === "out_of_stock") {
          const what =
            ref.variant_id && key === ref.variant_id ? `${ref.product_id} (${ref.variant_id})` : ref.product_id;
          throw new ApiError(
            "out_of_stock",
            `Not enough stock for ${what}: ${r.available ?? 0} available, ${quantity} wanted`,
            {
              details: [
                {
                  field: ref.product_id,
                  code: "out_of_stock",
                  message: `${r.available ?? 0} available${ref.variant_id ? ` of ${ref.variant_id}` : ""}`,
                },
              ],
            },
          );
        }
        raise(r);
      }
      held.push(ref);
      out.push(r);
    }
    return out;
  } catch (err) {
    await releaseAll(env, reservationId, held);
    throw err;
  }
}

/** One ref per inventory object. */
function distinct(refs: StockTarget[]): [string, StockTarget][] {
  return [...new Map(refs.map((r) => [keyOf(r), r] as const)).entries()];
}

/**
 * Takes the held units for good. Throws if any hold had expired (the caller then refunds or re-reserves).
 * `handOver: true` (a paid order's): the objects do not write D1's projection; the levels come back
 * for the caller to write in its own batch (`stockProjectionStatements`, then `stockProjected`),
 * one write for the order instead of one per line. Levels already handed over when another line
 * fails are written here before the throw.
 */
export async function commitAll(
  env: InventoryEnv,
  reservationId: string,
  refs: StockTarget[],
  opts: { handOver?: boolean } = {},
): Promise<ProjectedLevel[]> {
  const handOver = opts.handOver ?? false;
  const results = await Promise.all(
    distinct(refs).map(async ([key, ref]) =>
      settled(ref, async () => (await holder(env, key, reservationId)).commit(handOver), !handOver),
    ),
  );
  const levels = results.flatMap((r) => (r.ok && r.projection ? [r.projection] : []));
  const failed = results.find((r) => !r.ok);
  if (failed && !failed.ok) {
    await writeStockProjection(env, levels);
    raise(failed);
  }
  return levels;
}

/** The statements that write handed-over levels to D1's projection, for a batch on the catalog database (`DB`). */
export function stockProjectionStatements(env: Pick<Env, "DB">, levels: ProjectedLevel[]): D1PreparedStatement[] {
  return levels.flatMap((l) => projectStockStatements(env.DB, l));
}

/**
 * Writes handed-over levels in a batch of their own (the order is in another database, or its
 * batch failed). Never throws: on failure D1 trails until the object's next change, logged.
 */
export async function writeStockProjection(env: Pick<Env, "DB">, levels: ProjectedLevel[]): Promise<void> {
  if (!levels.length) return;
  try {
    await env.DB.batch(stockProjectionStatements(env, levels));
  } catch (err) {
    log("warn", "stock projection not written; it trails until the next change", {
      product_ids: levels.map((l) => l.productId),
      ...errorFields(err),
    });
  }
}

/** After handed-over levels are in D1: this isolate's display caches of the products are dropped. */
export async function stockProjected(refs: StockTarget[]): Promise<void> {
  await Promise.all(distinct(refs).map(([, ref]) => invalidateProduct(asRef(ref).product_id, "stock")));
}

/** Releases holds; never throws for holds already released or expired. Best-effort per variant. */
export async function releaseAll(env: InventoryEnv, reservationId: string, refs: StockTarget[]): Promise<void> {
  await Promise.allSettled(
    distinct(refs).map(([key, ref]) => settled(ref, async () => (await holder(env, key, reservationId)).release())),
  );
}

/** A seller's manual hold (an offline sale, a quote): one variant, one reservation. */
export async function holdStock(
  env: InventoryEnv,
  ref: StockTarget,
  reservationId: string,
  quantity: number,
  ttlMs: number,
): Promise<ReservationOutcome> {
  const at = await holder(env, keyOf(ref), reservationId);
  const r = await settled(ref, () => at.reserve(quantity, ttlMs, true));
  if (!r.ok) raise(r);
  return r;
}

export async function finishHold(
  env: InventoryEnv,
  ref: StockTarget,
  reservationId: string,
  action: "commit" | "release",
): Promise<ReservationOutcome | StockLevel> {
  const at = await holder(env, keyOf(ref), reservationId);
  const r = await settled(ref, () => (action === "commit" ? at.commit(false) : at.release()));
  if (!r.ok) raise(r);
  return r;
}

/** Waits until D1's stock projection of these variants is current (after reserves made without waiting). */
export async function syncProjection(env: Pick<Env, "INVENTORY">, refs: StockTarget[]): Promise<void> {
  await Promise.all(distinct(refs).map(([key, ref]) => settled(ref, () => stub(env, key).sync(key))));
}
