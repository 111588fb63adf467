import { ApiError } from "../lib/errors";
import { invalidateProduct } from "./catalog/products";
import type { InventoryResult, ReservationOutcome, StockLevel } from "../durable/inventory-item";

/**
 * The inventory module: every stock change goes through the product's
 * InventoryItem Durable Object (src/durable/inventory-item.ts). Other modules
 * call these functions, never the object or D1's projection directly.
 */

export const DEFAULT_RESERVATION_TTL_MS = 15 * 60 * 1000;

function stub(env: Pick<Env, "INVENTORY">, productId: string) {
  return env.INVENTORY.get(env.INVENTORY.idFromName(productId));
}

/** Every call may move stock: once it settles, this isolate's display cache of the product is dropped. */
async function settled<R>(productId: string, call: () => R): Promise<Awaited<R>> {
  try {
    return await call();
  } finally {
    invalidateProduct(productId);
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
    case "below_reserved":
      throw new ApiError("invalid_state", result.message, {
        details: [{ field: "quantity", code: "below_reserved", message: result.message }],
      });
    default:
      throw new ApiError("invalid_state", result.message);
  }
}

export async function getStock(env: Pick<Env, "INVENTORY">, productId: string): Promise<StockLevel> {
  const r = await stub(env, productId).get(productId);
  if (!r.ok) raise(r);
  return r;
}

/** Restock (delta > 0) or remove stock (delta < 0); idempotent by `adjustmentId`. */
export async function adjustStock(env: Pick<Env, "INVENTORY">, productId: string, adjustmentId: string, delta: number): Promise<StockLevel> {
  const r = await settled(productId, () => stub(env, productId).adjust(productId, adjustmentId, delta));
  if (!r.ok) raise(r);
  return r;
}

export async function setStock(env: Pick<Env, "INVENTORY">, productId: string, adjustmentId: string, target: number): Promise<StockLevel> {
  const r = await settled(productId, () => stub(env, productId).setAvailable(productId, adjustmentId, target));
  if (!r.ok) raise(r);
  return r;
}

export interface ReservationLine {
  product_id: string;
  quantity: number;
}

/**
 * Reserves every line or none. Lines are taken in a fixed order (by product
 * id, quantities of repeated products summed) so two checkouts never wait on
 * each other in opposite orders; on the first refusal everything already held
 * is released before the error is thrown. The same `reservationId` is used in
 * each product's object, so a retried checkout reserves nothing twice.
 */
export async function reserveAll(
  env: Pick<Env, "INVENTORY">,
  reservationId: string,
  lines: ReservationLine[],
  ttlMs = DEFAULT_RESERVATION_TTL_MS,
  opts: { awaitProjection?: boolean } = {},
): Promise<ReservationOutcome[]> {
  const merged = new Map<string, number>();
  for (const l of lines) merged.set(l.product_id, (merged.get(l.product_id) ?? 0) + l.quantity);
  const ordered = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const held: string[] = [];
  try {
    const out: ReservationOutcome[] = [];
    for (const [productId, quantity] of ordered) {
      const r = await settled(productId, () => stub(env, productId).reserve(productId, reservationId, quantity, ttlMs, opts.awaitProjection ?? true));
      if (!r.ok) {
        if (r.code === "out_of_stock") {
          throw new ApiError("out_of_stock", `Not enough stock for ${productId}: ${r.available ?? 0} available, ${quantity} wanted`, {
            details: [{ field: productId, code: "out_of_stock", message: `${r.available ?? 0} available` }],
          });
        }
        raise(r);
      }
      held.push(productId);
      out.push(r);
    }
    return out;
  } catch (err) {
    await releaseAll(env, reservationId, held);
    throw err;
  }
}

/** Takes the held units for good. Throws if any hold had expired (the caller then refunds or re-reserves). */
export async function commitAll(env: Pick<Env, "INVENTORY">, reservationId: string, productIds: string[]): Promise<void> {
  const results = await Promise.all([...new Set(productIds)].map((id) => settled(id, () => stub(env, id).commit(id, reservationId))));
  const failed = results.find((r) => !r.ok);
  if (failed && !failed.ok) raise(failed);
}

/** Releases holds; never throws for holds already released or expired. Best-effort per product. */
export async function releaseAll(env: Pick<Env, "INVENTORY">, reservationId: string, productIds: string[]): Promise<void> {
  await Promise.allSettled([...new Set(productIds)].map((id) => settled(id, () => stub(env, id).release(id, reservationId))));
}

/** A seller's manual hold (an offline sale, a quote): one product, one reservation. */
export async function holdStock(env: Pick<Env, "INVENTORY">, productId: string, reservationId: string, quantity: number, ttlMs: number): Promise<ReservationOutcome> {
  const r = await settled(productId, () => stub(env, productId).reserve(productId, reservationId, quantity, ttlMs));
  if (!r.ok) raise(r);
  return r;
}

export async function finishHold(env: Pick<Env, "INVENTORY">, productId: string, reservationId: string, action: "commit" | "release"): Promise<ReservationOutcome | StockLevel> {
  const s = stub(env, productId);
  const r = await settled(productId, () => (action === "commit" ? s.commit(productId, reservationId) : s.release(productId, reservationId)));
  if (!r.ok) raise(r);
  return r;
}

/** Waits until D1's stock projection of these products is current (after reserves made without waiting). */
export async function syncProjection(env: Pick<Env, "INVENTORY">, productIds: string[]): Promise<void> {
  await Promise.all([...new Set(productIds)].map((id) => settled(id, () => stub(env, id).sync(id))));
}
