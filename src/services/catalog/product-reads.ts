import { eq, getTableColumns, inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { products } from "../../db/schema/catalog";
import { purgeEdgeCache } from "../../lib/edge-cache";
import { TtlCache } from "../../lib/ttl-cache";
import type { Product } from "../../schemas/catalog";
import { parseVariants, toVariant, variantsJsonColumn, type VariantRow } from "./variants";

/**
 * Reading products (the catalog owns the `products` table; stock there is the inventory module's
 * projection): the read half of the catalog, apart from its writes so that the inventory and
 * auction modules, which the writes call, can read products without an import cycle.
 */
export type ProductRow = typeof products.$inferSelect;
/** A product with its variants (position order): what every read of a product returns. */
export type ProductRecord = ProductRow & { variants: VariantRow[] };

export function toProduct(row: ProductRecord): Product {
  return {
    product_id: row.id,
    seller_id: row.sellerId,
    category_id: row.categoryId,
    name: row.name,
    description: row.description,
    price: row.price,
    list_price: row.listPrice,
    currency: row.currency,
    prices: row.prices ?? {},
    stock_available: row.stockAvailable,
    brand: row.brand,
    images: row.images,
    attributes: row.attributes,
    variants: row.variants.map((v) => toVariant(v, row.price)),
    status: row.status,
    listing: row.listing,
    rating_average: Math.round(row.ratingAverage * 100) / 100,
    rating_count: row.ratingCount,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/** Select these (drizzle) and map each row with `record` for products with their variants, in one statement. */
export const withVariantsJson = { ...getTableColumns(products), variantsJson: variantsJsonColumn };
export const record = ({ variantsJson, ...row }: ProductRow & { variantsJson: string | null }): ProductRecord => ({
  ...row,
  variants: parseVariants(variantsJson),
});

/** The product and its variants in one statement. */
export async function findProduct(env: Pick<Env, "DB">, id: string): Promise<ProductRecord | undefined> {
  const row = await getDb(env).select(withVariantsJson).from(products).where(eq(products.id, id)).get();
  return row ? record(row) : undefined;
}

/** Product pages are read far more than written: a 2-second per-isolate cache in front of D1 (see TtlCache). */
const readCache = new TtlCache<ProductRecord>(2000, 5000, 16 * 1024 * 1024, (row, key) => {
  // A product row is text fields plus numbers: their lengths are the size, without a JSON pass per miss.
  let bytes = key.length * 2 + 256;
  for (const v of Object.values(row)) {
    if (typeof v === "string") bytes += v.length * 2;
    else if (v && typeof v === "object") bytes += JSON.stringify(v).length * 2;
  }
  bytes += row.variants.length * 200;
  return bytes;
});

/** A product for display; may be up to 2 s stale in another isolate. Writes in this isolate invalidate it. */
export async function readProduct(env: Pick<Env, "DB">, id: string): Promise<ProductRecord | undefined> {
  const hit = readCache.get(id);
  if (hit) return hit;
  const row = await findProduct(env, id);
  if (row) readCache.set(id, row);
  return row;
}

/** Many products for display (a cart's lines), through the same cache; misses are read from D1 together. */
export async function readProducts(env: Pick<Env, "DB">, ids: string[]): Promise<ProductRecord[]> {
  return readThrough(readCache, ids, async (misses) => {
    const rows = await findProducts(env, misses);
    for (const r of rows) readCache.set(r.id, r);
    return rows;
  });
}

/** Each distinct id from `cache`, the misses read together by `load` (which keeps what it read). */
async function readThrough<V>(cache: TtlCache<V>, ids: string[], load: (misses: string[]) => Promise<V[]>) {
  const hits: V[] = [];
  const misses: string[] = [];
  for (const id of new Set(ids)) {
    const hit = cache.get(id);
    if (hit) hits.push(hit);
    else misses.push(id);
  }
  return misses.length ? [...hits, ...(await load(misses))] : hits;
}

/**
 * Called by every writer of a product row (catalog, inventory projection, reviews): this isolate's
 * copy and the data center's cached page go. A stock move (`"stock"`) leaves the pricing row, which
 * it does not change.
 */
export async function invalidateProduct(id: string, what: "product" | "stock" = "product"): Promise<void> {
  readCache.delete(id);
  if (what === "product") pricingCache.delete(id);
  await purgeEdgeCache(`/products/${id}`);
}

/** Products by id, any number of them (D1 binds at most 100 values per statement, so large lists go in chunks). */
export async function findProducts(env: Pick<Env, "DB">, ids: string[]): Promise<ProductRecord[]> {
  const unique = [...new Set(ids)];
  const out: ProductRecord[] = [];
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await getDb(env)
      .select(withVariantsJson)
      .from(products)
      .where(inArray(products.id, unique.slice(i, i + 90)))
      .all();
    out.push(...rows.map(record));
  }
  return out;
}

/** What pricing a cart needs of a product: no description, images or attributes to carry through D1's result conversion. */
const pricingColumns = {
  id: products.id,
  sellerId: products.sellerId,
  categoryPath: products.categoryPath,
  name: products.name,
  price: products.price,
  prices: products.prices,
  status: products.status,
  stockAvailable: products.stockAvailable,
  /** Bumped by every write of the product or its variants: the checkout's guard compares it (pricing-guard.ts). */
  version: products.version,
  variantsJson: variantsJsonColumn,
};
export type PricingRow = Pick<ProductRow, Exclude<keyof typeof pricingColumns, "variantsJson">> & {
  variants: VariantRow[];
};

/** The pricing columns of products by id with their variants, fresh from D1 (checkout): one statement per 90 products. */
export async function findPricing(env: Pick<Env, "DB">, ids: string[]): Promise<PricingRow[]> {
  const unique = [...new Set(ids)];
  const out: PricingRow[] = [];
  for (let i = 0; i < unique.length; i += 90) {
    const rows = await getDb(env)
      .select(pricingColumns)
      .from(products)
      .where(inArray(products.id, unique.slice(i, i + 90)))
      .all();
    out.push(...rows.map(({ variantsJson, ...r }) => ({ ...r, variants: parseVariants(variantsJson) })));
  }
  for (const r of out) pricingCache.set(r.id, r);
  return out;
}

/**
 * Pricing rows as this isolate last read them. Unlike the display cache this one feeds a decision
 * (what an order charges), so it is used only where the write that acts on it checks each row's
 * version in the same transaction (pricing-guard.ts): a stale row fails that write, never charges.
 * Stock moves do not touch pricing, so they leave it; product and variant writes here drop it.
 */
const pricingCache = new TtlCache<PricingRow>(60_000, 20_000, 16 * 1024 * 1024);

/** Pricing rows from this isolate's cache, the misses read fresh from D1 together. */
export async function readPricing(env: Pick<Env, "DB">, ids: string[]): Promise<PricingRow[]> {
  return readThrough(pricingCache, ids, (misses) => findPricing(env, misses));
}
