/**
 * Catalog facts about some products and their variants, for the warehouse's product and variant
 * dimensions (no PII). At most 90 ids a call (D1's 100 bound values a statement).
 */
export async function productFacts(env: Pick<Env, "DB">, ids: string[]) {
  const marks = ids.map(() => "?").join(",");
  const [products, variants] = await env.DB.batch([
    env.DB.prepare(
      `SELECT id, seller_id, name, category_id, brand, status, stock_available, rating_average, updated_at FROM products WHERE id IN (${marks})`,
    ).bind(...ids),
    env.DB.prepare(
      `SELECT v.id, v.product_id, p.seller_id, v.options, p.status, v.stock_available FROM product_variants v JOIN products p ON p.id = v.product_id
       WHERE v.product_id IN (${marks})`,
    ).bind(...ids),
  ]);
  return {
    products: products.results as {
      id: string;
      seller_id: string;
      name: string;
      category_id: string;
      brand: string | null;
      status: string;
      stock_available: number;
      rating_average: number;
      updated_at: string;
    }[],
    variants: variants.results as {
      id: string;
      product_id: string;
      seller_id: string;
      options: string;
      status: string;
      stock_available: number;
    }[],
  };
}
