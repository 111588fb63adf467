import { z } from "@hono/zod-openapi";

/**
 * The domain events' catalog: the contract between producers and consumers (events.ts publishes
 * through the outbox; a message that does not parse against its type here is dead-lettered).
 */

/** Product events carry the version so consumers apply only what is newer than what they hold. */
const ProductEventData = z.object({
  product_id: z.string(),
  seller_id: z.string(),
  category_id: z.string(),
  version: z.number().int(),
});

/** Order events: enough for notifications and analytics without reading the order back. */
export const OrderEventData = z.object({
  order_id: z.string(),
  user_id: z.string(),
  status: z.string(),
  total_amount: z.number().int(),
  currency: z.string(),
  tracking_number: z.string().nullable().optional(),
  seller_ids: z.array(z.string()),
  items: z.array(
    z.object({
      product_id: z.string(),
      variant_id: z.string().optional(),
      seller_id: z.string(),
      quantity: z.number().int(),
      price: z.number().int(),
    }),
  ),
  refund_amount: z.number().int().optional(),
  /** The rate an order in another currency was priced at (micro-units per 1 USD); absent: usd. */
  fx_rate_micro: z.number().int().optional(),
  /** The order lines a refund was for (a cancel of unshipped lines, a seller's own lines); absent: the whole order. */
  refund_lines: z.array(z.string()).optional(),
  /** The order's tax and where it was owed, in the order's currency; absent: untaxed. */
  tax: z
    .object({ jurisdiction: z.string().nullable(), added: z.number().int(), included: z.number().int() })
    .optional(),
  /** The tax inside a refund (src/services/payments/refund-tax.ts): added on top, or contained in the prices. */
  refund_tax: z.object({ added: z.number().int(), included: z.number().int() }).optional(),
  /** Shipping a refund gave back, per seller (a cancel of a seller's last unshipped lines), in the order's currency. */
  refund_shipping: z.array(z.object({ seller_id: z.string(), amount: z.number().int() })).optional(),
  /** On order.paid: `manual` when the card was only authorised (the ledger posts each seller's share at capture). */
  capture: z.enum(["automatic", "manual"]).optional(),
  /** Of a refund, what was let go of an uncaptured authorisation (no seller was credited for it). */
  released_amount: z.number().int().optional(),
});

export const EventCatalog = {
  "user.registered": z.object({ user_id: z.string(), role: z.enum(["buyer", "seller", "admin"]) }),
  "product.created": ProductEventData,
  "product.updated": ProductEventData,
  "product.archived": ProductEventData,
  /** From the inventory Durable Object when stock crosses zero or is adjusted; `seq` orders them per product. */
  "order.created": OrderEventData,
  "order.paid": OrderEventData,
  "order.shipped": OrderEventData,
  "order.delivered": OrderEventData,
  "order.cancelled": OrderEventData,
  "order.refunded": OrderEventData,
  /** One seller's share of an authorised order was captured (their shipment, or the expiry cron), in the order's currency. */
  "payment.captured": z.object({
    order_id: z.string(),
    payment_id: z.string(),
    seller_id: z.string(),
    item_ids: z.array(z.string()),
    /** What the card gave (less than the share where store credit paid part of the order). */
    amount: z.number().int(),
    /** The seller's shipping in this share (their first capture only). */
    shipping: z.number().int(),
    /** Tax added on top in this share. */
    tax: z.number().int(),
    final: z.boolean(),
  }),
  /** A chargeback on an order's payment opened, or closed won or lost (the ledger freezes, then gives back or writes off). */
  "payment.disputed": z.object({
    order_id: z.string(),
    dispute_id: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    phase: z.enum(["opened", "won", "lost"]),
  }),
  /** A search that found something (for popular queries and analytics). */
  "search.performed": z.object({ query: z.string().max(100), hits: z.number().int() }),
  /** Searches of one isolate over about a second, counted per query (one event instead of one per search). */
  "searches.recorded": z.object({
    entries: z
      .array(z.object({ query: z.string().max(100), hits: z.number().int(), count: z.number().int().min(1) }))
      .max(500),
  }),
  "inventory.changed": z.object({
    product_id: z.string(),
    /** The variant whose stock moved (absent in events from before variants: the default one). */
    variant_id: z.string().optional(),
    /** The variant's stock. */
    available: z.number().int(),
    in_stock: z.boolean(),
    /** What the previous inventory.changed said: false -> true is "back in stock". */
    was_in_stock: z.boolean().optional(),
    seq: z.number().int(),
  }),
  /** The auction's leader changed: the one who led is told (their maximum stays private). */
  "auction.outbid": z.object({
    product_id: z.string(),
    user_id: z.string(),
    name: z.string(),
    current_price: z.number().int(),
    currency: z.string(),
  }),
  /** An auction's order was written for its buyer (the winner, a buy-it-now, or a second-chance offer). */
  "auction.won": z.object({
    product_id: z.string(),
    user_id: z.string(),
    name: z.string(),
    order_id: z.string(),
    price: z.number().int(),
    currency: z.string(),
    second_chance: z.boolean(),
  }),
  "auction.ended": z.object({
    product_id: z.string(),
    seller_id: z.string(),
    outcome: z.enum(["sold", "unsold", "bought_now"]),
    price: z.number().int().nullable(),
    bid_count: z.number().int(),
  }),
} as const;

export type EventType = keyof typeof EventCatalog;
export type EventData<T extends EventType> = z.infer<(typeof EventCatalog)[T]>;
