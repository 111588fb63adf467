import type { DomainEvent, EventType } from "../services/events";
import { countSearches, indexProducts } from "../services/search";
import { notifyFromEvent, notifyFromEvents } from "../services/notifications";
import { ingestEvent, ingestEvents } from "../services/analytics";
import { fanOutOrderEvent } from "../services/webhooks";
import { unverifyRefundedPurchases } from "../services/reviews";
import { postOrderEvent } from "../services/ledger";
import type { OrderEventPayload } from "../services/orders";

/** Keeps the search index in step with the catalog and stock (reads the current row, so order does not matter). */
const searchIndexer: Subscriber = {
  name: "search-indexer",
  handle: (event, env) => indexProducts(env, [(event.data as { product_id: string }).product_id]),
};

const notifier: Subscriber = {
  name: "notifier",
  handle: (event, env) => notifyFromEvent(env, event),
  handleBatch: (events, env) => notifyFromEvents(env, events),
};

const analytics: Subscriber = {
  name: "analytics",
  handle: (event, env) => ingestEvent(env, event),
  handleBatch: (events, env) => ingestEvents(env, events),
};

const sellerWebhooks: Subscriber = { name: "seller-webhooks", handle: (event, env) => fanOutOrderEvent(env, event) };

const reviewVerifier: Subscriber = {
  name: "review-verifier",
  handle: (event, env) => unverifyRefundedPurchases(env, event.data as OrderEventPayload),
};

const ledger: Subscriber = { name: "ledger", handle: (event, env) => postOrderEvent(env, event) };

const popularQueries: Subscriber = {
  name: "popular-queries",
  handle: (event, env) =>
    countSearches(
      env,
      event.type === "searches.recorded"
        ? (event.data as { entries: { query: string; count: number }[] }).entries
        : [{ query: (event.data as { query: string }).query, count: 1 }],
    ),
};

/**
 * Who reacts to which domain event. Each subscriber has a stable name: the
 * events consumer records (name, event id) once handled, so a redelivered
 * event reaches each subscriber at most once after it succeeded.
 * An event type with no subscriber yet is simply acknowledged (pub/sub).
 */
export interface Subscriber {
  name: string;
  handle(event: DomainEvent, env: Env): Promise<void>;
  /** The subscriber's events of one queue batch in one call (fewer round trips); all retry if it throws. */
  handleBatch?(events: DomainEvent[], env: Env): Promise<void>;
}

export const SUBSCRIBERS: { [T in EventType]: Subscriber[] } = {
  "user.registered": [notifier, analytics],
  "product.created": [searchIndexer, analytics],
  "product.updated": [searchIndexer, analytics],
  "product.archived": [searchIndexer, analytics],
  "inventory.changed": [searchIndexer, notifier, analytics],
  "search.performed": [popularQueries, analytics],
  "searches.recorded": [popularQueries, analytics],
  "order.created": [],
  "auction.outbid": [notifier],
  "auction.won": [notifier],
  "auction.ended": [searchIndexer],
  "order.paid": [notifier, analytics, sellerWebhooks, ledger],
  "order.shipped": [notifier, analytics, sellerWebhooks],
  "order.delivered": [notifier, analytics, sellerWebhooks, ledger],
  "order.cancelled": [notifier, analytics, sellerWebhooks],
  "order.refunded": [notifier, analytics, sellerWebhooks, reviewVerifier, ledger],
  "payment.captured": [ledger],
  "payment.disputed": [ledger],
};
