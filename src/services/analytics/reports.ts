import { paidRevenueBySeller } from "../orders";

/**
 * Reports from the warehouse only (never the live database). Dates are UTC
 * day keys (YYYY-MM-DD); a range is inclusive. Revenue is gross item revenue
 * of orders not cancelled, in minor units; refunds are reported beside it.
 */
const LOW_STOCK_THRESHOLD = 5;

export interface Range {
  from: string;
  to: string;
}

export function defaultRange(from?: string, to?: string): Range {
  const today = new Date().toISOString().slice(0, 10);
  const monthAgo = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
  return { from: from ?? monthAgo, to: to ?? today };
}

const LIVE = "status NOT IN ('cancelled')";

export async function sellerReport(env: Pick<Env, "WAREHOUSE">, sellerId: string, r: Range) {
  const w = env.WAREHOUSE;
  const [totals, byStatus, top, low, refunds, rating, topVariants, lowVariants] = await w.batch<
    Record<string, unknown>
  >([
    w
      .prepare(
        `SELECT COALESCE(SUM(revenue), 0) AS revenue, COALESCE(SUM(quantity), 0) AS units, COUNT(DISTINCT order_id) AS orders FROM fact_order_items WHERE seller_id = ? AND date_key BETWEEN ? AND ? AND ${LIVE}`,
      )
      .bind(sellerId, r.from, r.to),
    w
      .prepare(
        "SELECT status, COUNT(DISTINCT order_id) AS n FROM fact_order_items WHERE seller_id = ? AND date_key BETWEEN ? AND ? GROUP BY status",
      )
      .bind(sellerId, r.from, r.to),
    w
      .prepare(
        `SELECT f.product_id, COALESCE(d.name, f.product_id) AS name, SUM(f.quantity) AS units_sold, SUM(f.revenue) AS revenue
         FROM fact_order_items f LEFT JOIN dim_products d ON d.product_id = f.product_id
         WHERE f.seller_id = ? AND f.date_key BETWEEN ? AND ? AND f.${LIVE}
         GROUP BY f.product_id ORDER BY revenue DESC, f.product_id LIMIT 10`,
      )
      .bind(sellerId, r.from, r.to),
    w
      .prepare(
        "SELECT product_id, name, stock_available FROM dim_products WHERE seller_id = ? AND status = 'active' AND stock_available <= ? ORDER BY stock_available, product_id LIMIT 50",
      )
      .bind(sellerId, LOW_STOCK_THRESHOLD),
    // A refund on a multi-seller order is shared by each seller's part of it.
    w
      .prepare(
        `SELECT COALESCE(SUM(r.amount * 1.0 * s.part / NULLIF(s.whole, 0)), 0) AS refunded, COUNT(DISTINCT r.order_id) AS orders
         FROM fact_refunds r JOIN (
           SELECT order_id, SUM(CASE WHEN seller_id = ?1 THEN revenue ELSE 0 END) AS part, SUM(revenue) AS whole FROM fact_order_items GROUP BY order_id
         ) s ON s.order_id = r.order_id
         WHERE s.part > 0 AND r.date_key BETWEEN ?2 AND ?3`,
      )
      .bind(sellerId, r.from, r.to),
    w
      .prepare("SELECT AVG(rating_average) AS avg FROM dim_products WHERE seller_id = ? AND rating_average > 0")
      .bind(sellerId),
    // Units per variant (a size run sells unevenly); facts from before variants count as the default one.
    w
      .prepare(
        `SELECT COALESCE(f.variant_id, 'var_' || substr(f.product_id, 5)) AS variant_id, f.product_id, COALESCE(d.name, f.product_id) AS name,
                COALESCE(v.options, '{}') AS options, SUM(f.quantity) AS units_sold, SUM(f.revenue) AS revenue
         FROM fact_order_items f LEFT JOIN dim_products d ON d.product_id = f.product_id
           LEFT JOIN dim_variants v ON v.variant_id = COALESCE(f.variant_id, 'var_' || substr(f.product_id, 5))
         WHERE f.seller_id = ? AND f.date_key BETWEEN ? AND ? AND f.${LIVE}
         GROUP BY 1, 2 ORDER BY units_sold DESC, 1 LIMIT 20`,
      )
      .bind(sellerId, r.from, r.to),
    w
      .prepare(
        `SELECT v.variant_id, v.product_id, COALESCE(d.name, v.product_id) AS name, v.options, v.stock_available FROM dim_variants v
         LEFT JOIN dim_products d ON d.product_id = v.product_id
         WHERE v.seller_id = ? AND v.status = 'active' AND v.stock_available <= ? ORDER BY v.stock_available, v.variant_id LIMIT 50`,
      )
      .bind(sellerId, LOW_STOCK_THRESHOLD),
  ]);
  const withOptions = (rows: Record<string, unknown>[]) =>
    rows.map((x) => ({ ...x, options: JSON.parse(String(x.options ?? "{}")) as Record<string, string> }));
  const t = totals.results[0] as { revenue: number; units: number; orders: number };
  const refunded = Math.round(Number((refunds.results[0] as { refunded: number }).refunded ?? 0));
  const refundOrders = Number((refunds.results[0] as { orders: number }).orders ?? 0);
  return {
    seller_id: sellerId,
    from: r.from,
    to: r.to,
    currency: "usd",
    revenue: t.revenue,
    refunds: refunded,
    net_revenue: t.revenue - refunded,
    orders: t.orders,
    orders_by_status: Object.fromEntries(
      (byStatus.results as { status: string; n: number }[]).map((s) => [s.status, s.n]),
    ),
    units_sold: t.units,
    return_rate: t.orders ? Math.round((refundOrders / t.orders) * 10000) / 10000 : 0,
    average_rating: Math.round(Number((rating.results[0] as { avg: number | null }).avg ?? 0) * 100) / 100,
    top_products: top.results,
    low_stock: low.results,
    top_variants: withOptions(topVariants.results),
    low_stock_variants: withOptions(lowVariants.results),
  };
}

