import { and, desc, eq, lt, or } from "drizzle-orm";
import { getDb } from "../db/client";
import { wishlist } from "../db/schema";
import { ApiError } from "../lib/errors";
import { decodeCursor, encodeCursor } from "../lib/pagination";
import { findProduct, findProducts, toProduct } from "./catalog/products";

/** The wishlist: owns `wishlist`. Its wishlisters are who back-in-stock alerts go to. */
export async function addToWishlist(env: Pick<Env, "DB">, userId: string, productId: string) {
  const p = await findProduct(env, productId);
  if (!p || p.status !== "active") throw new ApiError("not_found", "Product not found");
  await getDb(env).insert(wishlist).values({ userId, productId }).onConflictDoNothing();
  return { product_id: productId, product: toProduct(p) };
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
    where.push(or(lt(wishlist.createdAt, String(t)), and(eq(wishlist.createdAt, String(t)), lt(wishlist.productId, String(id))))!);
  }
  const rows = await getDb(env).select().from(wishlist).where(and(...where)).orderBy(desc(wishlist.createdAt), desc(wishlist.productId)).limit(limit + 1).all();
  const page = rows.slice(0, limit);
  const products = new Map((await findProducts(env, page.map((r) => r.productId))).map((p) => [p.id, p]));
  const last = page[page.length - 1];
  return {
    data: page.map((r) => ({ product_id: r.productId, added_at: r.createdAt, product: products.has(r.productId) ? toProduct(products.get(r.productId)!) : null })),
    next_cursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.productId]) : null,
  };
}

export async function wishlistersOf(env: Pick<Env, "DB">, productId: string): Promise<{ users: string[]; productName: string }> {
  const rows = await getDb(env).select({ userId: wishlist.userId }).from(wishlist).where(eq(wishlist.productId, productId)).all();
  const p = await findProduct(env, productId);
  return { users: rows.map((r) => r.userId), productName: p?.name ?? "A product" };
}

/** The data export and erasure of a user's wishlist. */
export async function wishlistOf(env: Pick<Env, "DB">, userId: string) {
  const rows = await getDb(env).select().from(wishlist).where(eq(wishlist.userId, userId)).all();
  return rows.map((r) => ({ product_id: r.productId, added_at: r.createdAt }));
}
export async function eraseWishlistOf(env: Pick<Env, "DB">, userId: string): Promise<void> {
  await getDb(env).delete(wishlist).where(eq(wishlist.userId, userId));
}
