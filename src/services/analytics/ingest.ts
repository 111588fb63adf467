import type { DomainEvent } from "../events";
import type { OrderEventPayload } from "../orders";

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

const dateKey = (iso: string) => iso.slice(0, 10);

export async function ingestEvent(env: Env, event: DomainEvent): Promise<void> {
  const w = env.WAREHOUSE;
  switch (event.type) {
    case "order.paid":
    case "order.shipped":
    case "order.delivered":
    case "order.cancelled":
    case "order.refunded": {
      const o = event.data as OrderEventPayload;
      const status = o.status;
      const statements = [
        w
          .prepare(
            "INSERT INTO order_status (order_id, status, rank) VALUES (?1, ?2, ?3) ON CONFLICT (order_id) DO UPDATE SET status = excluded.status, rank = excluded.rank WHERE excluded.rank > order_status.rank",
          )
          .bind(o.order_id, status, STATUS_RANK[status] ?? 0),
      ];
      if (event.type === "order.paid") {
        for (const item of o.items) {
          statements.push(
            w
              .prepare(
                `INSERT OR IGNORE INTO fact_order_items (order_item_id, order_id, seller_id, product_id, user_id, quantity, revenue, status, date_key, paid_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, 'paid', ?, ?)`,
              )
              .bind(`${o.order_id}:${item.product_id}`, o.order_id, item.seller_id, item.product_id, o.user_id, item.quantity, item.price * item.quantity, dateKey(event.occurred_at), event.occurred_at),
          );
        }
      }
      if (event.type === "order.refunded") {
        statements.push(
          w.prepare("INSERT OR IGNORE INTO fact_refunds (event_id, order_id, amount, date_key) VALUES (?, ?, ?, ?)").bind(event.id, o.order_id, o.refund_amount ?? 0, dateKey(event.occurred_at)),
        );
      }
      // Facts carry the furthest status known for their order, whichever event came first.
      statements.push(w.prepare("UPDATE fact_order_items SET status = (SELECT status FROM order_status WHERE order_id = ?1) WHERE order_id = ?1").bind(o.order_id));
      await w.batch(statements);
      return;
    }
    case "user.registered": {
      const d = event.data as { user_id: string; role: string };
      await w.prepare("INSERT OR IGNORE INTO fact_registrations (user_id, role, date_key) VALUES (?, ?, ?)").bind(d.user_id, d.role, dateKey(event.occurred_at)).run();
      return;
    }
    case "search.performed": {
      const d = event.data as { query: string; hits: number };
      await w.prepare("INSERT OR IGNORE INTO fact_searches (event_id, query, hits, date_key) VALUES (?, ?, ?, ?)").bind(event.id, d.query, d.hits, dateKey(event.occurred_at)).run();
      return;
    }
    case "product.created":
    case "product.updated":
    case "product.archived":
    case "inventory.changed": {
      // The product dimension is a copy of catalog facts (no PII), read at ingestion.
      const id = (event.data as { product_id: string }).product_id;
      const p = await env.DB.prepare("SELECT id, seller_id, name, category_id, status, stock_available, rating_average, updated_at FROM products WHERE id = ?")
        .bind(id)
        .first<{ id: string; seller_id: string; name: string; category_id: string; status: string; stock_available: number; rating_average: number; updated_at: string }>();
      if (!p) return;
      await w
        .prepare(
          `INSERT INTO dim_products (product_id, seller_id, name, category_id, status, stock_available, rating_average, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (product_id) DO UPDATE SET seller_id = excluded.seller_id, name = excluded.name, category_id = excluded.category_id, status = excluded.status,
             stock_available = excluded.stock_available, rating_average = excluded.rating_average, updated_at = excluded.updated_at`,
        )
        .bind(p.id, p.seller_id, p.name, p.category_id, p.status, p.stock_available, p.rating_average, p.updated_at)
        .run();
      return;
    }
    default:
      return;
  }
}

/** A product page view (ANALYTICS queue), keyed by its view id. */
export async function ingestView(env: Env, view: { view_id: string; product_id: string; seller_id: string; at: string }): Promise<void> {
  await env.WAREHOUSE.prepare("INSERT OR IGNORE INTO fact_product_views (view_id, product_id, seller_id, date_key) VALUES (?, ?, ?, ?)")
    .bind(view.view_id, view.product_id, view.seller_id, dateKey(view.at))
    .run();
}