export async function sellerTimeseries(env: Pick<Env, "WAREHOUSE">, sellerId: string, r: Range) {
  const rows = await env.WAREHOUSE.prepare(
    `SELECT date_key AS date, SUM(revenue) AS revenue, SUM(quantity) AS units, COUNT(DISTINCT order_id) AS orders
     FROM fact_order_items WHERE seller_id = ? AND date_key BETWEEN ? AND ? AND ${LIVE} GROUP BY date_key ORDER BY date_key`,
  )
    .bind(sellerId, r.from, r.to)
    .all();
  return { seller_id: sellerId, granularity: "day", from: r.from, to: r.to, data: rows.results };
}

/** GMV, units and orders per day over the whole platform (the admin's chart). */
export async function platformTimeseries(env: Pick<Env, "WAREHOUSE">, r: Range) {
  const rows = await env.WAREHOUSE.prepare(
    `SELECT date_key AS date, SUM(revenue) AS revenue, SUM(quantity) AS units, COUNT(DISTINCT order_id) AS orders
     FROM fact_order_items WHERE date_key BETWEEN ? AND ? AND ${LIVE} GROUP BY date_key ORDER BY date_key`,
  )
    .bind(r.from, r.to)
    .all();
  return { granularity: "day", from: r.from, to: r.to, data: rows.results };
}

export async function sellerConversion(env: Pick<Env, "WAREHOUSE">, sellerId: string, r: Range) {
  const rows = await env.WAREHOUSE.prepare(
    `SELECT v.product_id, COALESCE(d.name, v.product_id) AS name, v.views, COALESCE(p.orders, 0) AS purchases,
            ROUND(COALESCE(p.orders, 0) * 1.0 / v.views, 4) AS conversion
     FROM (SELECT product_id, COUNT(*) AS views FROM fact_product_views WHERE seller_id = ?1 AND date_key BETWEEN ?2 AND ?3 GROUP BY product_id) v
     LEFT JOIN (SELECT product_id, COUNT(DISTINCT order_id) AS orders FROM fact_order_items WHERE seller_id = ?1 AND date_key BETWEEN ?2 AND ?3 AND ${LIVE} GROUP BY product_id) p ON p.product_id = v.product_id
     LEFT JOIN dim_products d ON d.product_id = v.product_id
     ORDER BY v.views DESC LIMIT 50`,
  )
    .bind(sellerId, r.from, r.to)
    .all();
  return { seller_id: sellerId, from: r.from, to: r.to, data: rows.results };
}

export async function platformReport(env: Pick<Env, "WAREHOUSE">, r: Range) {
  const w = env.WAREHOUSE;
  const [totals, sellers, regs, searches] = await w.batch<Record<string, unknown>>([
    w
      .prepare(
        `SELECT COALESCE(SUM(revenue), 0) AS gmv, COUNT(DISTINCT order_id) AS orders, COUNT(DISTINCT user_id) AS active_buyers FROM fact_order_items WHERE date_key BETWEEN ? AND ? AND ${LIVE}`,
      )
      .bind(r.from, r.to),
    w
      .prepare(
        `SELECT seller_id, SUM(revenue) AS revenue, COUNT(DISTINCT order_id) AS orders FROM fact_order_items WHERE date_key BETWEEN ? AND ? AND ${LIVE} GROUP BY seller_id ORDER BY revenue DESC LIMIT 10`,
      )
      .bind(r.from, r.to),
    w.prepare("SELECT COUNT(*) AS n FROM fact_registrations WHERE date_key BETWEEN ? AND ?").bind(r.from, r.to),
    w.prepare("SELECT COUNT(*) AS n FROM fact_searches WHERE date_key BETWEEN ? AND ?").bind(r.from, r.to),
  ]);
  const t = totals.results[0] as { gmv: number; orders: number; active_buyers: number };
  return {
    from: r.from,
    to: r.to,
    currency: "usd",
    gmv: t.gmv,
    orders: t.orders,
    active_buyers: t.active_buyers,
    registrations: (regs.results[0] as { n: number }).n,
    searches: (searches.results[0] as { n: number }).n,
    top_sellers: sellers.results,
  };
}

