/**
 * The catalog's stock columns (`products.stock_available`, `product_variants.stock_available`,
 * `stock_buckets`) are projections of the inventory objects, which hold the truth. These are the
 * only writes the inventory domain makes to them, and its only reads of them.
 */

/** The variant's projected level and bucket count, or null when no variant row exists. */
export function variantStock(d1: D1Database, variantId: string) {
  return d1
    .prepare("SELECT product_id, stock_available, stock_buckets FROM product_variants WHERE id = ?")
    .bind(variantId)
    .first<{ product_id: string; stock_available: number; stock_buckets: number }>();
}

/**
 * Makes the default variant of a product row written without one (by a version from before
 * variants, during a rolling deploy), as migration 0017 made them for the rows it found. Null: no
 * such product.
 */
export function backfillDefaultVariant(d1: D1Database, variantId: string, productId: string) {
  return d1
    .prepare(
      `INSERT INTO product_variants (id, product_id, options, options_key, stock_available, stock_version, stock_buckets, position)
       SELECT ?, id, '{}', '{}', stock_available, stock_version, stock_buckets, 0 FROM products WHERE id = ?
       ON CONFLICT (id) DO UPDATE SET id = excluded.id RETURNING product_id, stock_available`,
    )
    .bind(variantId, productId)
    .first<{ product_id: string; stock_available: number }>();
}

export async function setVariantBuckets(d1: D1Database, variantId: string, n: number): Promise<void> {
  await d1.prepare("UPDATE product_variants SET stock_buckets = ? WHERE id = ?").bind(n, variantId).run();
}

/**
 * Projects an inventory object's level: the variant's (unless a later one landed first), then the
 * product's as the sum of its variants' (the object's own level when no variant rows exist), in one
 * batch: one round trip, one transaction.
 */
export async function projectStock(d1: D1Database, level: ProjectedLevel): Promise<void> {
  await d1.batch(projectStockStatements(d1, level));
}

/** An inventory object's level as D1's projection holds it (the object's sequence number guards older writes). */
export interface ProjectedLevel {
  productId: string;
  variantId: string;
  available: number;
  seq: number;
}

/** projectStock's statements, for a caller that writes them in its own batch (a paid order's, with the order). */
export function projectStockStatements(d1: D1Database, level: ProjectedLevel): D1PreparedStatement[] {
  return [
    d1
      .prepare("UPDATE product_variants SET stock_available = ?, stock_version = ? WHERE id = ? AND stock_version < ?")
      .bind(level.available, level.seq, level.variantId, level.seq),
    d1
      .prepare(
        `UPDATE products SET stock_available = COALESCE((SELECT SUM(stock_available) FROM product_variants WHERE product_id = ?1), ?2),
           stock_version = stock_version + 1 WHERE id = ?1`,
      )
      .bind(level.productId, level.available),
  ];
}
