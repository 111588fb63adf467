import { stockKey } from "../../lib/variant-ids";
import { toUsd } from "../../lib/currency";
import { productFacts } from "../catalog/product-facts";
import type { DomainEvent } from "../events";
import type { OrderEventPayload } from "../orders";
import { dateKey } from "./dates";
import { purchaseSignals } from "./signals-ingest";

/**
 * Streams domain events into the warehouse (the events queue's "analytics"
 * subscriber, and the ANALYTICS queue for product views). Every write is keyed
 * so a redelivered event counts once; order statuses only move forward, so
 * events arriving out of order leave the latest status.
 */

const STATUS_RANK: Record<string, number> = {
  pending_payment: 0,
  paid: 1,
  shipped: 2,
  delivered: 3,
  partially_refunded: 4,
  refunded: 5,
  cancelled: 6,
};

export async function ingestEvent(env: Env, event: DomainEvent): Promise<void> {
  const w = env.WAREHOUSE;
  switch (event.type) {
    case "order.paid":
    case "order.shipped":
    case "order.delivered":
    case "order.cancelled":
    case "order.refunded": {
      const o = event.data as OrderEventPayload;
      // Counted once per order: a redelivered order.paid finds its facts already there.
      const fresh =
        event.type === "order.paid" &&
        !(await w.prepare("SELECT 1 FROM fact_order_items WHERE order_id = ? LIMIT 1").bind(o.order_id).first());
      if (fresh)
        await refreshProductDims(
          env,
          o.items.map((i) => i.product_id),
        );
      await w.batch(orderStatements(env, event, fresh));
      return;
    }
    case "user.registered": {
      const d = event.data as { user_id: string; role: string };
      await w
        .prepare("INSERT OR IGNORE INTO fact_registrations (user_id, role, date_key) VALUES (?, ?, ?)")
        .bind(d.user_id, d.role, dateKey(event.occurred_at))
        .run();
      return;
    }
    case "searches.recorded": {
      const d = event.data as { entries: { query: string; hits: number; count: number }[] };
      if (d.entries.length === 0) return;
      // One fact per search: a query searched n times in the window is n rows (keyed event id, query, k).
      const rows = d.entries.flatMap((e) =>
        Array.from({ length: Math.min(e.count, 1000) }, (_, k) => [
          `${event.id}:${e.query}:${k}`,
          e.query,
          e.hits,
          dateKey(event.occurred_at),
        ]),
      );
      const statements: D1PreparedStatement[] = [];
      for (let i = 0; i < rows.length; i += 25) {
        const chunk = rows.slice(i, i + 25);
        statements.push(
          w
            .prepare(
              `INSERT OR IGNORE INTO fact_searches (event_id, query, hits, date_key) VALUES ${chunk.map(() => "(?, ?, ?, ?)").join(", ")}`,
            )
            .bind(...chunk.flat()),
        );
      }
      await w.batch(statements);
      return;
    }
    case "search.performed": {
      const d = event.data as { query: string; hits: number };
      await w
        .prepare("INSERT OR IGNORE INTO fact_searches (event_id, query, hits, date_key) VALUES (?, ?, ?, ?)")
        .bind(event.id, d.query, d.hits, dateKey(event.occurred_at))
        .run();
      return;
    }
    case "product.created":
    case "product.updated":
    case "product.archived":
    case "inventory.changed": {
      // The product dimension is a copy of catalog facts (no PII), read at ingestion.
      await refreshProductDims(env, [(event.data as { product_id: string }).product_id]);
      return;
    }
    default:
      return;
  }
}

const ORDER_EVENTS = new Set(["order.paid", "order.shipped", "order.delivered", "order.cancelled", "order.refunded"]);

const PRODUCT_EVENTS = new Set(["product.created", "product.updated", "product.archived", "inventory.changed"]);

/**
 * One order event as warehouse statements, for one transaction: its status,
 * its facts (order.paid), refunds, and with `signals` the recommendation
 * signals of a paid order seen for the first time.
 */