/**
 * Tax per jurisdiction over a period, in usd: what paid orders owed (sales tax added on top, which
 * the platform collected and remits; VAT/GST contained in prices), what refunds gave back, and the
 * net. A refund counts on the day it was made.
 */
export async function taxReport(env: Pick<Env, "WAREHOUSE">, r: Range) {
  const rows = await env.WAREHOUSE.prepare(
    `SELECT jurisdiction,
       COALESCE(SUM(CASE WHEN added > 0 THEN added END), 0) AS collected,
       COALESCE(-SUM(CASE WHEN added < 0 THEN added END), 0) AS refunded,
       COALESCE(SUM(CASE WHEN included > 0 THEN included END), 0) AS included,
       COALESCE(-SUM(CASE WHEN included < 0 THEN included END), 0) AS included_refunded,
       COUNT(DISTINCT CASE WHEN fact_id LIKE 'paid:%' THEN order_id END) AS orders
     FROM fact_tax WHERE date_key BETWEEN ? AND ? GROUP BY jurisdiction ORDER BY jurisdiction`,
  )
    .bind(r.from, r.to)
    .all<{
      jurisdiction: string;
      collected: number;
      refunded: number;
      included: number;
      included_refunded: number;
      orders: number;
    }>();
  const data = rows.results.map((j) => ({
    ...j,
    net: j.collected - j.refunded,
    included_net: j.included - j.included_refunded,
  }));
  return {
    from: r.from,
    to: r.to,
    currency: "usd",
    data,
    totals: {
      collected: data.reduce((n, j) => n + j.collected, 0),
      refunded: data.reduce((n, j) => n + j.refunded, 0),
      net: data.reduce((n, j) => n + j.net, 0),
      included: data.reduce((n, j) => n + j.included, 0),
      included_net: data.reduce((n, j) => n + j.included_net, 0),
    },
  };
}

/** Cron: rebuilds the daily seller rollups from the facts (idempotent: a full replace per day touched). */
export async function rebuildRollups(env: Pick<Env, "WAREHOUSE">): Promise<void> {
  await env.WAREHOUSE.batch([
    env.WAREHOUSE.prepare("DELETE FROM rollup_seller_daily"),
    env.WAREHOUSE.prepare(
      `INSERT INTO rollup_seller_daily (seller_id, date_key, revenue, orders, units)
       SELECT seller_id, date_key, SUM(revenue), COUNT(DISTINCT order_id), SUM(quantity) FROM fact_order_items WHERE ${LIVE} GROUP BY seller_id, date_key`,
    ),
  ]);
}

/**
 * Drift: compares the warehouse with the live orders (paid or later, not
 * cancelled) per seller, and lists sellers whose revenue differs, e.g. after a
 * lost event. Run by the nightly cron; the report is also an admin route.
 */
export async function driftReport(env: Pick<Env, "WAREHOUSE" | "DB">) {
  const sums = await paidRevenueBySeller(env);
  const live = { results: [...sums].map(([seller_id, revenue]) => ({ seller_id, revenue })) };
  const wh = await env.WAREHOUSE.prepare(
    `SELECT seller_id, SUM(revenue) AS revenue FROM fact_order_items WHERE ${LIVE} GROUP BY seller_id`,
  ).all<{
    seller_id: string;
    revenue: number;
  }>();
  const warehouse = new Map(wh.results.map((r) => [r.seller_id, r.revenue]));
  const sellers = new Set([...live.results.map((r) => r.seller_id), ...warehouse.keys()]);
  const liveMap = new Map(live.results.map((r) => [r.seller_id, r.revenue]));
  const drift = [...sellers]
    .map((s) => ({ seller_id: s, live_revenue: liveMap.get(s) ?? 0, warehouse_revenue: warehouse.get(s) ?? 0 }))
    .filter((d) => d.live_revenue !== d.warehouse_revenue);
  return { checked_sellers: sellers.size, drifting: drift };
}

/** When the newest paid line reached the warehouse (its lag behind the orders): GET /admin/health. */
export async function lastFactAt(env: Pick<Env, "WAREHOUSE">): Promise<string | null> {
  const row = await env.WAREHOUSE.prepare("SELECT MAX(paid_at) AS last FROM fact_order_items").first<{
    last: string | null;
  }>();
  return row?.last ?? null;
}
