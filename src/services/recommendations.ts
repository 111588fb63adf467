import { purchasedBy, tasteOf, togetherWith } from "./analytics";
import { onSaleAndNewest, popularProducts } from "./catalog/listings";
import { TtlCache } from "../lib/ttl-cache";
import { findProducts, toProduct, type ProductRecord } from "./catalog/product-reads";

/**
 * Recommendations from the warehouse's signals (co-purchases, co-views,
 * per-user category and brand affinity), resolved against the live catalog so
 * nothing archived or out of stock is shown, and never what the user bought.
 */

function sellable<R extends { id: string; status: string; stockAvailable: number }>(
  rows: R[],
  exclude: Set<string>,
): R[] {
  return rows.filter((r) => r.status === "active" && r.stockAvailable > 0 && !exclude.has(r.id));
}

/** The most popular sellable products, optionally in some categories or brands. */
async function popular(
  env: Pick<Env, "DB">,
  limit: number,
  exclude: Set<string>,
  filter?: { categoryIds?: string[]; brands?: string[] },
): Promise<ProductRecord[]> {
  return sellable(await popularProducts(env, limit + exclude.size, filter), exclude).slice(0, limit);
}

/** "Bought together", then "viewed together", then popular in the same category. */
export async function related(env: Env, productId: string, limit: number, userId?: string) {
  const exclude = new Set([productId, ...(userId ? await purchasedBy(env, userId) : [])]);
  const { bought, viewed } = await togetherWith(env, productId);
  const ordered = [
    ...bought.map((id) => ({ id, reason: "bought_together" as const })),
    ...viewed.map((id) => ({ id, reason: "viewed_together" as const })),
  ];
  const rows = new Map(
    sellable(await findProducts(env, [...new Set(ordered.map((o) => o.id))].slice(0, 90)), exclude).map((r) => [
      r.id,
      r,
    ]),
  );
  const out: { product: ReturnType<typeof toProduct>; reason: string }[] = [];
  const seen = new Set<string>();
  for (const o of ordered) {
    const r = rows.get(o.id);
    if (!r || seen.has(o.id)) continue;
    seen.add(o.id);
    out.push({ product: toProduct(r), reason: o.reason });
    if (out.length >= limit) return out;
  }
  const self = (await findProducts(env, [productId]))[0];
  if (self) {
    for (const r of await popular(env, limit, new Set([...exclude, ...seen]), { categoryIds: [self.categoryId] })) {
      out.push({ product: toProduct(r), reason: "same_category" });
      if (out.length >= limit) break;
    }
  }
  return out;
}

/** Signed in: what matches the user's strongest categories and brands; guests (or no signal yet): popular. */
export async function forUser(env: Env, userId: string | null, limit: number) {
  if (!userId) return (await popular(env, limit, new Set())).map((r) => ({ product: toProduct(r), reason: "popular" }));
  const exclude = await purchasedBy(env, userId);
  const { categoryIds, brands } = await tasteOf(env, userId);
  const out: { product: ReturnType<typeof toProduct>; reason: string }[] = [];
  const seen = new Set(exclude);
  const add = (rows: ProductRecord[], reason: string) => {
    for (const r of rows) {
      if (out.length >= limit || seen.has(r.id)) continue;
      seen.add(r.id);
      out.push({ product: toProduct(r), reason });
    }
  };
  if (categoryIds.length) add(await popular(env, limit, seen, { categoryIds }), "your_categories");
  if (brands.length) add(await popular(env, limit, seen, { brands }), "your_brands");
  add(await popular(env, limit, seen), "popular");
  return out;
}

const feedCache = new TtlCache<unknown>(30_000, 10);

/** The home feed: popular, on sale (below list price), new arrivals, and for signed-in users their picks. */
export async function homeFeed(env: Env, userId: string | null, limit = 12) {
  const guestKey = `guest:${limit}`;
  if (!userId) {
    const hit = feedCache.get(guestKey);
    if (hit) return hit as Awaited<ReturnType<typeof buildFeed>>;
  }
  const feed = await buildFeed(env, userId, limit);
  if (!userId) feedCache.set(guestKey, feed);
  return feed;
}

async function buildFeed(env: Env, userId: string | null, limit: number) {
  const { onSale: sale, newest: fresh } = await onSaleAndNewest(env, limit);
  const sections = [
    { key: "popular", title: "Popular right now", items: (await popular(env, limit, new Set())).map(toProduct) },
    { key: "on_sale", title: "On sale", items: sale.map(toProduct) },
    { key: "new_arrivals", title: "New arrivals", items: fresh.map(toProduct) },
  ];
  if (userId)
    sections.unshift({
      key: "recommended",
      title: "Picked for you",
      items: (await forUser(env, userId, limit)).map((r) => r.product),
    });
  return { sections: sections.filter((s) => s.items.length > 0) };
}