function orderStatements(env: Env, event: DomainEvent, signals: boolean): D1PreparedStatement[] {
  const w = env.WAREHOUSE;
  const o = event.data as OrderEventPayload;
  // The warehouse reports in the platform currency: an order in another is counted at its rate.
  const usd = (amount: number) => toUsd(amount, o.currency, o.fx_rate_micro ?? 1_000_000);
  const statements = [
    w
      .prepare(
        "INSERT INTO order_status (order_id, status, rank) VALUES (?1, ?2, ?3) ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, rank = excluded.rank WHERE excluded.rank > order_status.rank",
      )
      .bind(o.order_id, o.status, STATUS_RANK[o.status] ?? 0),
  ];
  if (event.type === "order.paid") {
    for (const item of o.items) {
      statements.push(
        w
          .prepare(
            `INSERT OR IGNORE INTO fact_order_items (order_item_id, order_id, seller_id, product_id, variant_id, user_id, quantity, revenue, status, date_key, paid_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'paid', ?, ?)`,
          )
          // One fact per line: a line is a variant (keyed by the product for its default one, as facts were before variants).
          .bind(
            `${o.order_id}:${stockKey(item.product_id, item.variant_id)}`,
            o.order_id,
            item.seller_id,
            item.product_id,
            item.variant_id ?? null,
            o.user_id,
            item.quantity,
            usd(item.price * item.quantity),
            dateKey(event.occurred_at),
            event.occurred_at,
          ),
      );
    }
  }
  // Tax per jurisdiction: what a paid order owed, and what each refund gave back.
  const taxFact = (id: string, sign: 1 | -1, t: { added: number; included: number }) =>
    w
      .prepare(
        "INSERT OR IGNORE INTO fact_tax (fact_id, order_id, jurisdiction, added, included, currency, date_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .bind(
        id,
        o.order_id,
        o.tax?.jurisdiction ?? "",
        sign * usd(t.added),
        sign * usd(t.included),
        o.currency,
        dateKey(event.occurred_at),
      );
  if (event.type === "order.paid" && o.tax) statements.push(taxFact(`paid:${o.order_id}`, 1, o.tax));
  if (event.type === "order.refunded" && o.refund_tax) statements.push(taxFact(event.id, -1, o.refund_tax));
  if (event.type === "order.refunded") {
    statements.push(
      w
        .prepare("INSERT OR IGNORE INTO fact_refunds (event_id, order_id, amount, date_key) VALUES (?, ?, ?, ?)")
        .bind(event.id, o.order_id, usd(o.refund_amount ?? 0), dateKey(event.occurred_at)),
    );
  }
  if (signals) statements.push(...purchaseSignals(env, o, event.occurred_at));
  // Facts carry the furthest status known for their order, whichever event came first.
  statements.push(
    w
      .prepare(
        "UPDATE fact_order_items SET status = (SELECT status FROM order_status WHERE order_id = ?1) WHERE order_id = ?1",
      )
      .bind(o.order_id),
  );
  return statements;
}

/** D1 binds at most 100 values per statement. */
const IDS_PER_QUERY = 90;

/**
 * A queue batch of events: the facts of every order event in one warehouse
 * batch (in event order), the product dimension read and written once per
 * product, the "seen before" check once for all paid orders. Other events go
 * one by one. Same result as ingestEvent on each, in far fewer round trips.
 */
