import { and, desc, eq, lt, or } from "drizzle-orm";
import { getDb } from "../db/client";
import { wishlist } from "../db/schema/wishlist";
import { ApiError } from "../lib/errors";
import { decodeCursor, encodeCursor } from "../lib/pagination";
import { findProduct, findProducts, toProduct } from "./catalog/product-reads";

/** The wishlist: owns `wishlist`. Its wishlisters are who back-in-stock alerts go to. */
/** Saves a product, or one variant of it (alerted when that one is back), for the user; saving again changes the variant. */
export async function addToWishlist(env: Pick<Env, "DB">, userId: string, productId: string, variantId?: string) {
  const p = await findProduct(env, productId);
  if (p?.status !== "active") throw new ApiError("not_found", "Product not found");
  if (variantId && !p.variants.some((v) => v.id === variantId)) {
    throw new ApiError("validation_failed", "variant_id names no variant of this product", {
      details: [{ field: "variant_id", code: "not_found", message: "not a variant of this product" }],
    });
  }
  await getDb(env)
    .insert(wishlist)
    .values({ userId, productId, variantId: variantId ?? null })
    .onConflictDoUpdate({ target: [wishlist.userId, wishlist.productId], set: { variantId: variantId ?? null } });
  return { product_id: productId, variant_id: variantId ?? null, product: toProduct(p) };
}

export async function removeFromWishlist(env: Pick<Env, "DB">, userId: string, productId: string) {
  const gone = await getDb(env)
    .delete(wishlist)
    .where(and(eq(wishlist.userId, userId), eq(wishlist.productId, productId)))
    .returning({ productId: wishlist.productId });
  if (gone.length === 0) throw new ApiError("not_found", "Not in your wishlist");
}

/** Newest first; keyset on (created_at, product_id). */
export async function listWishlist(env: Pick<Env, "DB">, userId: string, limit: number, cursor?: string) {
  const where = [eq(wishlist.userId, userId)];
  if (cursor) {
    const [t, id] = decodeCursor(cursor, 2);
    where.push(
      or(
        lt(wishlist.createdAt, String(t)),
        and(eq(wishlist.createdAt, String(t)), lt(wishlist.productId, String(id))),
      )!,
    );
  }
  const rows = await getDb(env)
    .select()
    .from(wishlist)
    .where(and(...where))
    .orderBy(desc(wishlist.createdAt), desc(wishlist.productId))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  const products = new Map(
    (
      await findProducts(
        env,
        page.map((r) => r.productId),
      )
    ).map((p) => [p.id, p]),
  );
  const last = page[page.length - 1];
  return {
    data: page.map((r) => ({
      product_id: r.productId,
      variant_id: r.variantId,
      added_at: r.createdAt,
      product: products.has(r.productId) ? toProduct(products.get(r.productId)!) : null,
    })),
    next_cursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.productId]) : null,
  };
}

/**
 * Who hears that a variant is back in stock: those waiting for that variant, and those who saved
 * the product as a whole when the product itself was out of stock (no other variant had any).
 * A variant id absent (events from before variants) means the product's default one.
 */
export async function wishlistersOf(
  env: Pick<Env, "DB">,
  productId: string,
  variantId?: string,
): Promise<{ users: string[]; productName: string; options: Record<string, string> }> {
  const p = await findProduct(env, productId);
  const variant = p?.variants.find((v) => v.id === variantId) ?? (p?.variants.length === 1 ? p.variants[0] : undefined);
  const othersInStock = !!p && p.variants.some((v) => v.id !== variant?.id && v.stockAvailable > 0);
  const rows = await getDb(env)
    .select({ userId: wishlist.userId, variantId: wishlist.variantId })
    .from(wishlist)
    .where(eq(wishlist.productId, productId))
    .all();
  const users = rows.filter((r) => (r.variantId ? r.variantId === variant?.id : !othersInStock)).map((r) => r.userId);
  return { users, productName: p?.name ?? "A product", options: variant?.options ?? {} };
}

/** The data export and erasure of a user's wishlist. */
export async function wishlistOf(env: Pick<Env, "DB">, userId: string) {
  const rows = await getDb(env).select().from(wishlist).where(eq(wishlist.userId, userId)).all();
  return rows.map((r) => ({ product_id: r.productId, variant_id: r.variantId, added_at: r.createdAt }));
}
export async function eraseWishlistOf(env: Pick<Env, "DB">, userId: string): Promise<void> {
  await getDb(env).delete(wishlist).where(eq(wishlist.userId, userId));
}
