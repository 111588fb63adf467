/**
 * The warehouse's signals recommendations are made from: what a user bought, what was bought and
 * viewed together with a product, and a user's strongest categories and brands.
 */

export async function purchasedBy(env: Pick<Env, "WAREHOUSE">, userId: string): Promise<Set<string>> {
  const rows = await env.WAREHOUSE.prepare("SELECT product_id FROM user_purchases WHERE user_id = ?")
    .bind(userId)
    .all<{ product_id: string }>();
  return new Set(rows.results.map((r) => r.product_id));
}

/** Up to 50 products each bought and viewed with this one, the strongest first. */
export async function togetherWith(env: Pick<Env, "WAREHOUSE">, productId: string) {
  const [bought, viewed] = await env.WAREHOUSE.batch<{ other_id: string; count: number }>([
    env.WAREHOUSE.prepare(
      "SELECT other_id, count FROM co_purchases WHERE product_id = ? ORDER BY count DESC, other_id LIMIT 50",
    ).bind(productId),
    env.WAREHOUSE.prepare(
      "SELECT other_id, count FROM co_views WHERE product_id = ? ORDER BY count DESC, other_id LIMIT 50",
    ).bind(productId),
  ]);
  return { bought: bought.results.map((r) => r.other_id), viewed: viewed.results.map((r) => r.other_id) };
}

/** A user's five strongest categories and five strongest brands (brands lower-case). */
export async function tasteOf(env: Pick<Env, "WAREHOUSE">, userId: string) {
  const taste = await env.WAREHOUSE.prepare(
    "SELECT kind, key FROM user_affinity WHERE user_id = ? ORDER BY score DESC LIMIT 10",
  )
    .bind(userId)
    .all<{ kind: string; key: string }>();
  const of = (kind: string) =>
    taste.results
      .filter((t) => t.kind === kind)
      .map((t) => t.key)
      .slice(0, 5);
  return { categoryIds: of("category"), brands: of("brand") };
}