export async function ingestEvents(env: Env, events: DomainEvent[]): Promise<void> {
  for (const e of events) if (!ORDER_EVENTS.has(e.type) && !PRODUCT_EVENTS.has(e.type)) await ingestEvent(env, e);
  const orderEvents = events.filter((e) => ORDER_EVENTS.has(e.type));
  const paid = [
    ...new Set(orderEvents.filter((e) => e.type === "order.paid").map((e) => (e.data as OrderEventPayload).order_id)),
  ];
  const seen = new Set<string>();
  for (let i = 0; i < paid.length; i += IDS_PER_QUERY) {
    const part = paid.slice(i, i + IDS_PER_QUERY);
    const rows = await env.WAREHOUSE.prepare(
      `SELECT DISTINCT order_id FROM fact_order_items WHERE order_id IN (${part.map(() => "?").join(",")})`,
    )
      .bind(...part)
      .all<{ order_id: string }>();
    for (const r of rows.results) seen.add(r.order_id);
  }
  const firstTime = new Set(paid.filter((id) => !seen.has(id)));
  const dims = new Set<string>();
  for (const e of events) if (PRODUCT_EVENTS.has(e.type)) dims.add((e.data as { product_id: string }).product_id);
  for (const e of orderEvents)
    if (e.type === "order.paid" && firstTime.has((e.data as OrderEventPayload).order_id))
      for (const i of (e.data as OrderEventPayload).items) dims.add(i.product_id);
  await refreshProductDims(env, [...dims]);
  const statements: D1PreparedStatement[] = [];
  for (const e of orderEvents) {
    const id = (e.data as OrderEventPayload).order_id;
    // A paid order's signals count once, even when the batch holds its event twice (a redelivery).
    const signals = e.type === "order.paid" && firstTime.delete(id);
    statements.push(...orderStatements(env, e, signals));
  }
  for (let i = 0; i < statements.length; i += 200) await env.WAREHOUSE.batch(statements.slice(i, i + 200));
}

/** The product dimension: a copy of catalog facts (no PII), read from the catalog and written in one batch each. */
async function refreshProductDims(env: Env, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const part = unique.slice(i, i + IDS_PER_QUERY);
    const facts = await productFacts(env, part);
    if (facts.products.length === 0) continue;
    await env.WAREHOUSE.batch([
      ...facts.variants.map((v) =>
        env.WAREHOUSE.prepare(
          `INSERT INTO dim_variants (variant_id, product_id, seller_id, options, status, stock_available) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (variant_id) DO UPDATE SET options = excluded.options, status = excluded.status, stock_available = excluded.stock_available`,
        ).bind(v.id, v.product_id, v.seller_id, v.options, v.status, v.stock_available),
      ),
      ...facts.products.map((p) =>
        env.WAREHOUSE.prepare(
          `INSERT INTO dim_products (product_id, seller_id, name, category_id, brand, status, stock_available, rating_average, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (product_id) DO UPDATE SET seller_id = excluded.seller_id, name = excluded.name, category_id = excluded.category_id, brand = excluded.brand,
             status = excluded.status, stock_available = excluded.stock_available, rating_average = excluded.rating_average, updated_at = excluded.updated_at`,
        ).bind(
          p.id,
          p.seller_id,
          p.name,
          p.category_id,
          p.brand,
          p.status,
          p.stock_available,
          p.rating_average,
          p.updated_at,
        ),
      ),
    ]);
  }
}

/**
 * Erasure in the warehouse: facts keep their amounts for the sellers' reports but lose the buyer
 * (user_id becomes "erased"); per-user tables (views, affinities, purchases, registration) go.
 */
export async function eraseUserFromWarehouse(env: Pick<Env, "WAREHOUSE">, userId: string): Promise<void> {
  await env.WAREHOUSE.batch([
    env.WAREHOUSE.prepare("UPDATE fact_order_items SET user_id = 'erased' WHERE user_id = ?").bind(userId),
    env.WAREHOUSE.prepare("DELETE FROM recent_views WHERE user_id = ?").bind(userId),
    env.WAREHOUSE.prepare("DELETE FROM user_affinity WHERE user_id = ?").bind(userId),
    env.WAREHOUSE.prepare("DELETE FROM user_purchases WHERE user_id = ?").bind(userId),
    env.WAREHOUSE.prepare("DELETE FROM fact_registrations WHERE user_id = ?").bind(userId),
  ]);
}
