import { TtlCache } from "../../lib/ttl-cache";

/**
 * What search indexes of the catalog: product rows with their variants' options and stock, read
 * by id (an event's products) or a page at a time (a shard filling itself), and category names.
 * Search reads these to index, never to write.
 */
export interface CatalogIndexRow {
  id: string;
  seller_id: string;
  category_id: string;
  category_path: string;
  name: string;
  description: string;
  price: number;
  brand: string | null;
  status: string;
  rating_average: number;
  stock_available: number;
  popularity: number;
  version: number;
  stock_version: number;
  created_at: string;
  /** The product's attributes, as D1 stores them (JSON). */
  attributes?: string | null;
  /** Its variants as `[{ o: options, s: stock }]` JSON. */
  variants?: string | null;
  /** `fixed` or `auction` (absent in rows read before auctions: fixed). */
  listing?: string;
}

const COLUMNS = `id, seller_id, category_id, category_path, name, description, price, brand, status, rating_average,
  stock_available, popularity, version, stock_version, created_at, attributes, listing,
  (SELECT json_group_array(json_object('o', json(v.options), 's', v.stock_available)) FROM product_variants v WHERE v.product_id = products.id) AS variants`;

/** These products as search indexes them, whatever their status (90 ids a statement: D1's 100 bound values). */
export async function productsToIndex(env: Pick<Env, "DB">, ids: string[]): Promise<CatalogIndexRow[]> {
  const rows: CatalogIndexRow[] = [];
  for (let i = 0; i < ids.length; i += 90) {
    const chunk = ids.slice(i, i + 90);
    const res = await env.DB.prepare(`SELECT ${COLUMNS} FROM products WHERE id IN (${chunk.map(() => "?").join(",")})`)
      .bind(...chunk)
      .all<CatalogIndexRow>();
    rows.push(...res.results);
  }
  return rows;
}

/** Active products after `after` in id order, `limit` of them: a shard fills itself page by page. */
export async function activeProductsPage(env: Pick<Env, "DB">, after: string, limit: number) {
  const page = await env.DB.prepare(
    `SELECT ${COLUMNS} FROM products WHERE status = 'active' AND id > ? ORDER BY id LIMIT ?`,
  )
    .bind(after, limit)
    .all<CatalogIndexRow>();
  return page.results;
}

const categoryNameCache = new TtlCache<Map<string, string>>(60_000, 1, 4 * 1024 * 1024, (names) => {
  let bytes = 0;
  for (const [k, v] of names) bytes += (k.length + v.length) * 2 + 64;
  return bytes;
});

/** Category id -> name, cached per isolate for a minute (the tree changes rarely). */
export async function categoryNames(env: Pick<Env, "DB">): Promise<Map<string, string>> {
  const hit = categoryNameCache.get("all");
  if (hit) return hit;
  const rows = await env.DB.prepare("SELECT id, name FROM categories").all<{ id: string; name: string }>();
  const map = new Map(rows.results.map((r) => [r.id, r.name]));
  categoryNameCache.set("all", map);
  return map;
}
