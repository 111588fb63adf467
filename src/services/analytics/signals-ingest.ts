import type { OrderEventPayload } from "../orders";
import { dateKey } from "./dates";

/** The recommendation signals the warehouse keeps: what a paid order says (bought together, affinity), and product views. */

const upsertCount = (table: "co_purchases" | "co_views") =>
  `INSERT INTO ${table} (product_id, other_id, count) VALUES (?, ?, 1) ON CONFLICT (product_id, other_id) DO UPDATE SET count = count + 1`;

const bumpAffinity = `INSERT INTO user_affinity (user_id, kind, key, score) SELECT ?1, 'category', category_id, ?3 FROM dim_products WHERE product_id = ?2
   ON CONFLICT (user_id, kind, key) DO UPDATE SET score = score + excluded.score`;

const bumpBrand = `INSERT INTO user_affinity (user_id, kind, key, score) SELECT ?1, 'brand', LOWER(brand), ?3 FROM dim_products WHERE product_id = ?2 AND brand IS NOT NULL
   ON CONFLICT (user_id, kind, key) DO UPDATE SET score = score + excluded.score`;

/**
 * Recommendation signals from a paid order, in the same batch as its facts (so
 * a redelivered order.paid, whose fact insert is ignored, is skipped before this
 * runs: see ingestEvent's guard). Bought together: every pair of its products.
 */
export function purchaseSignals(env: Env, o: OrderEventPayload, at: string): D1PreparedStatement[] {
  const w = env.WAREHOUSE;
  const ids = [...new Set(o.items.map((i) => i.product_id))];
  const out: D1PreparedStatement[] = [];
  for (const a of ids) {
    out.push(
      w
        .prepare("INSERT OR IGNORE INTO user_purchases (user_id, product_id, at) VALUES (?, ?, ?)")
        .bind(o.user_id, a, at),
    );
    out.push(w.prepare(bumpAffinity).bind(o.user_id, a, 3), w.prepare(bumpBrand).bind(o.user_id, a, 3));
    for (const b of ids) if (a !== b) out.push(w.prepare(upsertCount("co_purchases")).bind(a, b));
  }
  return out;
}

/** A product page view (ANALYTICS queue), keyed by its view id; a signed-in viewer also feeds "viewed together" and affinity. */
export async function ingestView(
  env: Env,
  view: { view_id: string; product_id: string; seller_id: string; at: string; user_id?: string | null },
): Promise<void> {
  const w = env.WAREHOUSE;
  const first = await w
    .prepare("INSERT OR IGNORE INTO fact_product_views (view_id, product_id, seller_id, date_key) VALUES (?, ?, ?, ?)")
    .bind(view.view_id, view.product_id, view.seller_id, dateKey(view.at))
    .run();
  if (!view.user_id || (first.meta.changes ?? 0) === 0) return; // a redelivery counts once
  const recent = await w
    .prepare(
      "SELECT product_id FROM recent_views WHERE user_id = ? AND product_id != ? ORDER BY viewed_at DESC LIMIT 5",
    )
    .bind(view.user_id, view.product_id)
    .all<{ product_id: string }>();
  const statements = [
    w
      .prepare(
        "INSERT INTO recent_views (user_id, product_id, viewed_at) VALUES (?, ?, ?) ON CONFLICT (user_id, product_id) DO UPDATE SET viewed_at = excluded.viewed_at",
      )
      .bind(view.user_id, view.product_id, view.at),
    w.prepare(bumpAffinity).bind(view.user_id, view.product_id, 1),
    w.prepare(bumpBrand).bind(view.user_id, view.product_id, 1),
  ];
  for (const r of recent.results)
    statements.push(
      w.prepare(upsertCount("co_views")).bind(view.product_id, r.product_id),
      w.prepare(upsertCount("co_views")).bind(r.product_id, view.product_id),
    );
  await w.batch(statements);
}

/** Many anonymous views in a few multi-row statements (D1 binds at most 100 values per statement). */
export async function ingestAnonymousViews(
  env: Env,
  views: { view_id: string; product_id: string; seller_id: string; at: string }[],
): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < views.length; i += 25) {
    const chunk = views.slice(i, i + 25);
    statements.push(
      env.WAREHOUSE.prepare(
        `INSERT OR IGNORE INTO fact_product_views (view_id, product_id, seller_id, date_key) VALUES ${chunk.map(() => "(?, ?, ?, ?)").join(", ")}`,
      ).bind(...chunk.flatMap((v) => [v.view_id, v.product_id, v.seller_id, dateKey(v.at)])),
    );
  }
  await env.WAREHOUSE.batch(statements);
}
